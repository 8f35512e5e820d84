import { describe, expect, it } from 'vitest';
import type { BudgetPod } from '../../src/plan/disruption.js';
import { DisruptionBudgets, disruptionStatus } from '../../src/plan/disruption.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { Workload } from '../../src/plan/desired.js';
import type { ObservedPod } from '../../src/plan/observed.js';
import { plan } from '../../src/plan/plan.js';
import type { IntOrString, LabelSelector, PodDisruptionBudget, Resource } from '../../src/model/types.js';
import { deployment, observedFrom, observedState, res, sequence, TEST_HASH_KEY } from '../support/builders.js';

function pdb(spec: { minAvailable?: IntOrString; maxUnavailable?: IntOrString; selector?: LabelSelector }, name = 'budget', namespace = 'default'): PodDisruptionBudget {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace }, spec };
}

/** `n` pods of controller `Deployment/default/<app>` labelled app=<app>, the first `ready` of them ready. */
function pods(app: string, n: number, ready = n, controller = `Deployment/default/${app}`): BudgetPod[] {
  return Array.from({ length: n }, (_, i) => ({ namespace: 'default', name: `${app}-${i}`, labels: { app }, ready: i < ready, controller }));
}

const web = { matchLabels: { app: 'web' } };
const scale = (replicas: Record<string, number>) => (controller: string) => replicas[controller];

describe('disruptionStatus: as the disruption controller computes it', () => {
  it.each([
    { name: 'integer minAvailable counts the selected pods', spec: { minAvailable: 2, selector: web }, pods: pods('web', 3), want: { expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 } },
    { name: 'unready pods are not healthy', spec: { minAvailable: 2, selector: web }, pods: pods('web', 3, 2), want: { expectedPods: 3, currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 } },
    { name: 'never negative', spec: { minAvailable: 5, selector: web }, pods: pods('web', 3), want: { expectedPods: 3, currentHealthy: 3, desiredHealthy: 5, disruptionsAllowed: 0 } },
    { name: 'percentage minAvailable rounds up over the controller scale', spec: { minAvailable: '50%', selector: web }, pods: pods('web', 3), want: { expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 } },
    { name: 'percentage minAvailable uses the scale, not the pods there (a surge pod)', spec: { minAvailable: '100%', selector: web }, pods: pods('web', 4), want: { expectedPods: 3, currentHealthy: 4, desiredHealthy: 3, disruptionsAllowed: 1 } },
    { name: 'integer maxUnavailable', spec: { maxUnavailable: 1, selector: web }, pods: pods('web', 3), want: { expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 } },
    { name: 'percentage maxUnavailable rounds up', spec: { maxUnavailable: '34%', selector: web }, pods: pods('web', 3), want: { expectedPods: 3, currentHealthy: 3, desiredHealthy: 1, disruptionsAllowed: 2 } },
    { name: 'maxUnavailable 0 allows nothing', spec: { maxUnavailable: 0, selector: web }, pods: pods('web', 3), want: { expectedPods: 3, currentHealthy: 3, desiredHealthy: 3, disruptionsAllowed: 0 } },
    { name: 'minAvailable 0 allows every healthy pod', spec: { minAvailable: 0, selector: web }, pods: pods('web', 3), want: { expectedPods: 3, currentHealthy: 3, desiredHealthy: 0, disruptionsAllowed: 3 } },
    { name: 'no selector selects nothing', spec: { minAvailable: 1 }, pods: pods('web', 3), want: { expectedPods: 0, currentHealthy: 0, desiredHealthy: 1, disruptionsAllowed: 0 } },
    { name: 'an empty selector selects every pod of the namespace', spec: { minAvailable: 1, selector: {} }, pods: [...pods('web', 2), ...pods('db', 1)], want: { expectedPods: 3, currentHealthy: 3, desiredHealthy: 1, disruptionsAllowed: 2 } },
    { name: 'neither field: nothing expected, nothing allowed', spec: { selector: web }, pods: pods('web', 3), want: { expectedPods: 0, currentHealthy: 3, desiredHealthy: 0, disruptionsAllowed: 0 } },
    { name: 'bare pods have no scale (unmanaged) but are healthy', spec: { maxUnavailable: 1, selector: web }, pods: [...pods('web', 2), ...pods('web', 1, 1, 'Pod/default/solo')], want: { expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 } },
    { name: 'several controllers add their scales', spec: { maxUnavailable: '50%', selector: { matchExpressions: [{ key: 'app', operator: 'In' as const, values: ['web', 'db'] }] } }, pods: [...pods('web', 3), ...pods('db', 1)], want: { expectedPods: 4, currentHealthy: 4, desiredHealthy: 2, disruptionsAllowed: 2 } },
  ])('$name', ({ spec, pods: ps, want }) => {
    expect(disruptionStatus(pdb(spec), ps, scale({ 'Deployment/default/web': 3, 'Deployment/default/db': 1 }))).toEqual(want);
  });

  it('selects pods of its own namespace only', () => {
    const other = pods('web', 2).map((p) => ({ ...p, namespace: 'other' }));
    expect(disruptionStatus(pdb({ minAvailable: 1, selector: web }), [...pods('web', 2), ...other], () => undefined).currentHealthy).toBe(2);
  });
});

describe('DisruptionBudgets: one step spends each budget once per ready pod', () => {
  const ready = { namespace: 'default', labels: { app: 'web' }, ready: true };
  it.each([
    { name: 'allows as many as the budget, then names it', budgets: [pdb({ minAvailable: 1, selector: web })], takes: [ready, ready, ready], want: [undefined, undefined, 'budget'] },
    { name: 'an unready pod spends nothing', budgets: [pdb({ minAvailable: 3, selector: web })], takes: [{ ...ready, ready: false }, ready], want: [undefined, 'budget'] },
    { name: 'a pod no budget selects is free', budgets: [pdb({ minAvailable: 3, selector: web })], takes: [{ ...ready, labels: { app: 'db' } }], want: [undefined] },
    { name: 'every budget selecting the pod must allow it', budgets: [pdb({ minAvailable: 0, selector: web }, 'loose'), pdb({ maxUnavailable: 0, selector: {} }, 'strict')], takes: [ready], want: ['strict'] },
  ])('$name', ({ budgets, takes, want }) => {
    const b = new DisruptionBudgets(budgets, pods('web', 3), scale({ 'Deployment/default/web': 3 }));
    expect(takes.map((p) => b.disrupt(p).blockedBy)).toEqual(want);
  });
});

// ---------------------------------------------------------------- the Deployment controller

const NOW = 1_000_000;

function workload(resources: Resource[], key: string): Workload {
  return buildDesiredState(resources, { hashKey: TEST_HASH_KEY }).workloads.find((w) => w.key === key)!;
}

function podsOf(resources: Resource[], key: string, n: number, shape: Parameters<typeof observedFrom>[1] = {}): ObservedPod[] {
  const w = workload(resources, key);
  const prefix = `${w.name}-${w.template.hash}`;
  return Array.from({ length: n }, (_, i) => observedFrom(w.template.build(`${prefix}-${shape.ready === false ? 'u' : 'p'}${i}`), shape));
}

function step(resources: Resource[], observed: ObservedPod[]) {
  return plan(buildDesiredState(resources, { hashKey: TEST_HASH_KEY }), observedState(observed), { now: NOW, random: sequence(), prune: false });
}

const budget = (spec: Record<string, unknown>) => res({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-pdb', namespace: 'default' }, spec: { selector: web, ...spec } });
const deletes = (p: ReturnType<typeof step>) => p.actions.filter((a) => a.type === 'delete-pod').length;
const creates = (p: ReturnType<typeof step>) => p.actions.filter((a) => a.type === 'create-pod').length;
const pdbWait = (p: ReturnType<typeof step>) => p.waits.find((w) => w.message.startsWith('PodDisruptionBudget web-pdb'));

describe('a rollout honours PodDisruptionBudgets', () => {
  const rolling = (maxSurge: IntOrString, maxUnavailable: IntOrString) => ({ type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } });
  const v1 = (strategy: unknown) => deployment('web', { replicas: 3, image: 'img:1', strategy });
  const v2 = (strategy: unknown) => deployment('web', { replicas: 3, image: 'img:2', strategy });

  it.each([
    // maxUnavailable 2 would take two old pods down at once; minAvailable 2 of 3 allows one.
    { name: 'the budget is stricter than maxUnavailable', strategy: rolling(0, 2), pdb: { minAvailable: 2 }, fresh: 0, freshReady: true, wantDeletes: 1, stuck: false, wait: true },
    { name: 'maxUnavailable is stricter than the budget', strategy: rolling(0, 1), pdb: { minAvailable: 1 }, fresh: 0, freshReady: true, wantDeletes: 1, stuck: false, wait: false },
    // Surge pods not ready yet: nothing more may go; their readiness will free the budget.
    { name: 'surge pods coming up: waits, not stuck', strategy: rolling(1, 1), pdb: { minAvailable: 3 }, fresh: 1, freshReady: false, wantDeletes: 0, stuck: false, wait: true },
    // maxUnavailable 1 and the surge pod would let two go; the budget (4 healthy, 3 desired) one.
    { name: 'a ready surge pod frees one disruption', strategy: rolling(1, 1), pdb: { minAvailable: 3 }, fresh: 1, freshReady: true, wantDeletes: 1, stuck: false, wait: true },
    { name: 'maxSurge 0 with minAvailable = replicas can never progress: stuck', strategy: rolling(0, 1), pdb: { minAvailable: 3 }, fresh: 0, freshReady: true, wantDeletes: 0, stuck: true, wait: true },
    { name: 'maxUnavailable 0% budget blocks as minAvailable 100% does', strategy: rolling(0, 1), pdb: { maxUnavailable: '0%' }, fresh: 0, freshReady: true, wantDeletes: 0, stuck: true, wait: true },
    { name: 'Recreate takes down only what the budget allows, and says it is stuck', strategy: { type: 'Recreate' }, pdb: { minAvailable: 2 }, fresh: 0, freshReady: true, wantDeletes: 1, stuck: true, wait: true },
  ])('$name', ({ strategy, pdb: spec, fresh, freshReady, wantDeletes, stuck, wait }) => {
    const old = podsOf([v1(strategy)], 'Deployment/default/web', 3);
    const next = podsOf([v2(strategy)], 'Deployment/default/web', fresh, { ready: freshReady });
    const p = step([v2(strategy), budget(spec)], [...old, ...next]);
    expect(deletes(p)).toBe(wantDeletes);
    expect(pdbWait(p) !== undefined).toBe(wait);
    expect(pdbWait(p)?.stuck ?? false).toBe(stuck);
  });

  it('never takes the selected ready pods below minAvailable, from start to finish of a rollout', () => {
    const strategy = rolling(1, 2);
    const resources = [v2(strategy), budget({ minAvailable: 3 })];
    const w = workload(resources, 'Deployment/default/web');
    let observed = podsOf([v1(strategy)], 'Deployment/default/web', 3);
    let made = 0;
    let held = 0;
    for (let i = 0; i < 20; i++) {
      const p = step(resources, observed);
      if (pdbWait(p)) held++;
      const gone = new Set(p.actions.flatMap((a) => (a.type === 'delete-pod' ? [a.name] : [])));
      observed = observed.filter((o) => !gone.has(o.name));
      expect(observed.filter((o) => o.ready).length).toBeGreaterThanOrEqual(3);
      // New pods start unready and become ready on the next step, as the prober would report them.
      observed = observed.map((o) => ({ ...o, ready: true }));
      for (const a of p.actions) if (a.type === 'create-pod') observed.push(observedFrom(a.pod, { ready: false, createdAt: ++made }));
      if (p.actions.length === 0 && !p.waits.some((x) => x.blocking)) break;
    }
    expect(observed.map((o) => o.specHash)).toEqual(Array(3).fill(w.template.hash));
    // Without the budget maxUnavailable 2 would have let two old pods go at once.
    expect(held).toBeGreaterThan(0);
  });

  it('is not applied to scaling down, nor to broken pods', () => {
    const three = deployment('web', { replicas: 3 });
    const one = deployment('web', { replicas: 1 });
    const running = podsOf([three], 'Deployment/default/web', 3);
    expect(deletes(step([one, budget({ minAvailable: 3 })], running))).toBe(2);
    const broken = podsOf([three], 'Deployment/default/web', 1, { withoutSandbox: true });
    expect(deletes(step([three, budget({ maxUnavailable: 0 })], [...running.slice(0, 2), ...broken]))).toBe(1);
  });

  it('two Deployments a budget selects spend it together in one step', () => {
    const shared = { matchLabels: { tier: 'front' } };
    const mk = (name: string, image: string) => {
      const d = deployment(name, { replicas: 2, image, strategy: rolling(0, 1) });
      const t = (d.object as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template;
      t.metadata.labels.tier = 'front';
      return d;
    };
    const before = [mk('a', 'img:1'), mk('b', 'img:1')];
    const after = [mk('a', 'img:2'), mk('b', 'img:2')];
    const old = [...podsOf(before, 'Deployment/default/a', 2), ...podsOf(before, 'Deployment/default/b', 2)];
    const p = step([...after, res({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'front', namespace: 'default' }, spec: { minAvailable: 3, selector: shared } })], old);
    expect(deletes(p)).toBe(1);
    expect(creates(p)).toBe(0);
  });
});

describe('a ReplicaSet replacing pods of a changed template honours PodDisruptionBudgets', () => {
  const rs = (image: string) =>
    res({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3, selector: web, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } } } });
  const oldPods = () => {
    const w = workload([rs('img:1')], 'ReplicaSet/default/web');
    return [0, 1, 2].map((i) => observedFrom(w.template.build(`web-old${i}`)));
  };
  it.each([
    { name: 'without a budget: every pod at once', budgets: [] as Resource[], wantDeletes: 3, wantCreates: 3, stuck: undefined },
    { name: 'minAvailable 2: one at a time, the kept ones still count', budgets: [budget({ minAvailable: 2 })], wantDeletes: 1, wantCreates: 1, stuck: false },
    { name: 'minAvailable 3: nothing can go, nothing comes: stuck', budgets: [budget({ minAvailable: 3 })], wantDeletes: 0, wantCreates: 0, stuck: true },
  ])('$name', ({ budgets, wantDeletes, wantCreates, stuck }) => {
    const p = step([rs('img:2'), ...budgets], oldPods());
    expect(deletes(p)).toBe(wantDeletes);
    expect(creates(p)).toBe(wantCreates);
    expect(pdbWait(p)?.stuck ?? (pdbWait(p) ? false : undefined)).toBe(stuck);
  });
});

// Issue 14: "PodDisruptionBudget (honoured by voluntary disruptions berth makes: rollouts and drains)".
describe('a StatefulSet rollout honours PodDisruptionBudgets', () => {
  const sts = (image: string, maxUnavailable: number) =>
    res({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        serviceName: 'web',
        replicas: 3,
        selector: web,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
      },
    });
  it.each([
    { name: 'without a budget: maxUnavailable 2 takes two', maxUnavailable: 2, budgets: [] as Resource[], wantDeletes: 2, stuck: undefined },
    { name: 'minAvailable 2 is stricter than maxUnavailable 2: one', maxUnavailable: 2, budgets: [budget({ minAvailable: 2 })], wantDeletes: 1, stuck: false },
    { name: 'minAvailable 3: nothing can go: stuck', maxUnavailable: 1, budgets: [budget({ minAvailable: 3 })], wantDeletes: 0, stuck: true },
  ])('$name', ({ maxUnavailable, budgets, wantDeletes, stuck }) => {
    const w = workload([sts('img:1', maxUnavailable)], 'StatefulSet/default/web');
    const old = [0, 1, 2].map((i) => observedFrom(w.template.build(`web-${i}`)));
    const p = step([sts('img:2', maxUnavailable), ...budgets], old);
    expect(deletes(p)).toBe(wantDeletes);
    expect(pdbWait(p)?.stuck ?? (pdbWait(p) ? false : undefined)).toBe(stuck);
  });
});
