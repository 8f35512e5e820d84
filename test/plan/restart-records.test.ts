import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/plan/actions.js';
import type { ObservedContainer, ObservedPod } from '../../src/plan/observed.js';
import type { PodPlan } from '../../src/plan/pod-plan.js';
import type { RestartRecord } from '../../src/plan/restart-records.js';
import { restartRecord } from '../../src/plan/restart-records.js';

/**
 * Restarts berth performs or causes are counted as the kubelet counts them (issue 13, item 6):
 * Docker's own RestartCount, which `docker start` resets, is kept; a re-created container is
 * one more restart; the pod gets an event saying why.
 */
const KEY = 'Deployment/default/web';
const POD_KEY = 'Pod/default/web-1';

function podWith(c: Partial<ObservedContainer>): ObservedPod {
  const container: ObservedContainer = { id: 'c1', dockerName: 'd', name: 'app', role: 'container', image: 'img', state: 'exited', restartCount: 0, restarting: false, ...c };
  return {
    namespace: 'default', name: 'web-1', key: 'default/web-1', owner: '', controller: KEY, specHash: 'h', labels: {}, restartPolicy: 'Always', createdAt: 0,
    sandbox: { id: 's', dockerName: 's', state: 'running' }, initContainers: [], containers: [container], expectedContainers: ['app'], expectedInitContainers: [], ready: false,
  };
}

const ref = (key: string) => ({ key, namespace: 'default', pod: 'web-1', container: 'app', containerId: 'c1' });
const start = (key = KEY): Action => ({ type: 'start-container', ...ref(key), reason: 'container app stopped (exit code 3)' });
const recreate = (key = KEY): Action => ({ type: 'create-container', key, pod: { namespace: 'default', name: 'web-1' } as PodPlan, container: 'app', reason: 'container app was removed' });
const take = (t: boolean, key = KEY): Action => ({ type: 'manage-restarts', ...ref(key), take: t, reason: 'container app is crash-looping (4 restarts)' });

describe('restartRecord', () => {
  it.each<[string, Action, Partial<ObservedContainer>, boolean | undefined, Partial<RestartRecord> | undefined]>([
    // The regression: Docker's 4 restarts were lost when berth's start reset its count.
    [
      'berth restarts a crash loop it manages: Docker restarts + this one, one back-off step, how it ended',
      start(),
      { restartsManaged: true, dockerRestarts: 4, restartCount: 6, exitCode: 137, oomKilled: true, finishedAt: 1000 },
      undefined,
      { podKey: 'default/web-1', add: 5, backoffStep: true, lastTermination: { reason: 'OOMKilled', at: 1000, exitCode: 137 }, event: { type: 'Normal', reason: 'Started', objectKey: POD_KEY, message: 'Started container app again: container app stopped (exit code 3)' } },
    ],
    ['berth starts a stopped container it does not manage: a restart', start(), { exitCode: 0, finishedAt: 5 }, undefined, { add: 1, backoffStep: false, lastTermination: { reason: 'Completed', at: 5, exitCode: 0 } }],
    ['a container that never ran starts for the first time: nothing to count', start(), { state: 'created' }, undefined, undefined],
    ['a re-created container: one more restart, its end unknown, an event on the pod', recreate(), {}, true, { add: 1, lastTermination: { reason: 'ContainerStatusUnknown' }, event: { type: 'Normal', reason: 'Created', objectKey: POD_KEY, message: 'Created container app again: container app was removed' } }],
    ['a re-created container refused as CreateContainerConfigError never ran', recreate(), {}, false, undefined],
    ['taking a crash loop over: the pod warns BackOff', take(true), {}, undefined, { add: 0, event: { type: 'Warning', reason: 'BackOff', objectKey: POD_KEY, message: 'Back-off restarting failed container app in pod web-1: container app is crash-looping (4 restarts)' } }],
    ['handing restarts back: nothing', take(false), {}, undefined, undefined],
  ])('%s', (_title, action, container, started, expected) => {
    const rec = restartRecord(action, started, [podWith(container)]);
    if (expected === undefined) expect(rec).toBeUndefined();
    else expect(rec).toMatchObject(expected);
  });

  it.each([
    ['start', start(POD_KEY)],
    ['re-create', recreate(POD_KEY)],
    ['take over', take(true, POD_KEY)],
  ])('%s of a bare pod: the action event is already the pod\'s, no second one', (_title, action) => {
    const rec = restartRecord(action, true, [podWith({ exitCode: 1 })]);
    expect(rec).toBeDefined();
    expect(rec!.event).toBeUndefined();
  });
});
