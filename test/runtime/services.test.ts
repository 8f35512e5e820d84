import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import type { ObservedHost } from '../../src/apply/observe.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { ObservedPod, ObservedState } from '../../src/plan/observed.js';
import { silentLogger } from '../../src/runtime/log.js';
import { createDataplaneState } from '../../src/apply/services/dataplane-state.js';
import { createServices } from '../../src/runtime/services.js';
import { deployment, observedFrom, observedState, TEST_HASH_KEY } from '../support/builders.js';
import { storeHarness } from './store/harness.js';

/**
 * The runtime half of Services under a fake clock, a real store and a Docker that publishes
 * what the test says (control flow only; the data plane itself is proven in test/e2e).
 */
const h = storeHarness();

function fakeDocker(): DockerClient {
  return { api: { listContainers: async () => [] } } as unknown as DockerClient;
}

const web = deployment('web', { replicas: 2 });

function pods(createdAt: number, ready: boolean): ObservedPod[] {
  const w = buildDesiredState([web], { hashKey: TEST_HASH_KEY }).workloads[0]!;
  return [0, 1].map((i) => ({ ...observedFrom(w.template.build(`web-${i}`), { ready, createdAt }) }));
}

/** An observation with a readiness probe (period 1 s, 3 failures) on every container. */
function withProbes(ps: ObservedPod[]): ObservedState & { probes: ObservedHost['probes'] } {
  const probes: ObservedHost['probes'] = new Map();
  for (const p of ps) for (const c of p.containers) probes.set(c.id, { ports: [], readinessProbe: { periodSeconds: 1, failureThreshold: 3, timeoutSeconds: 1, initialDelaySeconds: 0, successThreshold: 1 } as never });
  return { ...observedState(ps.map((p) => ({ ...p }))), probes };
}

describe('services runtime', () => {
  it('holds pods it met running before it started, until a probe could have decided; never new ones', async () => {
    const { store, clock } = h.open();
    const started = clock.now();
    const rt = createServices({ docker: fakeDocker(), store, clock, log: silentLogger(), dataplane: createDataplaneState() }, 't');
    const old = pods(started - 60_000, false);
    let observed = withProbes(old);
    await rt.observe(observed, { probing: true });
    expect(observed.endpointHolds).toEqual(['default/web-0', 'default/web-1']);
    // period 1 s × 3 failures + 1 s timeout: decided after 4 s.
    await clock.advance(3_900);
    observed = withProbes(old);
    await rt.observe(observed, { probing: true });
    expect(observed.endpointHolds).toEqual(['default/web-0', 'default/web-1']);
    await clock.advance(200);
    observed = withProbes(old);
    await rt.observe(observed, { probing: true });
    expect(observed.endpointHolds).toEqual([]);
    // Ready pods and pods created since the start are never held.
    observed = withProbes([...pods(started - 60_000, true), ...pods(clock.now(), false).map((p) => ({ ...p, name: `new-${p.name}`, key: `default/new-${p.name}` }))]);
    await rt.observe(observed, { probing: true });
    expect(observed.endpointHolds).toEqual([]);
  });

  it('without a prober nothing is held (readiness is "containers run")', async () => {
    const { store, clock } = h.open();
    const rt = createServices({ docker: fakeDocker(), store, clock, log: silentLogger(), dataplane: createDataplaneState() }, 't');
    const observed = withProbes(pods(clock.now() - 60_000, false));
    await rt.observe(observed, { probing: false });
    expect(observed.endpointHolds).toBeUndefined();
  });

  // Where a deletion waits for the fast paths' closed flows to the pod's address (flowsGone,
  // one listing of the namespace's proxies beside the drain's): before the stop signal for a
  // single-container pod, whose container holds the address; after the stop for a sandbox pod.
  const shapes: Array<{ name: string; sandbox: ObservedPod['sandbox']; before: number; after: number }> = [
    { name: 'a single pod: before its stop, after the drain', sandbox: { id: 'c', dockerName: 'c', state: 'running', shape: 'single', ip: '172.31.248.5' }, before: 2, after: 0 },
    { name: 'a sandbox pod: after its stop', sandbox: { id: 's', dockerName: 's', state: 'running', ip: '172.31.240.5' }, before: 1, after: 1 },
  ];
  for (const c of shapes) {
    it(`waits for the closed flows of ${c.name}`, async () => {
      const { store, clock } = h.open();
      let phase: 'before' | 'after' = 'before';
      const listings = { before: 0, after: 0 };
      const docker = {
        api: {
          listContainers: async (o: { filters?: { label?: string[] } }) => {
            if (o.filters?.label?.includes('berth.role=proxy')) listings[phase]++;
            return [];
          },
        },
      } as unknown as DockerClient;
      const rt = createServices({ docker, store, clock, log: silentLogger(), dataplane: createDataplaneState() }, 't');
      const pod = { ...pods(clock.now(), true)[0]!, sandbox: c.sandbox };
      const hooks = rt.hooks();
      await hooks.beforeStop!(pod);
      phase = 'after';
      await hooks.afterStop!(pod);
      expect(listings).toEqual({ before: c.before, after: c.after });
    });
  }
});
