import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import { silentLogger } from '../../src/runtime/log.js';
import type { ProbedPods } from '../../src/runtime/observe.js';
import { createReadiness } from '../../src/runtime/readiness.js';
import type { PodStatusInput } from '../../src/runtime/store/index.js';
import { storeHarness } from './store/harness.js';

/**
 * What a prober records for a pod it has an opinion on: written when it differs from the record
 * of this pod, left alone when it says the same (its time is the Ready condition's last
 * transition, and every CLI process starts a prober of its own).
 */
const h = storeHarness();
const APP = 'unit';

function noDocker(): DockerClient {
  return { api: {} as unknown as Dockerode, calls: {} as DockerClient['calls'], apiVersion: () => Promise.resolve('1.41') };
}

/** One running pod without probes, created at `createdAt`: the prober's opinion is ready at once. */
function host(createdAt: number): ProbedPods {
  const pod = { key: 'default/web', createdAt, sandbox: { ip: '10.1.0.5', state: 'running' }, containers: [{ name: 'app', id: 'c1', state: 'running', startedAt: createdAt }] };
  return { pods: [pod], probes: new Map() } as unknown as ProbedPods;
}

const same: PodStatusInput = { ready: true, containers: { app: { started: true, ready: true, restartCount: 0 } } };

describe('the prober writes a pod status only when it changes', () => {
  it.each([
    { name: 'no record yet: written', record: undefined, createdAt: 1_000, rewritten: true },
    { name: 'the same record of this pod: left alone', record: { ...same, updatedAt: 5_000 }, createdAt: 1_000, rewritten: false },
    { name: 'the same words, but recorded before this pod was created (an earlier pod of its name): written', record: { ...same, updatedAt: 500 }, createdAt: 1_000, rewritten: true },
    { name: 'recorded not ready: written', record: { ready: false, containers: { app: { started: true, ready: false, restartCount: 0 } }, updatedAt: 5_000 }, createdAt: 1_000, rewritten: true },
    { name: 'a restart count kept from the record: left alone', record: { ready: true, containers: { app: { ready: true, restartCount: 3, started: true } }, updatedAt: 5_000 }, createdAt: 1_000, rewritten: false },
  ])('$name', async ({ record, createdAt, rewritten }) => {
    const { store, clock } = h.open();
    await clock.advance(10_000);
    if (record) store.setPodStatus(APP, 'default/web', record);
    const readiness = createReadiness({ docker: noDocker(), clock, store, app: APP, log: silentLogger() });
    readiness.track(host(createdAt));
    await clock.advance(0);
    await readiness.stop();
    const after = store.getPodStatus(APP, 'default/web');
    expect(after?.ready).toBe(true);
    expect(after?.updatedAt).toBe(rewritten ? clock.now() : record?.updatedAt);
    if (record) expect(after?.containers['app']?.restartCount).toBe(record.containers['app']?.restartCount);
  });
});
