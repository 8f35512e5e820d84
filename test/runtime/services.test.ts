import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import type { ObservedHost } from '../../src/apply/observe.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { ObservedPod, ObservedState } from '../../src/plan/observed.js';
import { silentLogger } from '../../src/runtime/log.js';
import { createDataplaneState } from '../../src/apply/services/dataplane-state.js';
import { createServices } from '../../src/runtime/services.js';
import { deployment, observedFrom, observedState, res, TEST_HASH_KEY } from '../support/builders.js';
import { storeHarness } from './store/harness.js';

/**
 * The runtime half of Services under a fake clock, a real store and a Docker that publishes
 * what the test says (control flow only; the data plane itself is proven in test/e2e).
 */
const h = storeHarness();

function fakeDocker(published: number[] = []): DockerClient {
  const api = { listContainers: async () => [{ Ports: published.map((p) => ({ PublicPort: p, PrivatePort: 80, Type: 'tcp' })) }] };
  return { api } as unknown as DockerClient;
}

const web = deployment('web', { replicas: 2 });
const nodePortSvc = (name: string, nodePort?: number) =>
  res({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, ...(nodePort ? { nodePort } : {}) }] } });

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
    const desired = buildDesiredState([web], { hashKey: TEST_HASH_KEY });
    const old = pods(started - 60_000, false);
    let observed = withProbes(old);
    await rt.observe(observed, desired, { dryRun: false, probing: true });
    expect(observed.endpointHolds).toEqual(['default/web-0', 'default/web-1']);
    // period 1 s × 3 failures + 1 s timeout: decided after 4 s.
    await clock.advance(3_900);
    observed = withProbes(old);
    await rt.observe(observed, desired, { dryRun: false, probing: true });
    expect(observed.endpointHolds).toEqual(['default/web-0', 'default/web-1']);
    await clock.advance(200);
    observed = withProbes(old);
    await rt.observe(observed, desired, { dryRun: false, probing: true });
    expect(observed.endpointHolds).toEqual([]);
    // Ready pods and pods created since the start are never held.
    observed = withProbes([...pods(started - 60_000, true), ...pods(clock.now(), false).map((p) => ({ ...p, name: `new-${p.name}`, key: `default/new-${p.name}` }))]);
    await rt.observe(observed, desired, { dryRun: false, probing: true });
    expect(observed.endpointHolds).toEqual([]);
  });

  it('without a prober nothing is held (readiness is "containers run")', async () => {
    const { store, clock } = h.open();
    const rt = createServices({ docker: fakeDocker(), store, clock, log: silentLogger(), dataplane: createDataplaneState() }, 't');
    const observed = withProbes(pods(clock.now() - 60_000, false));
    await rt.observe(observed, buildDesiredState([web], { hashKey: TEST_HASH_KEY }), { dryRun: false, probing: false });
    expect(observed.endpointHolds).toBeUndefined();
  });

  it('allocates node ports, skipping host ports Docker already publishes, keeps them, and releases those of Services that are gone', async () => {
    const { store, clock } = h.open();
    const rt = createServices({ docker: fakeDocker([30000, 30002]), store, clock, log: silentLogger(), dataplane: createDataplaneState() }, 't');
    let observed = observedState([]);
    await rt.observe(observed, buildDesiredState([web, nodePortSvc('a'), nodePortSvc('b'), nodePortSvc('c', 31000)], { hashKey: TEST_HASH_KEY }), { dryRun: false, probing: false });
    expect(observed.nodePorts).toEqual({ 'Service/default/a': { http: 30001 }, 'Service/default/b': { http: 30003 }, 'Service/default/c': { http: 31000 } });
    // A dry run allocates nothing new but shows what is held.
    observed = observedState([]);
    await rt.observe(observed, buildDesiredState([web, nodePortSvc('a'), nodePortSvc('d')], { hashKey: TEST_HASH_KEY }), { dryRun: true, probing: false });
    expect(observed.nodePorts).toEqual({ 'Service/default/a': { http: 30001 }, 'Service/default/b': { http: 30003 }, 'Service/default/c': { http: 31000 } });
    // b's proxy still runs (an orphan without --prune): kept. c's is gone: released.
    observed = observedState([], { services: [{ namespace: 'default', name: 'b', containerId: 'x', state: 'running', specHash: 'h', nodePorts: { http: 30003 } }] });
    await rt.observe(observed, buildDesiredState([web, nodePortSvc('a')], { hashKey: TEST_HASH_KEY }), { dryRun: false, probing: false });
    expect(observed.nodePorts).toEqual({ 'Service/default/a': { http: 30001 }, 'Service/default/b': { http: 30003 } });
    expect(store.listNodePorts('t').map((a) => a.port)).toEqual([30001, 30003]);
  });

  it("node port allocation skips the ports the revision's LoadBalancers publish on the host", async () => {
    const { store, clock } = h.open();
    const rt = createServices({ docker: fakeDocker(), store, clock, log: silentLogger(), dataplane: createDataplaneState() }, 't');
    const lb = res({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', port: 30000, targetPort: 8080 }] } });
    const observed = observedState([]);
    await rt.observe(observed, buildDesiredState([web, nodePortSvc('a'), lb], { hashKey: TEST_HASH_KEY }), { dryRun: false, probing: false });
    expect(Object.values(observed.nodePorts ?? {}).flatMap((m) => Object.values(m))).not.toContain(30000);
    expect(observed.nodePorts?.['Service/default/a']).toEqual({ http: 30001 });
  });

  it("a requested node port another Service holds fails the observation with the store's CONFLICT", async () => {
    const { store, clock } = h.open();
    const rt = createServices({ docker: fakeDocker(), store, clock, log: silentLogger(), dataplane: createDataplaneState() }, 't');
    await rt.observe(observedState([]), buildDesiredState([web, nodePortSvc('a', 30080)], { hashKey: TEST_HASH_KEY }), { dryRun: false, probing: false });
    await expect(rt.observe(observedState([]), buildDesiredState([web, nodePortSvc('a', 30080), nodePortSvc('b', 30080)], { hashKey: TEST_HASH_KEY }), { dryRun: false, probing: false })).rejects.toMatchObject({
      code: 'CONFLICT',
      data: { port: 30080, heldBy: { serviceKey: 'Service/default/a' } },
    });
  });
});
