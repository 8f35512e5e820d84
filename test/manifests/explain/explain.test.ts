import { describe, expect, it } from 'vitest';
import { DAEMON_PLACEMENT_NOTE } from '../../../src/manifests/checks/placement.js';
import type { ExplainedField } from '../../../src/manifests/explain/explain.js';
import { explain, splitResource } from '../../../src/manifests/explain/explain.js';
import type { LoadSchema } from '../../../src/manifests/explain/fields.js';
import { loadSchema } from '../../../src/manifests/schema-compile.js';
import { KINDS } from '../../../src/model/kinds.js';

function ok(input: string, options: { recursive?: boolean; apiVersion?: string } = {}, load: LoadSchema = loadSchema) {
  const r = explain(load, input, options);
  if (!r.ok) throw new Error(`explain ${input}: ${r.reason}`);
  return r.explanation;
}

describe('splitResource: a kind by any name get takes, then the field path', () => {
  it.each([
    { input: 'deployment', kind: 'Deployment', path: [] },
    { input: 'deploy.spec.strategy', kind: 'Deployment', path: ['spec', 'strategy'] },
    { input: 'deployments.apps.spec', kind: 'Deployment', path: ['spec'] },
    { input: 'Pod.spec.containers', kind: 'Pod', path: ['spec', 'containers'] },
    { input: 'po', kind: 'Pod', path: [] },
    { input: 'svc.spec.ports', kind: 'Service', path: ['spec', 'ports'] },
    { input: 'ing.spec', kind: 'Ingress', path: ['spec'] },
    { input: 'cronjobs.batch.spec.jobTemplate', kind: 'CronJob', path: ['spec', 'jobTemplate'] },
  ])('$input', ({ input, kind, path }) => {
    const split = splitResource(input);
    expect(split?.info.kind).toBe(kind);
    expect(split?.path).toEqual(path);
  });

  it.each(['widget', 'widget.spec', 'networkpolicy'])('%s names no kind', (input) => {
    expect(splitResource(input)).toBeUndefined();
  });
});

describe('explain: the field asked for, from the schemas', () => {
  it.each([
    { input: 'deployment.spec.strategy', type: 'DeploymentStrategy', required: false, word: 'runs' },
    { input: 'deployment.spec.selector', type: 'LabelSelector', required: true, word: 'runs' },
    { input: 'deployment.spec.strategy.rollingUpdate.maxSurge', type: 'IntOrString', required: false, word: 'runs' },
    { input: 'pod.spec.containers', type: '[]Container', required: true, word: 'runs' },
    { input: 'pod.spec.containers.livenessProbe', type: 'Probe', required: false, word: 'runs' },
    { input: 'pod.spec.containers.livenessProbe.httpGet.port', type: 'IntOrString', required: true, word: 'runs' },
    { input: 'pod.spec.containers.livenessProbe.periodSeconds', type: 'integer', required: false, word: 'runs' },
    { input: 'pod.spec.containers.command', type: '[]string', required: false, word: 'runs' },
    { input: 'pod.spec.containers.resources.limits', type: 'map[string]Quantity', required: false, word: 'runs' },
    { input: 'pod.metadata.labels', type: 'map[string]string', required: false, word: 'runs' },
    { input: 'pod.spec.hostNetwork', type: 'boolean', required: false, word: 'runs' },
    { input: 'svc.spec.ports', type: '[]ServicePort', required: false, word: 'runs' },
    { input: 'svc.spec.type', type: 'string', required: false, word: 'runs' },
    // A definition local to the kind's own file (ingress.json#/$defs/...).
    { input: 'ingress.spec.defaultBackend.service.port', type: 'ServiceBackendPort', required: false, word: 'runs' },
    // Across files: clusterrolebinding.json → rolebinding.json#/$defs/RoleRef.
    { input: 'clusterrolebinding.roleRef', type: 'RoleRef', required: true, word: 'runs' },
    // A borrowed shape (persistentvolumeclaim.json#/properties/spec) has no type name of its own.
    { input: 'sts.spec.volumeClaimTemplates.spec', type: 'Object', required: true, word: 'runs' },
    { input: 'pod.spec.affinity', type: 'any', required: false, word: 'warns' },
    { input: 'svc.spec.clusterIPs', type: 'any', required: false, word: 'warns' },
    { input: 'pod.spec.volumes.nfs', type: 'any', required: false, word: 'refuses' },
    { input: 'pod.spec.initContainers.restartPolicy', type: 'any', required: false, word: 'refuses' },
    { input: 'deploy.metadata.uid', type: 'any', required: false, word: 'drops' },
    { input: 'deploy.status', type: 'any', required: false, word: 'drops' },
  ])('$input: <$type>, $word', ({ input, type, required, word }) => {
    const field = ok(input).field!;
    expect({ type: field.type, required: field.required, word: field.verdict.word }).toEqual({ type, required, word });
  });

  it.each([
    { input: 'pod.spec.affinity', verdict: { word: 'warns', reason: 'berth runs every pod on this one Docker host' } },
    { input: 'pod.spec.volumes.nfs', verdict: { word: 'refuses', reason: 'mount the share on the host and use a hostPath volume' } },
    { input: 'pod.metadata.ownerReferences', verdict: { word: 'warns' } },
    // The validator's other rules, from the code that applies them.
    { input: 'ds.spec.template.spec.nodeSelector', verdict: { word: 'runs', reason: DAEMON_PLACEMENT_NOTE } },
    { input: 'ds.spec.template.spec.tolerations', verdict: { word: 'runs', reason: DAEMON_PLACEMENT_NOTE } },
    { input: 'deploy.spec.template.spec.nodeSelector', verdict: { word: 'warns', reason: 'berth runs every pod on this one Docker host' } },
    { input: 'pod.spec.containers.terminationMessagePath', verdict: { word: 'warns', reason: 'read container output with berth logs', quietAt: '"/dev/termination-log"' } },
    { input: 'svc.spec.internalTrafficPolicy', verdict: { word: 'warns', quietAt: '"Cluster"' } },
  ])('$input: why', ({ input, verdict }) => {
    expect(ok(input).field!.verdict).toEqual(verdict);
  });

  it.each([
    { input: 'deployment.spec.replicas', description: ['How many pods to run. Defaults to 1; berth scale changes it.'] },
    // The field's description, then its type's, as kubectl joins them.
    { input: 'pod.spec.containers.livenessProbe.grpc', description: ['Succeeds when a gRPC health check answers SERVING.', 'Kubernetes takes only a port number for gRPC probes (int32, no port names).'] },
  ])('$input: description', ({ input, description }) => {
    expect(ok(input).field!.description).toEqual(description);
  });

  it('a kind: its description and its top-level fields, sorted by name as kubectl lists them', () => {
    const e = ok('deployment');
    expect(e.field).toBeUndefined();
    expect(e.description[0]).toMatch(/^A Deployment keeps/);
    expect(e.fields.map((f) => f.name)).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  });

  it('an enum lists its values', () => {
    expect(ok('deployment.spec.strategy').fields.find((f) => f.name === 'type')!.enum).toEqual(['RollingUpdate', 'Recreate']);
  });

  it.each([
    { input: 'deployment.spec.nope', result: { ok: false, reason: 'no-field', field: 'nope' } },
    { input: 'deployment.spec.replicas.x', result: { ok: false, reason: 'no-field', field: 'x' } },
    { input: 'pod.spec.affinity.nodeAffinity', result: { ok: false, reason: 'no-field', field: 'nodeAffinity' } },
    { input: 'widget.spec', result: { ok: false, reason: 'no-kind', resource: 'widget' } },
  ])('$input: $result.reason', ({ input, result }) => {
    expect(explain(loadSchema, input)).toEqual(result);
  });

  it.each([
    { apiVersion: 'apps/v1', convertedFrom: undefined },
    { apiVersion: 'extensions/v1beta1', convertedFrom: 'extensions/v1beta1' },
  ])('--api-version $apiVersion', ({ apiVersion, convertedFrom }) => {
    expect(ok('deploy', { apiVersion }).convertedFrom).toBe(convertedFrom);
  });

  it('--api-version berth does not read', () => {
    expect(explain(loadSchema, 'deploy', { apiVersion: 'apps/v2' })).toMatchObject({ ok: false, reason: 'no-version', apiVersion: 'apps/v2' });
  });
});

function flatten(fields: readonly ExplainedField[], prefix: string): Array<{ path: string; type: string; word: string }> {
  return fields.flatMap((f) => [{ path: `${prefix}.${f.name}`, type: f.type, word: f.verdict.word }, ...flatten(f.children ?? [], `${prefix}.${f.name}`)]);
}

describe('explain --recursive', () => {
  it.each(KINDS.map((k) => k.singular))('%s: every field of the tree explains alone, with the same type and verdict', (kind) => {
    const tree = flatten(ok(kind, { recursive: true }).fields, kind);
    expect(tree.length).toBeGreaterThan(3);
    for (const { path, type, word } of tree) {
      const field = ok(path).field!;
      expect({ path, type: field.type, word: field.verdict.word }).toEqual({ path, type, word });
    }
  });

  it('every x-berth marker of the pod schema shows as a verdict (affinity warns, nfs refuses, uid drops)', () => {
    const tree = flatten(ok('pod', { recursive: true }).fields, 'pod');
    const word = (path: string) => tree.find((t) => t.path === path)?.word;
    expect([word('pod.spec.affinity'), word('pod.spec.volumes.nfs'), word('pod.metadata.uid'), word('pod.spec.containers.image')]).toEqual(['warns', 'refuses', 'drops', 'runs']);
  });

  it('a recursive type is expanded once, not forever', () => {
    const files: Record<string, unknown> = {
      'node.json': {
        type: 'object',
        properties: { root: { $ref: '#/$defs/Node' } },
        $defs: { Node: { type: 'object', properties: { value: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } } } },
      },
    };
    const load: LoadSchema = (name) => files[name];
    // Borrow a kind's identity; the schema comes from `load`.
    const r = explain((name) => (name === 'pod.json' ? files['node.json'] : load(name)), 'pod', { recursive: true });
    if (!r.ok) throw new Error(r.reason);
    const tree = flatten(r.explanation.fields, 'x').map((t) => `${t.path} <${t.type}>`);
    expect(tree).toEqual(['x.root <Node>', 'x.root.children <[]Node>', 'x.root.value <string>']);
  });
});
