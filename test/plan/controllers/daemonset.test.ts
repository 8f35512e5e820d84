import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/plan/actions.js';
import { buildDesiredState } from '../../../src/plan/desired.js';
import type { Workload } from '../../../src/plan/desired.js';
import type { ObservedPod } from '../../../src/plan/observed.js';
import { plan } from '../../../src/plan/plan.js';
import { rolloutProgress } from '../../../src/plan/rollouts/progress.js';
import { hostNode } from '../../../src/model/node-scheduling.js';
import type { PodShape } from '../../support/builders.js';
import { observedFrom, observedState, res, sequence, TEST_HASH_KEY } from '../../support/builders.js';

const KEY = 'DaemonSet/default/agent';
type DaemonSetWorkload = Extract<Workload, { kind: 'DaemonSet' }>;
const NODE = hostNode({ name: 'box', arch: 'amd64' }, { labels: { role: 'edge' } });

function daemonSet(image: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}) {
  return res({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image }], ...podSpec } },
      ...spec,
    },
  });
}
const desiredOf = (image: string, spec?: Record<string, unknown>, podSpec?: Record<string, unknown>) => buildDesiredState([daemonSet(image, spec, podSpec)], { hashKey: TEST_HASH_KEY });
const workload = (image: string, spec?: Record<string, unknown>, podSpec?: Record<string, unknown>) => desiredOf(image, spec, podSpec).workloads.find((w) => w.key === KEY) as DaemonSetWorkload;
const pod = (w: DaemonSetWorkload, name: string, shape: PodShape = {}): ObservedPod => observedFrom(w.template.build(name), shape);

const SURGE = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } };
const PERCENT_SURGE = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '10%', maxUnavailable: 0 } } };
const ON_DELETE = { updateStrategy: { type: 'OnDelete' } };

function summary(actions: readonly Action[]): string[] {
  return actions.map((a) => (a.type === 'create-pod' ? `create ${a.pod.name.replace(/-[a-z0-9]{5}$/, '-*')}` : a.type === 'delete-pod' ? `delete ${a.name}` : a.type));
}

function step(image: string, spec: Record<string, unknown> | undefined, running: (old: DaemonSetWorkload, cur: DaemonSetWorkload) => ObservedPod[], podSpec?: Record<string, unknown>) {
  const old = workload('img:1', spec, podSpec);
  const cur = workload(image, spec, podSpec);
  return plan(desiredOf(image, spec, podSpec), observedState(running(old, cur)), { now: 1_000_000, random: sequence(), prune: false, node: NODE });
}

describe('DaemonSet controller on one node', () => {
  it.each([
    { name: 'no pod: one is created, named <ds>-<5 chars>', image: 'img:1', spec: undefined, running: () => [], want: ['create agent-*'] },
    { name: 'its pod runs the template: nothing to do', image: 'img:1', spec: undefined, running: (o: DaemonSetWorkload) => [pod(o, 'agent-aaaaa')], want: [] },
    { name: 'default strategy (maxSurge 0, maxUnavailable 1): the old pod stops first', image: 'img:2', spec: undefined, running: (o: DaemonSetWorkload) => [pod(o, 'agent-aaaaa')], want: ['delete agent-aaaaa'] },
    { name: 'maxSurge 1: the new pod starts while the old one runs', image: 'img:2', spec: SURGE, running: (o: DaemonSetWorkload) => [pod(o, 'agent-aaaaa')], want: ['create agent-*'] },
    { name: 'maxSurge 10% rounds up to 1 on one node', image: 'img:2', spec: PERCENT_SURGE, running: (o: DaemonSetWorkload) => [pod(o, 'agent-aaaaa')], want: ['create agent-*'] },
    {
      name: 'maxSurge 1: the old pod stays until the new one is available',
      image: 'img:2',
      spec: SURGE,
      running: (o: DaemonSetWorkload, c: DaemonSetWorkload) => [pod(o, 'agent-aaaaa'), pod(c, 'agent-bbbbb', { ready: false })],
      want: [],
    },
    {
      name: 'maxSurge 1: once the new pod is available the old one stops',
      image: 'img:2',
      spec: SURGE,
      running: (o: DaemonSetWorkload, c: DaemonSetWorkload) => [pod(o, 'agent-aaaaa'), pod(c, 'agent-bbbbb')],
      want: ['delete agent-aaaaa'],
    },
    {
      name: 'minReadySeconds: ready is not yet available',
      image: 'img:2',
      spec: { ...SURGE, minReadySeconds: 30 },
      running: (o: DaemonSetWorkload, c: DaemonSetWorkload) => [pod(o, 'agent-aaaaa'), pod(c, 'agent-bbbbb', { readySince: 1_000_000 - 5_000 })],
      want: [],
    },
    { name: 'OnDelete: the old pod keeps running', image: 'img:2', spec: ON_DELETE, running: (o: DaemonSetWorkload) => [pod(o, 'agent-aaaaa')], want: [] },
    { name: 'OnDelete: once deleted, a pod of the new template comes', image: 'img:2', spec: ON_DELETE, running: () => [], want: ['create agent-*'] },
    {
      name: 'two pods of the template: the extra one goes',
      image: 'img:1',
      spec: undefined,
      running: (o: DaemonSetWorkload) => [pod(o, 'agent-aaaaa', { createdAt: 1 }), pod(o, 'agent-bbbbb', { createdAt: 2 })],
      want: ['delete agent-bbbbb'],
    },
    { name: 'a dead pod is replaced', image: 'img:1', spec: undefined, running: (o: DaemonSetWorkload) => [pod(o, 'agent-aaaaa', { withoutSandbox: true })], want: ['delete agent-aaaaa', 'create agent-*'] },
  ])('$name', ({ image, spec, running, want }) => {
    expect(summary(step(image, spec, running).actions)).toEqual(want);
  });

  it('a nodeSelector the host does not match runs no pod and deletes one that runs', () => {
    const noMatch = { nodeSelector: { role: 'db' } };
    const none = step('img:1', undefined, () => [], noMatch);
    expect(none.actions).toEqual([]);
    expect(none.workloads[0]?.daemonSet).toMatchObject({ desiredNumberScheduled: 0, currentNumberScheduled: 0, complete: true });
    expect(none.workloads[0]?.daemonSet?.unschedulable.join()).toMatch(/nodeSelector role=db does not match the node's label role=edge/);
    const running = step('img:1', undefined, (o) => [pod(o, 'agent-aaaaa')], noMatch);
    expect(summary(running.actions)).toEqual(['delete agent-aaaaa']);
    expect(running.workloads[0]?.daemonSet).toMatchObject({ desiredNumberScheduled: 0, numberMisscheduled: 1, complete: false });
  });

  it('a nodeSelector the host matches (an operator label) runs the pod', () => {
    expect(summary(step('img:1', undefined, () => [], { nodeSelector: { role: 'edge', 'kubernetes.io/os': 'linux' } }).actions)).toEqual(['create agent-*']);
  });

  it('labels its pod with controller-revision-hash and owns it directly', () => {
    const w = workload('img:1');
    const p = w.template.build('agent-abcde');
    expect(p.labels['controller-revision-hash']).toBe(w.template.hash);
    expect(p.owner).toBe(KEY);
    expect(p.controller).toBe(KEY);
  });

  it('status counts nodes, as kubectl get ds shows them', () => {
    const p = step('img:2', SURGE, (o, c) => [pod(o, 'agent-aaaaa'), pod(c, 'agent-bbbbb', { ready: false })]);
    expect(p.workloads[0]?.daemonSet).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1, complete: false });
    expect(p.waits.some((w) => w.key === KEY && w.blocking)).toBe(true);
  });
});

describe('DaemonSet revisions', () => {
  it('a new template begins a numbered rollout; completion is recorded; no progress deadline fails it', () => {
    const desired = desiredOf('img:2');
    const w = desired.workloads[0] as DaemonSetWorkload;
    const waiting = plan(desired, observedState([]), { now: 1, random: sequence(), prune: false, node: NODE });
    const first = rolloutProgress(waiting.workloads, desired, new Map(), { sourceRevision: 'rev', now: 1, divergences: [] });
    expect(first.changes.map((c) => c.type)).toEqual(['begin-rollout', 'add-event', 'note-progress']);
    // Hours later with no progress: still only waiting (Kubernetes has no DaemonSet deadline).
    const rec = { app: 'a', deployment: KEY, revision: 1, templateHash: w.template.hash, template: w.podTemplate, sourceRevision: 'rev', startedAt: 1, outcome: 'progressing' as const, revisionHistory: [], progressSignature: '0/0/0' };
    const state = new Map([[KEY, { rollouts: [rec], paused: false, failedTemplates: new Set<string>() }]]);
    const later = rolloutProgress(waiting.workloads, desired, state, { sourceRevision: 'rev', now: 10 * 3600_000, divergences: [] });
    expect(later.changes).toEqual([]);
    expect(later.failed).toEqual([]);
    const done = plan(desired, observedState([pod(w, 'agent-aaaaa')]), { now: 2, random: sequence(), prune: false, node: NODE });
    const complete = rolloutProgress(done.workloads, desired, state, { sourceRevision: 'rev', now: 2, divergences: [] });
    expect(complete.changes.map((c) => c.type)).toEqual(['note-progress', 'finish-rollout', 'add-event', 'prune-rollouts']);
  });
});
