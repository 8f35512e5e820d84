import { describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../src/plan/desired.js';
import { res, TEST_HASH_KEY } from '../support/builders.js';

/** The pod-template-hash of a Deployment whose pod spec has `extra` and a container env of `env`. */
function hash(extra: Record<string, unknown>, env: unknown[] = []): string {
  const d = res({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { ...extra, containers: [{ name: 'c', image: 'img:1', env }] } } },
  });
  return buildDesiredState([d], { hashKey: TEST_HASH_KEY }).workloads[0]!.template.hash;
}

const downward = [{ name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } }];

describe('the ServiceAccount fields and the pod-template-hash', () => {
  it.each([
    { name: 'serviceAccountName changes nothing in the pod: same hash as without it', a: {}, b: { serviceAccountName: 'builder' }, env: [], same: true },
    { name: 'nor the deprecated serviceAccount', a: {}, b: { serviceAccount: 'builder' }, env: [], same: true },
    { name: 'nor automountServiceAccountToken (no token is mounted)', a: {}, b: { automountServiceAccountToken: false }, env: [], same: true },
    { name: 'another ServiceAccount restarts nothing', a: { serviceAccountName: 'a' }, b: { serviceAccountName: 'b' }, env: [], same: true },
    { name: 'unless the pod reads it through the downward API', a: { serviceAccountName: 'a' }, b: { serviceAccountName: 'b' }, env: downward, same: false },
  ])('$name', ({ a, b, env, same }) => {
    expect(hash(a, env) === hash(b, env)).toBe(same);
  });
});
