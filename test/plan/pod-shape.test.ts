import { describe, expect, it } from 'vitest';
import { validateRevision } from '../../src/manifests/index.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { PodPlan } from '../../src/plan/pod-plan.js';
import { hostExposedBy, podShape } from '../../src/plan/pod-shape.js';
import type { Resource, Service } from '../../src/model/types.js';
import { TEST_HASH_KEY } from '../support/builders.js';

type Spec = Record<string, unknown>;

function resources(docs: object[]): Resource[] {
  const { resources, problems } = validateRevision([{ path: 'app.yaml', content: Buffer.from(docs.map((d) => JSON.stringify(d)).join('\n---\n')) }]);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return resources;
}

const web = { name: 'web', image: 'nginx:1.25' };

/** A bare Pod `p` with `spec` (containers default to one), planned as berth would create it. */
function podPlan(spec: Spec, extra: object[] = []): PodPlan {
  const desired = buildDesiredState(resources([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'p' } }, spec: { containers: [web], ...spec } }, ...extra]), { hashKey: TEST_HASH_KEY });
  const w = desired.workloads.find((x) => x.kind === 'Pod')!;
  return w.template.build(w.name);
}

const ok = { hostExposed: false, podRange: true };

describe('podShape', () => {
  it('makes a pod of one plain container single', () => {
    expect(podShape(podPlan({}), ok)).toEqual({ shape: 'single' });
  });

  it.each<[string, Spec]>([
    ['two containers', { containers: [web, { name: 'side', image: 'busybox' }] }],
    ['an init container', { initContainers: [{ name: 'init', image: 'busybox' }] }],
    ['shareProcessNamespace', { shareProcessNamespace: true }],
    ['restartPolicy Never', { restartPolicy: 'Never' }],
    ['restartPolicy OnFailure', { restartPolicy: 'OnFailure' }],
    ['a configMap volume', { volumes: [{ name: 'c', configMap: { name: 'cm' } }], containers: [{ ...web, volumeMounts: [{ name: 'c', mountPath: '/c' }] }] }],
    ['a secret volume', { volumes: [{ name: 's', secret: { secretName: 'sec' } }], containers: [{ ...web, volumeMounts: [{ name: 's', mountPath: '/s' }] }] }],
    ['a downwardAPI volume', { volumes: [{ name: 'd', downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }], containers: [{ ...web, volumeMounts: [{ name: 'd', mountPath: '/d' }] }] }],
    ['a Memory emptyDir', { volumes: [{ name: 'm', emptyDir: { medium: 'Memory' } }], containers: [{ ...web, volumeMounts: [{ name: 'm', mountPath: '/m' }] }] }],
    ['fieldRef env', { containers: [{ ...web, env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }] }],
  ])('keeps the sandbox for %s', (_, spec) => {
    const extra = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, stringData: { a: 'b' } },
    ];
    const r = podShape(podPlan(spec, extra), ok);
    expect(r.shape).toBe('sandbox');
    expect(r.reason).toBeTruthy();
  });

  // Host namespaces and hostPorts need the host policy's leave (validation refuses them by
  // default): set on the plan as a permitted manifest would produce them.
  it.each<[string, (p: PodPlan) => PodPlan]>([
    ['hostNetwork', (p) => ({ ...p, hostNetwork: true })],
    ['hostPID', (p) => ({ ...p, hostPID: true })],
    ['hostIPC', (p) => ({ ...p, hostIPC: true })],
    ['a hostPort', (p) => ({ ...p, containers: [{ ...p.containers[0]!, ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }] }] })],
  ])('keeps the sandbox for %s', (_, change) => {
    const r = podShape(change(podPlan({})), ok);
    expect(r.shape).toBe('sandbox');
    expect(r.reason).toBeTruthy();
  });

  it('keeps the sandbox for a pod a NodePort or LoadBalancer Service selects, and for a network without a pod range', () => {
    expect(podShape(podPlan({}), { ...ok, hostExposed: true })).toMatchObject({ shape: 'sandbox', reason: 'a NodePort or LoadBalancer Service selects it' });
    expect(podShape(podPlan({}), { ...ok, podRange: false }).shape).toBe('sandbox');
  });

  it('makes a pod with a disk emptyDir single: the one container holds it', () => {
    expect(podShape(podPlan({ volumes: [{ name: 'e', emptyDir: {} }], containers: [{ ...web, volumeMounts: [{ name: 'e', mountPath: '/e' }] }] }), ok)).toEqual({ shape: 'single' });
  });
});

describe('hostExposedBy', () => {
  const svc = (type: string, selector: Record<string, string>, namespace = 'default') =>
    resources([{ apiVersion: 'v1', kind: 'Service', metadata: { name: `s-${type.toLowerCase()}`, namespace }, spec: { type, selector, ports: [{ port: 80 }] } }]) as Resource<Service>[];
  const pod = { namespace: 'default', labels: { app: 'p', tier: 'web' } };

  it.each<[string, Resource<Service>[], boolean]>([
    ['a NodePort Service selecting it', svc('NodePort', { app: 'p' }), true],
    ['a LoadBalancer Service selecting it', svc('LoadBalancer', { tier: 'web' }), true],
    ['a ClusterIP Service selecting it', svc('ClusterIP', { app: 'p' }), false],
    ['a NodePort Service selecting others', svc('NodePort', { app: 'q' }), false],
    ['a NodePort Service of another namespace', svc('NodePort', { app: 'p' }, 'other'), false],
  ])('%s: %s', (_, services, expected) => {
    expect(hostExposedBy(services, pod)).toBe(expected);
  });
});
