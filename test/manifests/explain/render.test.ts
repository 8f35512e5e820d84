import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/manifests/explain/explain.js';
import type { Verdict } from '../../../src/manifests/explain/fields.js';
import { renderExplanation, verdictText } from '../../../src/manifests/explain/render.js';
import { loadSchema } from '../../../src/manifests/schema-compile.js';

function render(input: string, options: { recursive?: boolean; apiVersion?: string } = {}): string {
  const r = explain(loadSchema, input, options);
  if (!r.ok) throw new Error(r.reason);
  return renderExplanation(r.explanation, options);
}

describe("renderExplanation: kubectl explain's layout", () => {
  it('a field with sub-fields: header, FIELD, BERTH, DESCRIPTION, FIELDS with enum and berth lines', () => {
    expect(render('deploy.spec.strategy')).toBe(
      [
        'GROUP:      apps',
        'KIND:       Deployment',
        'VERSION:    v1',
        '',
        'FIELD: strategy <DeploymentStrategy>',
        'BERTH: runs',
        '',
        'DESCRIPTION:',
        '    How old pods are replaced by new ones.',
        '',
        'FIELDS:',
        '  rollingUpdate\t<RollingUpdateDeployment>',
        '  berth: runs',
        '    The pace of a RollingUpdate.',
        '',
        '  type\t<string>',
        '  enum: RollingUpdate, Recreate',
        '  berth: runs',
        '    RollingUpdate (a few pods at a time, the app keeps serving) or Recreate',
        '    (stop every old pod, then start the new ones). Defaults to RollingUpdate.',
        '',
      ].join('\n'),
    );
  });

  it.each([
    { name: 'a core kind has no GROUP line', input: 'pod', has: 'KIND:       Pod\nVERSION:    v1\n', not: 'GROUP:' },
    { name: 'a grouped kind splits group and version', input: 'ing', has: 'GROUP:      networking.k8s.io\nKIND:       Ingress\nVERSION:    v1\n', not: 'FIELD:' },
    { name: 'required fields are marked', input: 'deploy.spec', has: '  selector\t<LabelSelector> -required-\n', not: 'replicas\t<integer> -required-' },
    { name: 'a scalar field has no FIELDS', input: 'deploy.spec.replicas', has: 'FIELD: replicas <integer>\nBERTH: runs\n', not: 'FIELDS:' },
    { name: 'no description reads <empty>', input: 'pod.spec.affinity', has: 'DESCRIPTION:\n    <empty>\n', not: 'FIELDS:' },
    { name: 'a warned field says why', input: 'pod.spec.affinity', has: 'BERTH: warns: accepted and ignored, with a warning; berth runs every pod on this\none Docker host\n', not: 'runs (' },
    { name: 'a refused field says why', input: 'pod.spec.volumes.nfs', has: 'BERTH: refuses: an error, since ignoring it would change what runs; mount the\nshare on the host and use a hostPath volume\n', not: 'warns' },
    { name: 'a legacy --api-version says it is converted', input: 'deploy', apiVersion: 'apps/v1beta2', has: 'BERTH:      reads apps/v1beta2 (deprecated) and converts it to apps/v1, whose fields these are\n', not: 'FIELD:' },
  ])('$name', ({ input, apiVersion, has, not }) => {
    const text = render(input, apiVersion ? { apiVersion } : {});
    expect(text).toContain(has);
    expect(text).not.toContain(not);
  });

  it('--recursive: the tree with types, two spaces a level, a mark on each field berth does not run, no descriptions', () => {
    const text = render('deploy.spec.template.metadata', { recursive: true });
    expect(text).toContain('BERTH:      runs every field below but those marked (berth: warns|refuses|drops); explain one to see why\n');
    expect(text.slice(text.indexOf('FIELDS:\n'))).toBe(
      [
        'FIELDS:',
        '  annotations\t<map[string]string>',
        '  creationTimestamp\t<any> (berth: drops)',
        '  finalizers\t<any> (berth: warns)',
        '  generateName\t<any> (berth: warns)',
        '  generation\t<any> (berth: drops)',
        '  labels\t<map[string]string>',
        '  managedFields\t<any> (berth: drops)',
        '  name\t<string>',
        '  namespace\t<any> (berth: warns)',
        '  ownerReferences\t<any> (berth: warns)',
        '  resourceVersion\t<any> (berth: drops)',
        '  uid\t<any> (berth: drops)',
        '',
      ].join('\n'),
    );
  });

  it('--recursive nests: a field of a field is indented under it', () => {
    expect(render('pod.spec.containers', { recursive: true })).toContain('  livenessProbe\t<Probe>\n    exec\t<ExecAction>\n      command\t<[]string> -required-\n');
  });

  it.each(['deployment', 'pod.spec', 'pod.spec.containers', 'svc.spec', 'ingress.spec.rules'])('%s: descriptions wrap at 80 columns', (input) => {
    const long = render(input).split('\n').filter((l) => l.length > 80 && l.trim().includes(' '));
    expect(long).toEqual([]);
  });
});

describe('verdictText', () => {
  it.each<{ verdict: Verdict; text: string }>([
    { verdict: { word: 'runs' }, text: 'runs' },
    { verdict: { word: 'runs', reason: 'why' }, text: 'runs (why)' },
    { verdict: { word: 'warns' }, text: 'warns: accepted and ignored, with a warning' },
    { verdict: { word: 'warns', reason: 'use clusterIP', quietAt: '"x"' }, text: 'warns: accepted and ignored, with a warning; use clusterIP; none when it holds its Kubernetes default, "x"' },
    { verdict: { word: 'refuses' }, text: 'refuses: an error, since ignoring it would change what runs' },
    { verdict: { word: 'drops', reason: 'set by the API server' }, text: 'drops: removed without a warning (set by the API server)' },
  ])('$text', ({ verdict, text }) => {
    expect(verdictText(verdict)).toBe(text);
  });
});
