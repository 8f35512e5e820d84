import type { DesiredState, Workload } from '../../../src/plan/desired.js';
import { buildDesiredState } from '../../../src/plan/desired.js';
import type { DeploymentStatus } from '../../../src/plan/controllers/deployment.js';
import type { DeploymentRolloutState, RolloutState } from '../../../src/plan/rollouts/state.js';
import { EMPTY_DEPLOYMENT_STATE } from '../../../src/plan/rollouts/state.js';
import type { RolloutOutcome, RolloutRecord } from '../../../src/model/state.js';
import type { AnyObject } from '../../../src/model/types.js';
import { deployment, TEST_HASH_KEY } from '../../support/builders.js';

/** Builders for the rollout planner's tables: desired states, stored records, statuses. */
export const APP = 'shop';
export const KEY = 'Deployment/default/web';
/** The source revision the tables' passes run under. */
export const SRC = 'rev-b';

export type DeploymentWorkload = Extract<Workload, { kind: 'Deployment' }>;

export interface DesiredOptions {
  caps?: string[];
  paused?: boolean;
  changeCause?: string;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
}

/** web, 2 replicas of `image`; `caps` adds capabilities (a template the default policy refuses). */
export function desiredOf(image: string, o: DesiredOptions = {}): DesiredState {
  const r = deployment('web', { replicas: 2, image, ...(o.paused ? { paused: true } : {}) });
  const obj = r.object as AnyObject & { spec: { revisionHistoryLimit: number; progressDeadlineSeconds: number; template: { spec: { containers: Array<Record<string, unknown>> } } } };
  if (o.caps) obj.spec.template.spec.containers[0]!.securityContext = { capabilities: { add: o.caps } };
  if (o.changeCause) obj.metadata.annotations = { 'kubernetes.io/change-cause': o.changeCause };
  if (o.revisionHistoryLimit !== undefined) obj.spec.revisionHistoryLimit = o.revisionHistoryLimit;
  if (o.progressDeadlineSeconds !== undefined) obj.spec.progressDeadlineSeconds = o.progressDeadlineSeconds;
  return buildDesiredState([r], { hashKey: TEST_HASH_KEY });
}

export function web(desired: DesiredState): DeploymentWorkload {
  const w = desired.workloads.find((x) => x.key === KEY);
  if (w?.kind !== 'Deployment') throw new Error('no web Deployment');
  return w;
}

export const hashOf = (image: string, o: DesiredOptions = {}): string => web(desiredOf(image, o)).template.hash;
export const imageOf = (desired: DesiredState): string | undefined => web(desired).podTemplate.spec.containers[0]?.image;

/** A stored revision of web running `image`. */
export function record(revision: number, image: string, outcome: RolloutOutcome, extra: Partial<RolloutRecord> & { caps?: string[] } = {}): RolloutRecord {
  const { caps, ...rest } = extra;
  const w = web(desiredOf(image, caps ? { caps } : {}));
  return { app: APP, deployment: KEY, revision, templateHash: w.template.hash, template: w.podTemplate, sourceRevision: 'rev-a', startedAt: 0, outcome, revisionHistory: [], ...rest };
}

export function stateOf(st: Partial<DeploymentRolloutState>): RolloutState {
  return new Map([[KEY, { ...EMPTY_DEPLOYMENT_STATE, ...st }]]);
}

/** A Deployment status: `updated` new pods (`available` of them available), `old` old ones. */
export function status(updated: number, available: number, old: number, complete = false): DeploymentStatus {
  return { replicas: updated + old, updatedReplicas: updated, readyReplicas: available + old, availableReplicas: available + old, updatedAvailableReplicas: available, oldReplicas: old, complete };
}
