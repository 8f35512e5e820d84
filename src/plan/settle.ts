import type { Action, PlannedEvent } from './actions.js';
import { CRASH_LOOP_BACKOFF, delay } from '../model/backoff.js';
import { describeAction } from './action-text.js';
import type { ObservedPod } from './observed.js';
import { backOffMessage, restartRecord } from './restart-records.js';
import { endpointsEventText, serviceActionReason } from './service-action-text.js';
import type { ServiceAction } from './service-actions.js';
import type { EdgeAction } from './edge/actions.js';
import { edgeActionReason, isEdgeAction } from './edge/action-text.js';
import type { StoreChange } from './store-changes.js';
import { terminatingCleared } from './terminating.js';

/** What executing one action came to, as settling needs it (apply/execute.ts ActionResult is one). */
export interface SettledResult {
  action: Action;
  ok: boolean;
  error?: { code: string; message: string };
  /** create-pod, create-container: false when every container was refused (none started). */
  started?: boolean;
  /** delete-pod: its termination began and goes on in the background (plan/terminating.ts): the pod is not gone yet. */
  terminating?: boolean;
}

/**
 * What happened while a step executed, in the order it happened: each action's result, and the
 * warnings executing raised on the way (an image pull that fell back, a refused container, a
 * failed preStop hook). Kept in one list so the events read in the order things happened, as
 * `kubectl describe` shows them and as the store aggregates repeats.
 */
export type StepEntry = { type: 'result'; result: SettledResult } | { type: 'warning'; key: string; reason: string; message: string };

export interface SettleStep {
  /** The revision the events are recorded under. */
  sourceRevision: string;
  /** The plan's own events (a rollout scaled, a pod's back-off): recorded first. */
  events: readonly PlannedEvent[];
  /** The pods the step was planned on: a restart of a managed container counts on what they showed. */
  pods: readonly ObservedPod[];
  /** When the step ended (ms): a container Docker could not run is not tried again before its back-off from then. */
  now?: number;
  journal: readonly StepEntry[];
}

/**
 * What the store should remember of one executed step, as data (committed in one transaction
 * by the pass): the plan's events, an event per action's result (the kubelet's and
 * controllers' reasons), the warnings executing raised, and the pod status bookkeeping the
 * results call for (restarts berth took over or gave back, restarts it performed, the status
 * of deleted pods forgotten).
 */
export function settle(step: SettleStep): StoreChange[] {
  const event = (type: 'Normal' | 'Warning', reason: string, objectKey: string, message: string): StoreChange => ({
    type: 'add-event',
    event: { type, reason, objectKey, message, sourceRevision: step.sourceRevision },
  });
  const events: PlannedEvent[] = [...step.events];
  for (const entry of step.journal) {
    if (entry.type === 'warning') events.push({ type: 'Warning', reason: entry.reason, key: entry.key, message: entry.message });
    else events.push(...resultEvents(entry.result));
  }
  // One occurrence, one event: two actions of one step that say the same thing about one object
  // (a Service's proxy and its host fast path taking the same endpoints) are one update, not a
  // repeat the store would count as x2.
  const seen = new Set<string>();
  const out: StoreChange[] = [];
  for (const e of events) {
    const id = JSON.stringify([e.type, e.reason, e.key, e.message]);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(event(e.type, e.reason, e.key, e.message));
  }
  for (const entry of step.journal) if (entry.type === 'result') out.push(...podStatusChanges(entry.result, step.pods, step.sourceRevision, step.now));
  return out;
}

/** The events one action's result records. */
export function resultEvents(r: SettledResult): PlannedEvent[] {
  const a = r.action;
  const text = describeAction(a);
  if (!r.ok) {
    const out: PlannedEvent[] = [{ type: 'Warning', reason: failureReason(a.type), key: a.key, message: `${text}: ${r.error?.message}` }];
    // As the kubelet reports a mount it cannot make yet (a hostPath missing, retried): on the pod.
    // A secret volume left empty is one too (the kubelet's "MountVolume.SetUp failed").
    if ((r.error?.code === 'VOLUME_ERROR' && (a.type === 'create-pod' || a.type === 'create-container')) || a.type === 'restore-volume-files' || a.type === 'update-volume-files')
      out.push({ type: 'Warning', reason: 'FailedMount', key: `Pod/${a.pod.namespace}/${a.pod.name}`, message: r.error?.message ?? text });
    return out;
  }
  // Pacing a crash loop is the kubelet's `Warning BackOff` on the pod (restart-records.ts records
  // it when the pod has an owner; here for a bare Pod); handing restarts back to Docker is
  // bookkeeping the kubelet never reports. Neither is an event of the owner.
  if (a.type === 'manage-restarts') {
    const podKey = `Pod/${a.namespace}/${a.pod}`;
    return a.take && a.key === podKey ? [{ type: 'Warning', reason: 'BackOff', key: podKey, message: backOffMessage(a) }] : [];
  }
  const out: PlannedEvent[] = [];
  // A bare Pod is its own controller: its `Started`/`Killing` say it, a `SuccessfulCreate`/`SuccessfulDelete` beside them would say it twice.
  const ownPod = (a.type === 'create-pod' && a.key === `Pod/${a.pod.namespace}/${a.pod.name}`) || (a.type === 'delete-pod' && a.key === `Pod/${a.namespace}/${a.name}`);
  // The proxy and the host fast path take the same endpoints: one update of the Service, worded
  // by what it now serves, so the updates of a scale or rollout fold into counted rows.
  const message = a.type === 'write-endpoints' ? endpointsEventText(a) : text;
  // A container re-created as a refused stand-in healed nothing; its `Failed` event says why.
  if (!ownPod && !((a.type === 'create-container' || a.type === 'resume-pod') && r.started === false)) out.push({ type: 'Normal', reason: successReason(a.type), key: a.key, message });
  // A pod whose containers were all refused (CreateContainerConfigError) started nothing: its
  // `Failed` events say why, and a `Started` beside them would say the opposite.
  if (a.type === 'create-pod' && r.started !== false) out.push({ type: 'Normal', reason: 'Started', key: `Pod/${a.pod.namespace}/${a.pod.name}`, message: text });
  if (a.type === 'delete-pod') out.push({ type: 'Normal', reason: 'Killing', key: `Pod/${a.namespace}/${a.name}`, message: text });
  return out;
}

/**
 * Pod status bookkeeping for one succeeded action; a failed one changed nothing to remember.
 * Every restart berth performs or causes counts as the kubelet counts it (plan/restart-records.ts):
 * Docker's own restarts that the start resets, a re-created container, with how the run before
 * ended and the pod's own event.
 */
function podStatusChanges(r: SettledResult, pods: readonly ObservedPod[], sourceRevision: string, now?: number): StoreChange[] {
  if (!r.ok) return terminatingCleared([r]);
  const a = r.action;
  const out: StoreChange[] = [];
  // Taken over or given back, the back-off starts over.
  if (a.type === 'manage-restarts') out.push({ type: 'update-container-status', podKey: `${a.namespace}/${a.pod}`, container: a.container, set: { restartsManaged: a.take, backoffRestarts: 0 } });
  if (a.type === 'delete-pod' && !r.terminating) out.push({ type: 'delete-pod-status', podKeys: [`${a.namespace}/${a.name}`] });
  const rec = restartRecord(a, r.started, pods);
  if (!rec) return out;
  const last = rec.lastTermination;
  // Docker could not run it: the next attempt waits out the back-off from now (plan/controllers/common.ts).
  const backoffUntil = a.type === 'start-container' && r.started === false && now !== undefined ? now + delay(CRASH_LOOP_BACKOFF, startFailures(a, pods) + 1) : undefined;
  if (rec.add > 0 || rec.backoffStep || last) {
    out.push({
      type: 'update-container-status',
      podKey: rec.podKey,
      container: rec.container,
      ...(rec.add > 0 || rec.backoffStep ? { add: { ...(rec.add > 0 ? { restartCount: rec.add } : {}), ...(rec.backoffStep ? { backoffRestarts: 1 } : {}) } } : {}),
      // All three at once: a stale exit code or time of an earlier run must not read as this one's.
      ...(last || backoffUntil !== undefined
        ? { set: { ...(last ? { lastTerminationReason: last.reason, lastTerminatedAt: last.at ?? (backoffUntil !== undefined ? now : undefined), lastExitCode: last.exitCode } : {}), ...(backoffUntil !== undefined ? { backoffUntil } : {}) } }
        : {}),
    });
  }
  if (rec.event) out.push({ type: 'add-event', event: { ...rec.event, sourceRevision } });
  return out;
}

function successReason(type: Action['type']): string {
  switch (type) {
    case 'create-pod':
      return 'SuccessfulCreate';
    case 'delete-pod':
      return 'SuccessfulDelete';
    case 'create-container':
    case 'start-container':
    case 'restore-volume-files':
      return 'Healed';
    case 'update-volume-files':
      return 'Updated';
    case 'resume-pod':
      return 'Started';
    case 'create-network':
    case 'create-volume':
      return 'Created';
    case 'delete-network':
    case 'delete-volume':
      return 'Deleted';
    default:
      return isEdgeAction({ type }) ? edgeActionReason(type as EdgeAction['type']) : serviceActionReason(type as ServiceAction['type']);
  }
}

function failureReason(type: Action['type']): string {
  return type.startsWith('delete') ? 'FailedDelete' : type === 'update-volume-files' ? 'FailedUpdate' : 'FailedCreate';
}

/** Back-off steps a container Docker could not run has taken (the store's count, merged into the observation). */
function startFailures(a: Extract<Action, { type: 'start-container' }>, pods: readonly ObservedPod[]): number {
  return pods.find((p) => p.namespace === a.namespace && p.name === a.pod)?.containers.find((c) => c.name === a.container)?.backoffRestarts ?? 0;
}
