import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/plan/actions.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import { plan } from '../../src/plan/plan.js';
import type { PodPlan } from '../../src/plan/pod-plan.js';
import type { ObservedContainer, ObservedPod } from '../../src/plan/observed.js';
import type { SettledResult, StepEntry } from '../../src/plan/settle.js';
import { resultEvents, settle } from '../../src/plan/settle.js';
import type { ContainerStatusPatch, StoreChange } from '../../src/plan/store-changes.js';
import { deployment, observedFrom, observedState, sequence, TEST_HASH_KEY } from '../support/builders.js';

const D = 'Deployment/default/web';

/** A real pod plan: what the planner creates for one replica of `web`. */
function podPlan(): PodPlan {
  const p = plan(buildDesiredState([deployment('web', { replicas: 1 })], { hashKey: TEST_HASH_KEY }), observedState([]), { now: 0, random: sequence(), prune: false });
  const create = p.actions.find((a) => a.type === 'create-pod');
  if (create?.type !== 'create-pod') throw new Error('the planner created no pod');
  return create.pod;
}

const pod = podPlan();
const POD = `Pod/${pod.namespace}/${pod.name}`;
const podKey = `${pod.namespace}/${pod.name}`;
const ref = { namespace: pod.namespace, pod: pod.name, container: 'app', containerId: 'c-1' };

const ACTIONS = {
  createNetwork: { type: 'create-network', key: 'Namespace//default', namespace: 'default' },
  deleteNetwork: { type: 'delete-network', key: 'Namespace//default', namespace: 'default', id: 'n-1' },
  createVolume: { type: 'create-volume', key: 'PersistentVolumeClaim/default/data', namespace: 'default', claim: 'data' },
  deleteVolume: { type: 'delete-volume', key: 'PersistentVolumeClaim/default/data', namespace: 'default', claim: 'data', volumeName: 'v-1' },
  createPod: { type: 'create-pod', key: D, pod, reason: 'scale up' },
  deletePod: { type: 'delete-pod', key: D, namespace: pod.namespace, name: pod.name, reason: 'scale down' },
  createContainer: { type: 'create-container', key: D, pod, container: 'app', reason: 'container gone' },
  startContainer: { type: 'start-container', key: D, ...ref, reason: 'back-off over' },
  restoreVolumeFiles: { type: 'restore-volume-files', key: D, pod, volumes: ['secret'], reason: 'tmpfs empty' },
  updateVolumeFiles: { type: 'update-volume-files', key: D, pod, volumes: ['podinfo'], reason: 'labels changed' },
  takeRestarts: { type: 'manage-restarts', key: D, ...ref, take: true, reason: 'crash loop' },
  giveRestarts: { type: 'manage-restarts', key: D, ...ref, take: false, reason: 'ran cleanly' },
  deleteDns: { type: 'delete-dns', key: 'Namespace//default', namespace: 'default', containerId: 'd-1', reason: 'no Services' },
  disconnectProxy: { type: 'disconnect-proxy', key: 'Service/default/web', namespace: 'default', name: 'web', containerId: 'p-1', network: 'n-2' },
} satisfies Record<string, Action>;

const ok = (action: Action, extra: Partial<SettledResult> = {}): StepEntry => ({ type: 'result', result: { action, ok: true, ...extra } });
const failed = (action: Action, code = 'DOCKER_ERROR', message = 'boom'): StepEntry => ({ type: 'result', result: { action, ok: false, error: { code, message } } });

function events(changes: readonly StoreChange[]): Array<[string, string, string]> {
  return changes.flatMap((c) => (c.type === 'add-event' ? [[c.event.type, c.event.reason, c.event.objectKey] as [string, string, string]] : []));
}

function run(journal: StepEntry[], pods = [observedFrom(pod)]): StoreChange[] {
  return settle({ sourceRevision: 'r1', events: [], pods, journal });
}

describe('settle: what a step records, per result', () => {
  it.each([
    ['create-network', ok(ACTIONS.createNetwork), [['Normal', 'Created', 'Namespace//default']]],
    ['delete-network', ok(ACTIONS.deleteNetwork), [['Normal', 'Deleted', 'Namespace//default']]],
    ['create-volume', ok(ACTIONS.createVolume), [['Normal', 'Created', 'PersistentVolumeClaim/default/data']]],
    ['delete-volume', ok(ACTIONS.deleteVolume), [['Normal', 'Deleted', 'PersistentVolumeClaim/default/data']]],
    ['create-pod', ok(ACTIONS.createPod), [['Normal', 'SuccessfulCreate', D], ['Normal', 'Started', POD]]],
    ['create-pod, every container refused', ok(ACTIONS.createPod, { started: false }), [['Normal', 'SuccessfulCreate', D]]],
    ['delete-pod', ok(ACTIONS.deletePod), [['Normal', 'SuccessfulDelete', D], ['Normal', 'Killing', POD]]],
    ['create-container', ok(ACTIONS.createContainer), [['Normal', 'Healed', D], ['Normal', 'Created', POD]]],
    ['create-container, a refused stand-in', ok(ACTIONS.createContainer, { started: false }), []],
    ['start-container', ok(ACTIONS.startContainer), [['Normal', 'Healed', D], ['Normal', 'Started', POD]]],
    ['restore-volume-files', ok(ACTIONS.restoreVolumeFiles), [['Normal', 'Healed', D]]],
    ['update-volume-files', ok(ACTIONS.updateVolumeFiles), [['Normal', 'Updated', D]]],
    // The kubelet's Warning BackOff on the pod only; nothing of berth's internals on the owner.
    ['manage-restarts', ok(ACTIONS.takeRestarts), [['Warning', 'BackOff', POD]]],
    ['manage-restarts, given back', ok(ACTIONS.giveRestarts), []],
    ['manage-restarts of a bare pod', ok({ ...ACTIONS.takeRestarts, key: POD }), [['Warning', 'BackOff', POD]]],
    ['a service action', ok(ACTIONS.deleteDns), [['Normal', 'Deleted', 'Namespace//default']]],
    ['a proxy network change', ok(ACTIONS.disconnectProxy), [['Normal', 'NetworkChanged', 'Service/default/web']]],
    ['failed create-pod', failed(ACTIONS.createPod), [['Warning', 'FailedCreate', D]]],
    ['failed create-pod, a mount', failed(ACTIONS.createPod, 'VOLUME_ERROR'), [['Warning', 'FailedCreate', D], ['Warning', 'FailedMount', POD]]],
    ['failed create-container, a mount', failed(ACTIONS.createContainer, 'VOLUME_ERROR'), [['Warning', 'FailedCreate', D], ['Warning', 'FailedMount', POD]]],
    ['failed restore-volume-files', failed(ACTIONS.restoreVolumeFiles), [['Warning', 'FailedCreate', D], ['Warning', 'FailedMount', POD]]],
    ['failed update-volume-files', failed(ACTIONS.updateVolumeFiles), [['Warning', 'FailedUpdate', D], ['Warning', 'FailedMount', POD]]],
    ['failed delete-pod', failed(ACTIONS.deletePod), [['Warning', 'FailedDelete', D]]],
    ['failed delete-network', failed(ACTIONS.deleteNetwork), [['Warning', 'FailedDelete', 'Namespace//default']]],
    ['failed start-container', failed(ACTIONS.startContainer), [['Warning', 'FailedCreate', D]]],
  ])('%s', (_name, entry, want) => {
    expect(events(run([entry]))).toEqual(want);
  });

  it('says what the action was and why it failed', () => {
    const [change] = run([failed(ACTIONS.deletePod, 'DOCKER_ERROR', 'no such container')]);
    expect(change).toEqual({
      type: 'add-event',
      event: { type: 'Warning', reason: 'FailedDelete', objectKey: D, message: `delete pod ${podKey} (scale down): no such container`, sourceRevision: 'r1' },
    });
  });

  it("records the plan's events first, then warnings and results in the order they happened", () => {
    const changes = settle({
      sourceRevision: 'r1',
      events: [{ key: D, type: 'Normal', reason: 'ScalingReplicaSet', message: 'scaled up' }],
      pods: [],
      journal: [{ type: 'warning', key: POD, reason: 'Failed', message: 'Error: refused' }, ok(ACTIONS.createPod, { started: false }), ok(ACTIONS.createNetwork)],
    });
    expect(events(changes)).toEqual([
      ['Normal', 'ScalingReplicaSet', D],
      ['Warning', 'Failed', POD],
      ['Normal', 'SuccessfulCreate', D],
      ['Normal', 'Created', 'Namespace//default'],
    ]);
  });
});

describe('settle: pod status bookkeeping', () => {
  // What a step records beyond the result's own events (settle lists those first).
  const bookkeeping = (entry: StepEntry, pods: ObservedPod[]) => {
    const own = entry.type === 'result' ? resultEvents(entry.result).length : 1;
    return run([entry], pods).slice(own);
  };
  const exited = (exitCode: number, container: Partial<ObservedContainer> = {}) => observedFrom(pod, { containerState: 'exited', exitCode, container });
  const managed = (exitCode: number, container: Partial<ObservedContainer> = {}) => exited(exitCode, { restartsManaged: true, ...container });
  const podEvent = (type: 'Normal' | 'Warning', reason: string, message: string): StoreChange => ({ type: 'add-event', event: { type, reason, objectKey: POD, message, sourceRevision: 'r1' } });
  const update = (add: { restartCount?: number; backoffRestarts?: number } | undefined, set: ContainerStatusPatch | undefined): StoreChange => ({
    type: 'update-container-status',
    podKey,
    container: 'app',
    ...(add ? { add } : {}),
    ...(set ? { set } : {}),
  });
  const ended = (reason: string, exitCode?: number, at?: number): ContainerStatusPatch => ({ lastTerminationReason: reason, lastTerminatedAt: at, lastExitCode: exitCode });
  const started = podEvent('Normal', 'Started', 'Started container app again: back-off over');
  const asPod = <A extends Action>(a: A): A => ({ ...a, key: POD });

  it.each<[string, StepEntry, ObservedPod[], StoreChange[]]>([
    [
      'taking restarts over starts the back-off over; the pod warns BackOff',
      ok(ACTIONS.takeRestarts),
      [observedFrom(pod)],
      [update(undefined, { restartsManaged: true, backoffRestarts: 0 }), podEvent('Warning', 'BackOff', `Back-off restarting failed container app in pod ${pod.name}: crash loop`)],
    ],
    ['giving restarts back starts the back-off over', ok(ACTIONS.giveRestarts), [managed(1)], [update(undefined, { restartsManaged: false, backoffRestarts: 0 })]],
    ['a restart of a managed container counts, one back-off step, with how it ended', ok(ACTIONS.startContainer), [managed(1)], [update({ restartCount: 1, backoffRestarts: 1 }, ended('Error', 1, 1000)), started]],
    ['a clean exit ended as Completed', ok(ACTIONS.startContainer), [managed(0)], [update({ restartCount: 1, backoffRestarts: 1 }, ended('Completed', 0, 1000)), started]],
    // The regression: Docker's 4 restarts were lost when berth's start reset its count.
    [
      "Docker's own restarts, which the start resets, are kept with this one; OOMKilled is kept",
      ok(ACTIONS.startContainer),
      [managed(137, { dockerRestarts: 4, oomKilled: true })],
      [update({ restartCount: 5, backoffRestarts: 1 }, ended('OOMKilled', 137, 1000)), started],
    ],
    ['a start of a container berth does not manage is a restart too, no back-off step', ok(ACTIONS.startContainer), [exited(3)], [update({ restartCount: 1 }, ended('Error', 3, 1000)), started]],
    ['a container that never ran starts for the first time: nothing to count', ok(ACTIONS.startContainer), [observedFrom(pod, { containerState: 'created' })], []],
    [
      'a re-created container is one more restart, its end unknown, with an event on the pod',
      ok(ACTIONS.createContainer),
      [observedFrom(pod, { withoutContainer: true })],
      [update({ restartCount: 1 }, ended('ContainerStatusUnknown')), podEvent('Normal', 'Created', 'Created container app again: container gone')],
    ],
    ['a re-created container refused as CreateContainerConfigError never ran', ok(ACTIONS.createContainer, { started: false }), [observedFrom(pod, { withoutContainer: true })], []],
    ['a bare pod’s start: the action’s event is already the pod’s', ok(asPod(ACTIONS.startContainer)), [exited(1)], [update({ restartCount: 1 }, ended('Error', 1, 1000))]],
    ['a bare pod’s re-created container: no second event', ok(asPod(ACTIONS.createContainer)), [], [update({ restartCount: 1 }, ended('ContainerStatusUnknown'))]],
    ['a bare pod’s take-over: no second event', ok(asPod(ACTIONS.takeRestarts)), [observedFrom(pod)], [update(undefined, { restartsManaged: true, backoffRestarts: 0 })]],
    ['a failed start counts nothing', failed(ACTIONS.startContainer), [managed(1)], []],
    ['a deleted pod’s status is forgotten', ok(ACTIONS.deletePod), [observedFrom(pod)], [{ type: 'delete-pod-status', podKeys: [podKey] }]],
    // The pod is still there and no longer Terminating (plan/terminating.ts): its record stays, the mark goes.
    ['a failed deletion keeps it, no longer terminating', failed(ACTIONS.deletePod), [observedFrom(pod)], [{ type: 'set-pod-terminating', podKey }]],
    ['a failed take-over changes nothing', failed(ACTIONS.takeRestarts), [observedFrom(pod)], []],
    ['a created pod has no record yet', ok(ACTIONS.createPod), [], []],
  ])('%s', (_name, entry, pods, want) => {
    expect(bookkeeping(entry, pods)).toEqual(want);
  });

  it.each<[string, number, number]>([
    ['the first failed retry waits 10 s', 0, 10_000],
    ['the third waits 40 s', 2, 40_000],
  ])('a container Docker could not run (RunContainerError): one more attempt, back-off from the end of the step: %s', (_name, steps, wait) => {
    const NOW = 5_000_000;
    const created = observedFrom(pod, { containerState: 'created', exitCode: 127, container: { error: 'exec: no such file', backoffRestarts: steps } });
    const changes = settle({ sourceRevision: 'r1', events: [], pods: [created], journal: [ok(ACTIONS.startContainer, { started: false })], now: NOW });
    expect(changes.filter((c) => c.type === 'update-container-status')).toEqual([
      update({ restartCount: 1, backoffRestarts: 1 }, { lastTerminationReason: 'StartError', lastTerminatedAt: NOW, lastExitCode: 127, backoffUntil: NOW + wait }),
    ]);
    // No `Started` on the pod: it did not start.
    expect(events(changes)).not.toContainEqual(['Normal', 'Started', POD]);
  });

  it('a stale exit code or time of an earlier run is cleared, not kept (the fields are set, to undefined)', () => {
    const [change] = bookkeeping(ok(ACTIONS.createContainer), []);
    expect(change?.type === 'update-container-status' && change.set ? Object.keys(change.set).sort() : []).toEqual(['lastExitCode', 'lastTerminatedAt', 'lastTerminationReason']);
  });
});
