import { describe, expect, it } from 'vitest';
import type { PodStatusRecord } from '../../src/model/state.js';
import type { ObservedContainer, ObservedPod } from '../../src/plan/observed.js';
import { withStoredStatus } from '../../src/plan/stored-status.js';

const container = (over: Partial<ObservedContainer> = {}): ObservedContainer => ({ id: 'c1', dockerName: 'berth_a_default_p_web', name: 'web', role: 'container', image: 'img', state: 'running', restartCount: 0, restarting: false, ...over });
const pod = (c: ObservedContainer) => ({ key: 'default/p', initContainers: [], containers: [c] }) as unknown as ObservedPod;
const record = { podKey: 'default/p', ready: false, containers: { web: { ready: false, started: true, restartCount: 3, restartsManaged: true, backoffRestarts: 2 } } } as unknown as PodStatusRecord;

describe('withStoredStatus: who manages a crash-looping container\'s restarts', () => {
  it.each<[string, Partial<ObservedContainer>, string | undefined, boolean]>([
    ['the store says berth does and Docker\'s policy is still no', { state: 'exited' }, 'no', true],
    ['the policy is not known (not inspected): the store decides', { state: 'exited' }, undefined, true],
    ['handed back to Docker (the pod keeper, or a person): Docker does', { state: 'running' }, 'unless-stopped', false],
    ['handed back, seen on the listing\'s own inspect', { state: 'exited', dockerRestartPolicy: 'on-failure' }, undefined, false],
  ])('%s', (_name, over, inspectedPolicy, managed) => {
    const inspected = new Map(inspectedPolicy === undefined ? [] : [['c1', { dockerRestartPolicy: inspectedPolicy }]]);
    const out = withStoredStatus(pod(container(over)), record, inspected).containers[0]!;
    expect(out.restartsManaged === true).toBe(managed);
    // Berth's own restarts count either way (RESTARTS in get pods).
    expect(out.restartCount).toBe(3);
  });
});
