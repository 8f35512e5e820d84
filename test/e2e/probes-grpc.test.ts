import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureGrpcHealthImage } from './support/grpc-health-image.js';
import { eventually, killDaemons, startDaemon } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';
import { stopDataplane } from './support/services.js';
import { runCli } from '../support/cli.js';

/**
 * gRPC probes on the real engine (issue 14): manifests shaped like microservices-demo's, a
 * daemon that probes grpc.health.v1.Health/Check over h2c at each pod's IP, and a real gRPC
 * health server in the containers (test/support/grpc-health-server.ts in a node image).
 *   cart:  readiness (the server) and liveness (a named service) both SERVING → Ready
 *   down:  answers NOT_SERVING → runs, never Ready
 *   flaky: SERVING for 5 s after each start, then NOT_SERVING → the liveness probe restarts it
 * cart and flaky have gRPC startup probes, so their liveness probes start once the server answers.
 */
const manifests = (image: string) => ({
  'cart.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: cart}
spec:
  replicas: 1
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: server
        image: ${image}
        ports: [{containerPort: 7070}]
        env: [{name: SERVICES, value: hipstershop.CartService}]
        startupProbe:
          periodSeconds: 1
          failureThreshold: 60
          grpc: {port: 7070}
        readinessProbe:
          periodSeconds: 1
          grpc: {port: 7070}
        livenessProbe:
          periodSeconds: 1
          grpc: {port: 7070, service: hipstershop.CartService}
`,
  'down.yaml': `apiVersion: v1
kind: Pod
metadata: {name: down}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: server
    image: ${image}
    env: [{name: NOT_SERVING, value: "1"}]
    readinessProbe:
      periodSeconds: 1
      grpc: {port: 7070}
`,
  'flaky.yaml': `apiVersion: v1
kind: Pod
metadata: {name: flaky}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: server
    image: ${image}
    env: [{name: SERVING_SECONDS, value: "5"}]
    # Liveness waits for the server to have started (a refused connection before it listens
    # would be a restart of its own, not the NOT_SERVING one this pod is about).
    startupProbe:
      periodSeconds: 1
      failureThreshold: 60
      grpc: {port: 7070}
    livenessProbe:
      periodSeconds: 1
      failureThreshold: 1
      grpc: {port: 7070}
`,
});

interface PodJson {
  metadata: { name: string; labels?: Record<string, string> };
  status: {
    conditions: Array<{ type: string; status: string }>;
    containerStatuses: Array<{ ready: boolean; restartCount: number; state: Record<string, unknown> }>;
  };
}

let t: E2eApp;

beforeAll(async () => {
  t = await createE2eApp('grpcprobes');
  await t.write(manifests(await ensureGrpcHealthImage()));
  // The manifests validate clean: no "not implemented", no "ignored".
  const check = await runCli(['validate', t.dir]);
  expect(check.code, check.stdout + check.stderr).toBe(0);
  expect(check.stdout + check.stderr).not.toMatch(/grpc/i);
  await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir]);
}, 180_000);

afterAll(async () => {
  await killDaemons();
  if (t) {
    await stopDataplane(t);
    await t.cleanup();
  }
});

async function pods(): Promise<PodJson[]> {
  const r = await t.berth('get', 'pods', '-o', 'json');
  if (r.code !== 0) return [];
  return (JSON.parse(r.stdout) as { items: PodJson[] }).items;
}

async function logsOf(pod: string): Promise<string> {
  const c = (await t.containers()).find((x) => x.Labels['berth.role'] === 'container' && x.Labels['berth.name'] === pod);
  if (!c) return '';
  return (await t.docker.getContainer(c.Id).logs({ stdout: true, stderr: true })).toString('utf8');
}

const ready = (p: PodJson | undefined) => p?.status.conditions.find((c) => c.type === 'Ready')?.status === 'True';

describe('gRPC probes against a real health server', () => {
  it('a pod whose server answers SERVING becomes Ready; one answering NOT_SERVING runs but does not', async () => {
    const cart = await eventually('the cart pod Ready', async () => (await pods()).find((p) => p.metadata.labels?.['app'] === 'cart' && ready(p)), 120_000);
    expect(cart.status.containerStatuses[0]).toMatchObject({ ready: true, restartCount: 0 });

    // The down pod's server has been asked, and said NOT_SERVING, more often than the one
    // failure that could still be in flight: the prober has judged it, and it is not ready.
    await eventually('three NOT_SERVING answers from down', async () => ((await logsOf('down')).match(/Check "" -> NOT_SERVING/g) ?? []).length >= 3, 60_000);
    const down = (await pods()).find((p) => p.metadata.name === 'down');
    expect(down?.status.containerStatuses[0]?.state).toHaveProperty('running');
    expect(down?.status.containerStatuses[0]?.ready).toBe(false);
    expect(down?.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'False' }));
  });

  it('describe shows the gRPC probes as kubectl does', async () => {
    const name = (await pods()).find((p) => p.metadata.labels?.['app'] === 'cart')!.metadata.name;
    const described = await t.berth('describe', 'pod', name);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/Readiness:\s+grpc <pod>:7070  delay=0s timeout=1s period=1s #success=1 #failure=3/);
    expect(described.stdout).toMatch(/Startup:\s+grpc <pod>:7070  delay=0s timeout=1s period=1s #success=1 #failure=60/);
    expect(described.stdout).toMatch(/Liveness:\s+grpc <pod>:7070 hipstershop\.CartService delay=0s timeout=1s period=1s #success=1 #failure=3/);
  });

  it('a liveness probe answered NOT_SERVING restarts the container, and the event says why', async () => {
    const flaky = await eventually('a liveness restart of flaky', async () => {
      const p = (await pods()).find((x) => x.metadata.name === 'flaky');
      return p && p.status.containerStatuses[0]!.restartCount >= 1 && p;
    }, 120_000);
    expect(flaky.status.containerStatuses[0]!.restartCount).toBeGreaterThanOrEqual(1);
    const described = await t.berth('describe', 'pod', 'flaky');
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/Warning\s+Unhealthy\s+\S+\s+berth\s+Liveness probe failed: gRPC [\d.]+:7070: service unhealthy \(responded with NOT_SERVING\)/);
    expect(described.stdout).toMatch(/Normal\s+Killing\s+\S+\s+berth\s+Container server failed liveness probe, will be restarted/);
    // The startup probe held liveness back until the server listened: no restart for a refused
    // connection (the startup probe's own failures meanwhile are Unhealthy events, as the kubelet's are).
    expect(described.stdout).not.toMatch(/Liveness probe failed: gRPC \S+: failed to connect/);
  });

  it('the SERVING pods were never restarted by their probes', async () => {
    const all = await pods();
    const cart = all.find((p) => p.metadata.labels?.['app'] === 'cart');
    expect(cart?.status.containerStatuses[0]?.restartCount).toBe(0);
    expect(all.find((p) => p.metadata.name === 'down')?.status.containerStatuses[0]?.restartCount).toBe(0);
  });
});
