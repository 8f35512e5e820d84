import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/plan/actions.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { ObservedPod } from '../../src/plan/observed.js';
import { plan } from '../../src/plan/plan.js';
import { OVERDUE_MARGIN_MS } from '../../src/plan/terminating.js';
import type { Resource } from '../../src/model/types.js';
import { deployment, observedFrom, observedState, res, sequence, TEST_HASH_KEY } from '../support/builders.js';

const NOW = 1_000_000;

function desired(resources: Resource[]) {
  return buildDesiredState(resources, { hashKey: TEST_HASH_KEY });
}

function podsOf(r: Resource, names: string[], shape: Parameters<typeof observedFrom>[1] = {}): ObservedPod[] {
  const w = desired([r]).workloads[0]!;
  const prefix = w.kind === 'Deployment' ? `${w.name}-${w.template.hash}` : w.name;
  return names.map((n) => observedFrom(w.template.build(w.kind === 'Deployment' ? `${prefix}-${n}` : n), shape));
}

const terminating = (p: ObservedPod, deadline = NOW + 25_000): ObservedPod => ({ ...p, terminating: { since: NOW - 5_000, deadline } });

function summary(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => {
    if (a.type === 'create-pod') return [`create ${a.pod.name.replace(/-[a-z0-9]{5}$/, '-*')}`];
    if (a.type === 'delete-pod') return [`delete ${a.name}${a.finish ? ' (finish)' : ''}`];
    return [];
  });
}

function statefulSet(name: string, spec: { replicas?: number; image?: string; podManagementPolicy?: string } = {}): Resource {
  return res({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: spec.replicas ?? 3,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      ...(spec.podManagementPolicy ? { podManagementPolicy: spec.podManagementPolicy } : {}),
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'db', image: spec.image ?? 'db:1' }] } },
    },
  });
}

function hostPortDeployment(image: string, replicas = 1): Resource {
  const d = deployment('edge', { replicas, image });
  const spec = (d.object as unknown as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } }).spec.template.spec;
  spec.containers[0]!.ports = [{ containerPort: 80, hostPort: 8088 }];
  return d;
}

describe('plan: pods whose termination began (podReplacementPolicy TerminationStarted)', () => {
  const v1 = deployment('web', { replicas: 3, image: 'web:1' });
  const v2 = deployment('web', { replicas: 3, image: 'web:2' });
  const v2Hash = desired([v2]).workloads[0]!.template.hash;
  const recreate = (image: string) => deployment('web', { replicas: 2, image, strategy: { type: 'Recreate' } });
  const db1 = statefulSet('db');
  const db2 = statefulSet('db', { image: 'db:2' });

  it.each<{ name: string; resources: Resource[]; pods: ObservedPod[]; want: string[]; waits?: string[]; now?: number }>([
    {
      name: 'a rolling update goes on while an old pod terminates: it counts as gone (surge and unavailable)',
      resources: [v2],
      // 2 old running, 1 old terminating, 1 new ready: 3 live pods, maxSurge 1 allows one more
      // new pod (counted, the terminating one would have used the surge up and held the wave).
      pods: [...podsOf(v1, ['a', 'b']), terminating(podsOf(v1, ['c'])[0]!), ...podsOf(v2, ['n1'])],
      want: [`create web-${v2Hash}-*`],
    },
    {
      name: 'a scale-up does not make a pod for one that is terminating (it is not counted)',
      resources: [v1],
      pods: [...podsOf(v1, ['a', 'b']), terminating(podsOf(v1, ['c'])[0]!)],
      want: [`create web-${desired([v1]).workloads[0]!.template.hash}-*`],
    },
    {
      name: 'a terminating pod is not deleted again by its controller',
      resources: [deployment('web', { replicas: 2, image: 'web:1' })],
      pods: [...podsOf(v1, ['a', 'b']), terminating(podsOf(v1, ['c'])[0]!)],
      want: [],
    },
    {
      name: 'Recreate waits for every old pod to be gone, terminating ones included',
      resources: [recreate('web:2')],
      pods: podsOf(recreate('web:1'), ['a', 'b']).map((p) => terminating(p)),
      want: [],
      waits: ['terminating: Recreate: waiting for 2 old pods to terminate'],
    },
    {
      name: 'a StatefulSet makes an ordinal again only once its old pod is gone',
      resources: [db2],
      pods: [...podsOf(db1, ['db-0', 'db-1']), terminating(podsOf(db1, ['db-2'])[0]!)],
      want: [],
      waits: ['terminating: waiting for pod db-2 to terminate before making it again'],
    },
    {
      name: 'an OrderedReady StatefulSet stops one pod at a time: the next waits for the one terminating',
      resources: [statefulSet('db', { replicas: 1 })],
      pods: [...podsOf(db1, ['db-0', 'db-1']), terminating(podsOf(db1, ['db-2'])[0]!)],
      want: [],
      waits: ['terminating: waiting for pod db-2 to terminate before the next one stops'],
    },
    {
      name: 'a Parallel StatefulSet stops the next at once',
      resources: [statefulSet('db', { replicas: 1, podManagementPolicy: 'Parallel' })],
      pods: [...podsOf(statefulSet('db', { podManagementPolicy: 'Parallel' }), ['db-0', 'db-1']), terminating(podsOf(statefulSet('db', { podManagementPolicy: 'Parallel' }), ['db-2'])[0]!)],
      want: ['delete db-1'],
    },
    {
      name: 'a new pod whose hostPort a terminating pod still holds waits',
      resources: [hostPortDeployment('edge:2')],
      pods: podsOf(hostPortDeployment('edge:1'), ['a']).map((p) => terminating({ ...p, containers: p.containers.map((c) => ({ ...c, ports: [{ containerPort: 80, hostPort: 8088 }] })) })),
      want: [],
      waits: ['terminating: waiting for pod edge-' + desired([hostPortDeployment('edge:1')]).workloads[0]!.template.hash + '-a to terminate: it holds a hostPort the new pod needs'],
    },
    {
      name: 'a pod past its grace period (and the margin) is killed and removed by whoever plans',
      resources: [v1],
      pods: [...podsOf(v1, ['a', 'b', 'c']), terminating(podsOf(v1, ['old'])[0]!, NOW - OVERDUE_MARGIN_MS)],
      want: [`delete web-${desired([v1]).workloads[0]!.template.hash}-old (finish)`],
    },
    {
      name: 'one within its grace period is left to the process that runs its termination',
      resources: [v1],
      pods: [...podsOf(v1, ['a', 'b', 'c']), terminating(podsOf(v1, ['old'])[0]!, NOW + 1)],
      want: [],
    },
  ])('$name', ({ resources, pods, want, waits }) => {
    const p = plan(desired(resources), observedState(pods), { now: NOW, random: sequence(), prune: false });
    expect(summary(p.actions)).toEqual(want);
    if (waits) expect(p.waits.filter((w) => w.kind === 'terminating').map((w) => `${w.kind}: ${w.message}`)).toEqual(waits);
  });

  it('a rollout is complete while old pods still terminate', () => {
    const pods = [...podsOf(v2, ['n1', 'n2', 'n3']), ...podsOf(v1, ['a', 'b', 'c']).map((p) => terminating(p))];
    const p = plan(desired([v2]), observedState(pods), { now: NOW, random: sequence(), prune: false });
    expect(p.workloads[0]?.deployment).toMatchObject({ replicas: 3, oldReplicas: 0, complete: true });
    expect(p.actions).toEqual([]);
    expect(p.waits.filter((w) => w.blocking)).toEqual([]);
  });
});

describe('plan: what terminating pods still use', () => {
  const web = deployment('web', { replicas: 1, image: 'web:1' });
  it.each<{ name: string; pods: ObservedPod[]; want: string[] }>([
    { name: 'a pruned namespace keeps its network while its pods terminate', pods: podsOf(web, ['a']).map((p) => terminating(p)), want: [] },
    { name: '... and while this step begins terminating them', pods: podsOf(web, ['a']), want: ['delete-pod'] },
    { name: 'and removes it once they are gone', pods: [], want: ['delete-network'] },
  ])('$name', ({ pods, want }) => {
    const p = plan(desired([]), observedState(pods, { inventory: [] }), { now: NOW, random: sequence(), prune: true });
    expect(p.actions.map((a) => a.type).filter((t) => t === 'delete-pod' || t === 'delete-network')).toEqual(want);
    if (pods.length > 0) expect(p.waits.map((w) => w.message)).toContain('waiting for the pods of namespace default to terminate');
  });
});
