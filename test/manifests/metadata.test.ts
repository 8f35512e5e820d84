import { describe, expect, it } from 'vitest';
import type { Finding } from './support.js';
import { at, findings } from './support.js';

function object(kind: string, apiVersion: string, meta: string): string {
  return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n${meta}`;
}

describe('names and metadata', () => {
  it.each<{ name: string; text: string; want: Finding[] }>([
    { name: 'ConfigMap names are DNS-1123 subdomains', text: object('ConfigMap', 'v1', '  name: Web_Config\n'), want: [at(4, 9, 'invalid-name', 'metadata.name')] },
    { name: 'dots are fine in a subdomain', text: object('ConfigMap', 'v1', '  name: web.config\n'), want: [] },
    { name: 'empty name', text: object('ConfigMap', 'v1', '  name: ""\n'), want: [at(4, 9, 'invalid-name', 'metadata.name')] },
    { name: 'Namespace names are DNS-1123 labels', text: object('Namespace', 'v1', '  name: shop.eu\n'), want: [at(4, 9, 'invalid-name', 'metadata.name')] },
    {
      name: 'Service names are DNS-1035 labels',
      text: `${object('Service', 'v1', '  name: 1web\n')}spec:\n  clusterIP: None\n`,
      want: [at(4, 9, 'invalid-name', 'metadata.name')],
    },
    { name: 'Job names fit the job-name label', text: job('j'.repeat(64)), want: [at(4, 9, 'invalid-name', 'metadata.name')] },
    { name: 'a Job name of 63 characters', text: job('j'.repeat(63)), want: [] },
    { name: 'namespace syntax', text: object('ConfigMap', 'v1', '  name: c\n  namespace: Shop\n'), want: [at(5, 14, 'invalid-name', 'metadata.namespace')] },
    {
      name: 'label keys point at the key, values at the value',
      text: object('ConfigMap', 'v1', '  name: c\n  labels:\n    -bad: x\n    ok: has space\n    example.com/app: web\n    Example_com/app: web\n'),
      want: [
        at(6, 5, 'invalid-label', 'metadata.labels["-bad"]'),
        at(7, 9, 'invalid-label', 'metadata.labels.ok'),
        at(9, 5, 'invalid-label', 'metadata.labels["Example_com/app"]'),
      ],
    },
    {
      name: 'label values may be empty but not too long',
      text: object('ConfigMap', 'v1', `  name: c\n  labels:\n    empty: ""\n    long: ${'v'.repeat(64)}\n`),
      want: [at(7, 11, 'invalid-label', 'metadata.labels.long')],
    },
    {
      name: 'annotation keys',
      text: object('ConfigMap', 'v1', '  name: c\n  annotations:\n    bad key: x\n    kubernetes.io/description: any text at all, even long\n'),
      want: [at(6, 5, 'invalid-annotation', 'metadata.annotations["bad key"]')],
    },
    {
      name: 'annotations larger than 256 KiB in total',
      text: object('ConfigMap', 'v1', `  name: c\n  annotations:\n    a: ${'x'.repeat(200 * 1024)}\n    b: ${'y'.repeat(60 * 1024)}\n`),
      want: [at(5, 3, 'invalid-annotation', 'metadata.annotations')],
    },
  ])('$name', ({ text, want }) => {
    expect(findings({ 'f.yaml': text })).toEqual(want);
  });
});

function job(name: string): string {
  return `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: "busybox:1.36"}]\n`;
}
