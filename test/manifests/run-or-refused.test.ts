import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateRevision } from '../../src/manifests/index.js';

/**
 * SPEC §2 (issue 14): a field is either run or refused with the reason, never both "ignored" (a
 * warning, unimplemented-field) and an error saying it is not implemented. For every field the
 * schemas mark x-berth-unimplemented, set in an otherwise valid object, no error may appear
 * besides the warning: a field whose absence breaks the object must be x-berth-refused instead.
 */

type Json = Record<string, any>;

const load = (name: string): Json => JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8')) as Json;
const defs = load('_defs.json').$defs as Json;

function unimplemented(properties: Json): string[] {
  return Object.entries(properties)
    .filter(([, v]) => typeof v === 'object' && v !== null && 'x-berth-unimplemented' in v)
    .map(([k]) => k);
}

/** A valid Pod, with the field set in the object of the definition under test (`at`). */
function pod(at: (o: Json) => Json, field: string, value: unknown): Json {
  const o: Json = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'nginx:1.25',
          volumeMounts: [{ name: 'v', mountPath: '/v' }],
          livenessProbe: { exec: { command: ['true'] } },
          env: [{ name: 'E', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: true } } }],
          lifecycle: { preStop: { exec: { command: ['true'] } } },
          resources: {},
        },
      ],
      volumes: [{ name: 'v', emptyDir: {} }],
      securityContext: {},
    },
  };
  const host = at(o);
  // A field that is one of several handlers or sources must be the only one: that is when
  // ignoring it leaves the object without any (grpc was "ignored" and "not implemented" so).
  for (const handler of ['exec', 'configMapKeyRef', 'preStop']) delete host[handler];
  host[field] = value;
  return o;
}

const container = (o: Json) => o.spec.containers[0] as Json;

const HOSTS: Array<{ def: string; properties: Json; make: (field: string, value: unknown) => Json }> = [
  { def: 'ObjectMeta', properties: defs.ObjectMeta.properties, make: (f, v) => pod((o) => o.metadata, f, v) },
  { def: 'PodSpec', properties: defs.PodSpec.properties, make: (f, v) => pod((o) => o.spec, f, v) },
  { def: 'Container', properties: defs.Container.properties, make: (f, v) => pod(container, f, v) },
  { def: 'Volume', properties: defs.Volume.properties, make: (f, v) => pod((o) => o.spec.volumes[0], f, v) },
  { def: 'VolumeMount', properties: defs.VolumeMount.properties, make: (f, v) => pod((o) => container(o).volumeMounts[0], f, v) },
  { def: 'Probe', properties: defs.Probe.properties, make: (f, v) => pod((o) => container(o).livenessProbe, f, v) },
  { def: 'EnvVarSource', properties: defs.EnvVarSource.properties, make: (f, v) => pod((o) => container(o).env[0].valueFrom, f, v) },
  { def: 'Lifecycle', properties: defs.Lifecycle.properties, make: (f, v) => pod((o) => container(o).lifecycle, f, v) },
  { def: 'ResourceRequirements', properties: defs.ResourceRequirements.properties, make: (f, v) => pod((o) => container(o).resources, f, v) },
  { def: 'PodSecurityContext', properties: defs.PodSecurityContext.properties, make: (f, v) => pod((o) => o.spec.securityContext, f, v) },
  {
    def: 'Service',
    properties: load('service.json').properties.spec.properties,
    make: (f, v) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }], [f]: v } }),
  },
  {
    def: 'JobSpec',
    properties: defs.JobSpec.properties,
    make: (f, v) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { [f]: v, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } } }),
  },
];

const CASES = HOSTS.flatMap(({ def, properties, make }) =>
  unimplemented(properties)
    .map((field) => ({ field: `${def}.${field}`, make: (v: unknown) => make(field, v) })),
);

describe('a field is run or refused, never both', () => {
  it('covers the fields berth ignores', () => {
    expect(CASES.length).toBeGreaterThan(30);
  });

  it.each(CASES)('$field: ignored with a warning and nothing else', ({ make }) => {
    // The value's shape is the schema's business (x-berth-unimplemented fields accept any).
    // (false, not true: enableServiceLinks: true is its Kubernetes default, which warns of nothing.)
    for (const value of [{ x: 1 }, 'x', false]) {
      const problems = validateRevision([{ path: 'f.json', content: Buffer.from(JSON.stringify(make(value))) }]).problems;
      expect(problems.map((p) => [p.code, p.severity])).toEqual([['unimplemented-field', 'warning']]);
    }
  });
});
