import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/plan/actions.js';
import type { ProxyConfig } from '../../src/dataplane/protocol-types.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import { plan } from '../../src/plan/plan.js';
import type { PodPlan } from '../../src/plan/pod-plan.js';
import type { StepEntry } from '../../src/plan/settle.js';
import { settle } from '../../src/plan/settle.js';
import type { StoreChange } from '../../src/plan/store-changes.js';
import { deployment, observedState, sequence, TEST_HASH_KEY } from '../support/builders.js';

/**
 * One occurrence is one event. `describe svc` printed every endpoints update twice (the proxy
 * and the host fast path of a NodePort Service each recorded it), and a bare Pod's create and
 * delete read twice (the controller's SuccessfulCreate beside the pod's own Started).
 */
const pod: PodPlan = (() => {
  const p = plan(buildDesiredState([deployment('web', { replicas: 1 })], { hashKey: TEST_HASH_KEY }), observedState([]), { now: 0, random: sequence(), prune: false });
  const create = p.actions.find((a) => a.type === 'create-pod');
  if (create?.type !== 'create-pod') throw new Error('the planner created no pod');
  return create.pod;
})();
const POD = `Pod/${pod.namespace}/${pod.name}`;
const SVC = 'Service/default/web';
const config = (ready: number, notReady = 0): ProxyConfig => ({
  service: { namespace: 'default', name: 'web' },
  ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080 }],
  endpoints: [...Array.from({ length: ready }, (_, i) => ({ name: `web-${i}`, ip: `10.0.0.${i + 1}`, ready: true })), ...Array.from({ length: notReady }, (_, i) => ({ name: `old-${i}`, ip: `10.0.1.${i + 1}`, ready: false }))],
  sessionAffinity: { type: 'None' },
});
const write = (host: boolean, c = config(2), reason = 'web-1 ready'): Action => ({ type: 'write-endpoints', key: SVC, namespace: 'default', name: 'web', containerId: host ? 'h-1' : 'p-1', config: c, after: 1, ...(host ? { host: true } : {}), reason });
const ok = (action: Action): StepEntry => ({ type: 'result', result: { action, ok: true, started: true } });

function events(changes: readonly StoreChange[]): string[] {
  return changes.flatMap((c) => (c.type === 'add-event' ? [`${c.event.type} ${c.event.reason} ${c.event.objectKey}: ${c.event.message}`] : []));
}

describe('settle records each occurrence once', () => {
  it.each<{ name: string; journal: StepEntry[]; want: string[] }>([
    {
      name: 'a NodePort Service: proxy and host fast path take the same endpoints: one EndpointsUpdated',
      journal: [ok(write(false)), ok(write(true))],
      want: [`Normal EndpointsUpdated ${SVC}: update endpoints of service default/web: 2 ready`],
    },
    {
      name: 'the host fast path alone (its proxy was current): still one event, worded as the Service update',
      journal: [ok(write(true, config(3, 1), 'old-0 out'))],
      want: [`Normal EndpointsUpdated ${SVC}: update endpoints of service default/web: 3 ready`],
    },
    {
      name: 'no ready endpoint',
      journal: [ok(write(false, config(0, 2), 'web-0 out, web-1 out'))],
      want: [`Normal EndpointsUpdated ${SVC}: update endpoints of service default/web: none ready`],
    },
    {
      name: 'two different states in one step stay two',
      journal: [ok(write(false, config(2))), ok(write(true, config(3)))],
      want: [`Normal EndpointsUpdated ${SVC}: update endpoints of service default/web: 2 ready`, `Normal EndpointsUpdated ${SVC}: update endpoints of service default/web: 3 ready`],
    },
    {
      name: 'a failed write is a warning with the error, as before',
      journal: [{ type: 'result', result: { action: write(false), ok: false, error: { code: 'DOCKER_ERROR', message: 'proxy gone' } } }],
      want: [`Warning FailedCreate ${SVC}: update endpoints of service default/web (web-1 ready): proxy gone`],
    },
    {
      name: 'a bare Pod created: its Started, no SuccessfulCreate about itself',
      journal: [ok({ type: 'create-pod', key: POD, pod, reason: 'pod does not exist' })],
      want: [`Normal Started ${POD}: create pod ${pod.namespace}/${pod.name} (pod does not exist)`],
    },
    {
      name: 'a bare Pod deleted: its Killing, no SuccessfulDelete about itself',
      journal: [ok({ type: 'delete-pod', key: POD, namespace: pod.namespace, name: pod.name, reason: 'pod spec changed' })],
      want: [`Normal Killing ${POD}: delete pod ${pod.namespace}/${pod.name} (pod spec changed)`],
    },
    {
      name: 'a Deployment pod: the controller event on the Deployment, the pod event on the pod',
      journal: [ok({ type: 'create-pod', key: 'Deployment/default/web', pod, reason: 'scaling to 1' })],
      want: [`Normal SuccessfulCreate Deployment/default/web: create pod ${pod.namespace}/${pod.name} (scaling to 1)`, `Normal Started ${POD}: create pod ${pod.namespace}/${pod.name} (scaling to 1)`],
    },
    {
      name: 'the same warning raised twice in one step is one event',
      journal: [
        { type: 'warning', key: POD, reason: 'FailedPreStopHook', message: 'hook failed' },
        { type: 'warning', key: POD, reason: 'FailedPreStopHook', message: 'hook failed' },
      ],
      want: [`Warning FailedPreStopHook ${POD}: hook failed`],
    },
  ])('$name', ({ journal, want }) => {
    expect(events(settle({ sourceRevision: 'r1', events: [], pods: [], journal }))).toEqual(want);
  });
});
