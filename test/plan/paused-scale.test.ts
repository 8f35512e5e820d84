import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/plan/actions.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { DesiredState, Workload } from '../../src/plan/desired.js';
import type { ObservedPod } from '../../src/plan/observed.js';
import { plan } from '../../src/plan/plan.js';
import { effectiveDesired } from '../../src/plan/rollouts/effective.js';
import { EMPTY_DEPLOYMENT_STATE } from '../../src/plan/rollouts/state.js';
import type { RolloutRecord } from '../../src/model/state.js';
import { deployment, observedFrom, observedState, sequence, TEST_HASH_KEY } from '../support/builders.js';

/**
 * Kubernetes syncs a paused Deployment without rolling it out: a template change waits for the
 * resume, while a replica change scales the ReplicaSet that runs (the old one). The effective
 * step hands the controller the history's templates; the controller picks the one its pods run.
 */
const KEY = 'Deployment/default/web';
type DeploymentWorkload = Extract<Workload, { kind: 'Deployment' }>;

function desired(image: string, replicas: number, manifestPaused = false): DesiredState {
  return buildDesiredState([deployment('web', { replicas, image, ...(manifestPaused ? { paused: true } : {}) })], { hashKey: TEST_HASH_KEY });
}
const webOf = (d: DesiredState) => d.workloads.find((w) => w.key === KEY) as DeploymentWorkload;
const v1 = webOf(desired('img:1', 2));
const v2 = webOf(desired('img:2', 2));
const rec = (revision: number, w: DeploymentWorkload): RolloutRecord => ({
  app: 'shop',
  deployment: KEY,
  revision,
  templateHash: w.template.hash,
  template: w.podTemplate,
  sourceRevision: 'rev-a',
  startedAt: 0,
  outcome: 'complete',
  revisionHistory: [],
});
const pods = (w: DeploymentWorkload, n: number): ObservedPod[] => Array.from({ length: n }, (_, i) => observedFrom(w.template.build(`web-${w.template.hash}-p${i}`)));

function summary(actions: Action[]): string[] {
  return actions.map((a) => (a.type === 'create-pod' ? `create ${a.pod.name.replace(/-[a-z0-9]{5}$/, '')} (${a.reason})` : a.type === 'delete-pod' ? `delete ${a.name} (${a.reason})` : a.type));
}

describe('a paused Deployment scales the ReplicaSet that runs and rolls nothing', () => {
  const h1 = v1.template.hash;
  const h2 = v2.template.hash;
  it.each([
    { name: 'new template and replicas 3: one more pod of the old template', image: 'img:2', replicas: 3, running: pods(v1, 2), want: [`create web-${h1} (scaling to 3 (paused))`] },
    { name: 'paused in the manifest: the same', image: 'img:2', replicas: 3, running: pods(v1, 2), manifest: true, want: [`create web-${h1} (scaling to 3 (paused))`] },
    { name: 'new template and replicas 1: one old pod goes', image: 'img:2', replicas: 1, running: pods(v1, 2), want: [`delete web-${h1}-p1 (scaling to 1 (paused))`] },
    { name: 'new template, same replicas: nothing', image: 'img:2', replicas: 2, running: pods(v1, 2), want: [] },
    { name: 'same template, replicas 3: scales as usual', image: 'img:1', replicas: 3, running: pods(v1, 2), want: [`create web-${h1} (scaling to 3)`] },
    { name: 'paused mid-rollout (pods of two templates): left as they are', image: 'img:3', replicas: 3, running: [...pods(v1, 1), ...pods(v2, 1)], want: [] },
  ])('$name', ({ image, replicas, running, manifest, want }) => {
    const state = new Map([[KEY, { ...EMPTY_DEPLOYMENT_STATE, rollouts: [rec(1, v1), rec(2, v2)].slice(0, image === 'img:3' ? 2 : 1), paused: !manifest }]]);
    const effective = effectiveDesired(desired(image, replicas, manifest), state, { sourceRevision: 'rev-b' }).desired;
    const step = plan(effective, observedState(running), { now: 1_000_000, random: sequence(), prune: false });
    expect(summary(step.actions)).toEqual(want);
    // Never a pod of a template the pause holds back.
    const held = webOf(desired(image, replicas)).template.hash;
    if (image !== 'img:1') expect(step.actions.some((a) => a.type === 'create-pod' && a.pod.name.includes(held))).toBe(false);
  });
});
