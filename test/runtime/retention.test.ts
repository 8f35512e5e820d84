import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import { silentLogger } from '../../src/runtime/log.js';
import type { ProbedPods } from '../../src/runtime/observe.js';
import { createReadiness } from '../../src/runtime/readiness.js';
import type { Store } from '../../src/runtime/store/index.js';
import { FakeClock } from '../support/fake-clock.js';

/**
 * What long-lived parts of the daemon keep between passes (issue 13 #7: memory grew with the
 * revision and stayed up). The daemon's prober keeps the pods it was last told about until the
 * next pass, which for an idle daemon is until the next revision; it must keep those and not
 * the observation they came in (the previous revision's whole inventory, parsed).
 *
 * Whether an object is still reachable is asked of the garbage collector itself: a WeakRef to
 * it, then a full GC (exposed to this test only).
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collected(ref: WeakRef<object>): Promise<boolean> {
  // A WeakRef keeps its target to the end of the current job: let it end, then collect.
  for (let i = 0; i < 3 && ref.deref() !== undefined; i++) {
    await new Promise((r) => setTimeout(r, 0));
    gc();
  }
  return ref.deref() === undefined;
}

function readiness() {
  const docker = { api: {} as Dockerode, calls: {} as DockerClient['calls'], apiVersion: () => Promise.resolve('1.41') } satisfies DockerClient;
  const store = { getPodStatus: () => undefined, setPodStatus: () => undefined } as unknown as Store;
  return createReadiness({ docker, clock: new FakeClock(0), store, app: 'unit', log: silentLogger() });
}

/** An observation as runtime/observe.ts builds it: pods and probes, plus what the planner needs. */
function observation(): { host: ProbedPods; inventory: WeakRef<object>; statuses: WeakRef<object> } {
  const inventory = Array.from({ length: 1000 }, (_, i) => ({ key: `ConfigMap/default/cm-${i}`, object: { data: { v: 'x'.repeat(100) } } }));
  const podStatuses = new Map([['default/web-1', { ready: true }]]);
  const host = { pods: [], probes: new Map(), inventory, podStatuses } as unknown as ProbedPods;
  return { host, inventory: new WeakRef(inventory), statuses: new WeakRef(podStatuses) };
}

describe('the prober keeps the pods it tracks, not the observation they came in', () => {
  it.each<{ name: string; what: 'inventory' | 'statuses' }>([
    { name: 'the inventory of the previous revision', what: 'inventory' },
    { name: "the observation's pod status records", what: 'statuses' },
  ])('$name is collectable once tracked', async ({ what }) => {
    const r = readiness();
    let o: ReturnType<typeof observation> | undefined = observation();
    const ref = o[what];
    r.track(o.host);
    o = undefined;
    expect(await collected(ref)).toBe(true);
    await r.stop();
  });

  it('still answers from the pods it keeps', async () => {
    const r = readiness();
    const pod = { key: 'default/web-1', sandbox: { ip: '10.1.0.5', state: 'running' }, containers: [{ name: 'app', id: 'c1', state: 'running', startedAt: 1 }] };
    r.track({ pods: [pod], probes: new Map() } as unknown as ProbedPods);
    // No probes: the prober reports the pod from its first look, as a pod it knows.
    expect(r.status('default/web-1')?.podKey).toBe('default/web-1');
    await r.stop();
  });
});
