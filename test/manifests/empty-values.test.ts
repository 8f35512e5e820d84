import { describe, expect, it } from 'vitest';
import { specHash } from '../../src/model/hash.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import { TEST_HASH_KEY } from '../support/builders.js';
import { unsetEmptyValuesBy } from '../../src/manifests/empty-values.js';
import { at, findings, pod, validate, yaml } from './support.js';

/**
 * Issue 14: empty (null) values are unset, as the API server reads them (Go's JSON decoding
 * leaves a field written `null` unset). Helm output is full of them.
 */

/** A Deployment; each option's lines are added at its place (written at indentation 0). */
function deployment(opts: { meta?: string; spec?: string; template?: string; podSpec?: string; container?: string } = {}): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    indentBy(opts.meta, 2),
    'spec:',
    indentBy(opts.spec, 2),
    '  selector:',
    '    matchLabels: {app: web}',
    '  template:',
    '    metadata:',
    '      labels: {app: web}',
    indentBy(opts.template, 6),
    '    spec:',
    indentBy(opts.podSpec, 6),
    '      containers:',
    '        - name: web',
    '          image: nginx:1.25',
    indentBy(opts.container, 10),
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function indentBy(text: string | undefined, n: number): string {
  return (text ?? '')
    .split('\n')
    .map((l) => (l === '' ? l : ' '.repeat(n) + l))
    .join('\n');
}

describe('empty values are unset', () => {
  it.each([
    { name: 'metadata labels and annotations', opts: { meta: 'labels:\nannotations:' } },
    { name: 'spec fields (replicas, strategy, minReadySeconds)', opts: { spec: 'replicas:\nstrategy:\nminReadySeconds:' } },
    { name: 'template annotations', opts: { template: 'annotations:' } },
    { name: 'pod fields (securityContext, volumes, initContainers, hostAliases)', opts: { podSpec: 'securityContext:\nvolumes:\ninitContainers:\nhostAliases:' } },
    { name: 'unimplemented fields written empty (no "ignored" warning)', opts: { podSpec: 'nodeSelector:\ntolerations:\naffinity:\nimagePullSecrets:' } },
    // Helm's `toYaml` of an empty value renders `{}` / `[]`: they set nothing either, so nothing is ignored.
    {
      name: 'unimplemented fields written as {} or [] (no "ignored" warning)',
      opts: { podSpec: 'nodeSelector: {}\ntolerations: []\naffinity: {}\nimagePullSecrets: []\ntopologySpreadConstraints: []' },
    },
    {
      name: 'container fields (args, command, env, envFrom, ports, resources, securityContext, probes, volumeMounts)',
      opts: { container: 'args:\ncommand:\nenv:\nenvFrom:\nports:\nresources:\nsecurityContext:\nlivenessProbe:\nreadinessProbe:\nvolumeMounts:\nworkingDir:\nimagePullPolicy:' },
    },
    // What holds them is written, so it stays (an empty struct, as in Kubernetes).
    {
      name: 'nested empties (resources.limits, securityContext.capabilities)',
      opts: { container: 'resources:\n  limits:\n  requests:\nsecurityContext:\n  capabilities:\n  runAsUser:' },
      same: { container: 'resources: {}\nsecurityContext: {}' },
    },
    {
      name: 'security option structs Helm emits',
      opts: { podSpec: 'securityContext:\n  seLinuxOptions:\n  seccompProfile:\n  windowsOptions:\nhostUsers:\nruntimeClassName:' },
      same: { podSpec: 'securityContext: {}' },
    },
  ])('$name: validates clean, and is the same object as without them', ({ opts, same }) => {
    const withNulls = validate({ 'd.yaml': deployment(opts) });
    const plain = validate({ 'd.yaml': deployment(same) });
    expect(withNulls.problems).toEqual([]);
    expect(withNulls.resources.map((r) => r.object)).toEqual(plain.resources.map((r) => r.object));
    expect(specHash(withNulls.resources[0]!.object)).toBe(specHash(plain.resources[0]!.object));
  });

  it('adding an empty labels: to a running Deployment rolls nothing out (the pod-template hash is the same)', () => {
    const hash = (text: string) => {
      const w = buildDesiredState(validate({ 'd.yaml': text }).resources, { hashKey: TEST_HASH_KEY }).workloads[0]!;
      return w.kind === 'Deployment' ? w.template.hash : undefined;
    };
    expect(hash(deployment({ template: 'annotations:', container: 'env:\nresources:' }))).toBe(hash(deployment()));
  });

  it('a null entry of a map of strings is the empty string, as Go decodes it', () => {
    const { resources, problems } = validate({
      'c.yaml': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          labels:
            tier:
        data:
          empty:
          set: x
      `,
    });
    expect(problems).toEqual([]);
    expect(resources[0]!.object).toMatchObject({ metadata: { labels: { tier: '' } }, data: { empty: '', set: 'x' } });
  });

  it('a List with items: left empty is an empty list', () => {
    expect(validate({ 'l.yaml': 'apiVersion: v1\nkind: List\nitems:\n' })).toEqual({ resources: [], problems: [] });
  });

  it.each([
    { name: 'emptyDir: (null) is emptyDir: {}', volume: '- name: cache\n  emptyDir:' },
    { name: 'a volume with no source is an emptyDir (Kubernetes defaulting)', volume: '- name: cache' },
  ])('$name', ({ volume }) => {
    const text = pod(`containers:\n  - name: app\n    image: nginx:1.25\n    volumeMounts: [{name: cache, mountPath: /cache}]\nvolumes:\n${indentBy(volume, 2)}\n`);
    const { resources, problems } = validate({ 'f.yaml': text });
    expect(problems).toEqual([]);
    expect((resources[0]!.object as unknown as { spec: { volumes: unknown[] } }).spec.volumes).toEqual([{ name: 'cache', emptyDir: {} }]);
  });
});

describe('empty values Kubernetes rejects still error, at the empty key', () => {
  it.each([
    {
      name: 'a required field written empty says it is empty',
      text: pod(yaml`
        containers:
          - name: app
            image:
      `),
      want: [at(8, 7, 'missing-field', 'spec.containers[0].image')],
    },
    {
      name: 'an empty containers list',
      text: pod('containers:\n'),
      want: [at(6, 3, 'missing-field', 'spec.containers')],
    },
    {
      name: 'an empty list item is not unset (Kubernetes reads an empty container, and rejects it)',
      text: pod('containers:\n  -\n'),
      want: [at(7, 5, 'invalid-type', 'spec.containers[0]')],
    },
    {
      name: 'an unknown field written empty is still unknown, with its suggestion',
      text: pod(yaml`
        containers:
          - name: app
            image: nginx:1.25
            imgae:
      `),
      want: [at(9, 7, 'unknown-field', 'spec.containers[0].imgae')],
    },
    {
      name: 'a null resource quantity is not a quantity',
      text: pod(yaml`
        containers:
          - name: app
            image: nginx:1.25
            resources:
              limits:
                memory:
      `),
      want: [at(11, 11, 'invalid-type', 'spec.containers[0].resources.limits.memory')],
    },
  ])('$name', ({ text, want }) => {
    expect(findings({ 'f.yaml': text })).toEqual(want);
  });

  it('says the field is empty rather than absent', () => {
    const [problem] = validate({ 'f.yaml': pod('containers:\n  - name: app\n    image:\n') }).problems;
    expect(problem?.message).toBe('spec.containers[0].image is empty, and it is required');
  });
});

describe('the schema decides where an empty value is a field (unsetEmptyValuesBy)', () => {
  /** Two schema files, with a cross-file $ref, a relative one, combinators and maps. */
  const SCHEMAS: Record<string, unknown> = {
    'thing.json': {
      type: 'object',
      properties: {
        spec: { $ref: 'shared.json#/$defs/Spec' },
        names: { type: 'object', additionalProperties: { type: 'string' } },
        sizes: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
        list: { type: 'array', items: { $ref: 'shared.json#/$defs/Item' } },
      },
    },
    'shared.json': {
      $defs: {
        Spec: { type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ properties: { b: { type: 'string' } } }, { $ref: '#/$defs/More' }] },
        More: { properties: { c: { type: 'object' } } },
        Item: { type: 'object', properties: { d: { type: 'string' } } },
      },
    },
  };
  const load = (name: string) => SCHEMAS[name];

  it.each([
    { name: 'declared fields, through refs and combinators, are deleted', value: { spec: { a: null, b: null, c: null, keep: 1 } }, want: { spec: { keep: 1 } }, unset: [['spec', 'a'], ['spec', 'b'], ['spec', 'c']] },
    { name: 'a field of a list item is deleted; the item itself is not', value: { list: [{ d: null }, null] }, want: { list: [{}, null] }, unset: [['list', 0, 'd']] },
    { name: 'a map of strings gets the empty string', value: { names: { x: null } }, want: { names: { x: '' } }, unset: [] },
    { name: 'a map of other values keeps null (the schema reports it)', value: { sizes: { x: null } }, want: { sizes: { x: null } }, unset: [] },
    { name: 'an undeclared key keeps null (unknown field)', value: { spce: null }, want: { spce: null }, unset: [] },
  ])('$name', ({ value, want, unset }) => {
    const object = structuredClone(value) as Record<string, unknown>;
    expect(unsetEmptyValuesBy(object, 'thing.json', load)).toEqual(unset);
    expect(object).toEqual(want);
  });
});
