import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, podNames } from './support/harness.js';
import type { SvcJson, WebReply } from './support/services.js';
import { hostAddress, hostGet, stopDataplane } from './support/services.js';

/**
 * SPEC §5: a rollout behind a NodePort drops no requests. Steady load through the NodePort
 * (keep-alive clients and a new connection per request, 40 requests/s together) while the
 * Deployment rolls from v1 to v2; every request must succeed. Pods leave the Services before
 * they are stopped (drain) and join them only once ready.
 */
const deployment = (version: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: berth-examples/web:${version}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

const service = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

interface Outcome {
  at: number;
  kind: 'keep-alive' | 'new-connection';
  target: string;
  version?: string;
  error?: string;
}

/**
 * Fires requests on a fixed schedule (not one after another, so a slow answer does not lower
 * the rate) until stopped. Keep-alive requests retry once when a *reused* connection was closed
 * by the server before any response byte, exactly what Node's documentation prescribes for
 * keep-alive clients (and what browsers, curl and Go's http.Transport do on their own): that
 * race between a server closing an idle connection and a client reusing it exists without
 * any proxy, and no load balancer can remove it.
 */
function steadyLoad(targets: { keepAlive: string; fresh: string[] }, perSecond: number) {
  const outcomes: Outcome[] = [];
  const pending = new Set<Promise<void>>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let retriedReused = 0;
  const record = (kind: Outcome['kind'], target: string, p: Promise<WebReply>) => {
    const at = Date.now();
    const done = p.then(
      (r) => void outcomes.push({ at, kind, target, version: r.version }),
      (err: Error & { code?: string }) => void outcomes.push({ at, kind, target, error: err.code ?? err.message }),
    );
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };
  const keepAliveGet = (url: string): Promise<WebReply> =>
    new Promise((resolve, reject) => {
      const req = http.get(url, { agent, timeout: 5_000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as WebReply) : reject(new Error(`HTTP ${res.statusCode}`))));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (err: Error & { code?: string }) => {
        if (req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          retriedReused++;
          keepAliveGet(url).then(resolve, reject);
        } else reject(err);
      });
    });
  let tick = 0;
  const timer = setInterval(() => {
    record('keep-alive', targets.keepAlive, keepAliveGet(targets.keepAlive));
    const fresh = targets.fresh[tick++ % targets.fresh.length]!;
    record('new-connection', fresh, hostGet(fresh, false, 5_000));
  }, 1000 / perSecond);
  return {
    outcomes,
    retriedReused: () => retriedReused,
    async stop() {
      clearInterval(timer);
      await Promise.all([...pending]);
      agent.destroy();
    },
  };
}

describe('services: zero-downtime rolling update behind a NodePort (real Docker)', () => {
  let t: E2eApp;
  let nodePort = 0;

  beforeAll(async () => {
    t = await createE2eApp('svc-roll');
    await t.write({ 'web.yaml': deployment('1.0'), 'svc.yaml': service });
    const applied = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    expect(applied.stderr).not.toMatch(/error/);
    expect(applied.code).toBe(0);
    nodePort = (JSON.parse((await t.berth('get', 'svc', 'web', '-o', 'json')).stdout) as SvcJson).spec.ports[0]!.nodePort!;
  });
  afterAll(async () => {
    await stopDataplane(t);
    await t.cleanup();
  });

  it('v1 → v2 under steady load (keep-alive and new connections) fails zero requests', async () => {
    const host = hostAddress();
    const v1Pods = podNames(await t.containers(), 'Deployment/default/web');
    expect((await hostGet(`http://${host}:${nodePort}/`)).version).toBe('1.0');
    const load = steadyLoad({ keepAlive: `http://${host}:${nodePort}/`, fresh: [`http://${host}:${nodePort}/`, `http://127.0.0.1:${nodePort}/`] }, 20);
    await new Promise((r) => setTimeout(r, 2_000));
    await t.write({ 'web.yaml': deployment('2.0'), 'svc.yaml': service });
    const started = Date.now();
    const rolled = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '180s');
    const rolloutMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, 3_000));
    await load.stop();

    expect(rolled.stderr).not.toMatch(/error/);
    expect(rolled.code).toBe(0);
    const v2Pods = podNames(await t.containers(), 'Deployment/default/web');
    expect(v2Pods).toHaveLength(3);
    expect(v2Pods.filter((p) => v1Pods.includes(p))).toEqual([]);

    const failed = load.outcomes.filter((o) => o.error);
    const seconds = (Math.max(...load.outcomes.map((o) => o.at)) - Math.min(...load.outcomes.map((o) => o.at))) / 1000;
    // Evidence for the report: rate, versions seen, and the keep-alive retries (see steadyLoad).
    console.log(
      `rollout ${Math.round(rolloutMs / 1000)} s; ${load.outcomes.length} requests in ${seconds.toFixed(1)} s (${(load.outcomes.length / seconds).toFixed(1)}/s); ` +
        `v1 ${load.outcomes.filter((o) => o.version === '1.0').length}, v2 ${load.outcomes.filter((o) => o.version === '2.0').length}; ` +
        `failed ${failed.length}; reused keep-alive connections retried ${load.retriedReused()}`,
    );
    expect(failed).toEqual([]);
    expect(load.outcomes.length / seconds).toBeGreaterThanOrEqual(20);
    for (const kind of ['keep-alive', 'new-connection'] as const) {
      const versions = new Set(load.outcomes.filter((o) => o.kind === kind).map((o) => o.version));
      expect(versions, kind).toEqual(new Set(['1.0', '2.0']));
    }
    // Once the rollout finished, only v2 answers.
    const after = load.outcomes.filter((o) => o.at > started + rolloutMs + 500);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((o) => o.version === '2.0')).toBe(true);
  });

  it('berth delete of a pod behind the Service under the same load fails zero requests (the drain writes the removal itself)', async () => {
    const host = hostAddress();
    const [victim, ...rest] = podNames(await t.containers(), 'Deployment/default/web');
    const load = steadyLoad({ keepAlive: `http://${host}:${nodePort}/`, fresh: [`http://${host}:${nodePort}/`, `http://127.0.0.1:${nodePort}/`] }, 20);
    await new Promise((r) => setTimeout(r, 1_500));
    const deleted = await t.berth('delete', `pod/${victim}`);
    await new Promise((r) => setTimeout(r, 1_500));
    await load.stop();
    expect(deleted.code).toBe(0);
    expect(podNames(await t.containers(), 'Deployment/default/web')).toEqual(rest);
    expect(load.outcomes.filter((o) => o.error)).toEqual([]);
    expect(load.outcomes.length).toBeGreaterThan(60);
  });
});
