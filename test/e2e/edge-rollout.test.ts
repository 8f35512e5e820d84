import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../dataplane/helpers.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, podNames } from './support/harness.js';
import { steadyLoad, summarize } from './support/load.js';
import { hostGet } from './support/services.js';

/**
 * SPEC §5: a rollout behind an Ingress fails no request. Steady load through the edge (a
 * keep-alive client and a new connection per request, 40 requests/s together, with the
 * Ingress's host) while the Deployment rolls from v1 to v2. The edge routes straight to pod
 * addresses: a pod leaves its fragment (and the edge acknowledges it) before it is stopped, and
 * joins once ready.
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

const rest = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: shop.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
`;

describe('edge: zero-downtime rolling update behind an Ingress (real Docker)', () => {
  let t: E2eApp;
  let httpPort = 0;
  let httpsPort = 0;
  const edgeFlags = () => ['--edge-http-port', String(httpPort), '--edge-https-port', String(httpsPort)];

  beforeAll(async () => {
    [httpPort, httpsPort] = [await freePort(), await freePort()];
    t = await createE2eApp('edge-roll');
    await t.write({ 'web.yaml': deployment('1.0'), 'rest.yaml': rest });
    const applied = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s', ...edgeFlags());
    expect(applied.stderr).not.toMatch(/error/i);
    expect(applied.code).toBe(0);
  });
  afterAll(async () => {
    await t.berth('delete', '-f', t.dir, ...edgeFlags());
    for (const c of await t.docker.listContainers({ all: true, filters: { name: [`berth-edge-${httpPort}-${httpsPort}`] } }))
      await t.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    await t.docker.getVolume(`berth-edge-${httpPort}-${httpsPort}`).remove().catch(() => undefined);
    await t.cleanup();
  });

  it('v1 → v2 under steady load through the edge fails zero requests', async () => {
    const url = `http://127.0.0.1:${httpPort}/`;
    const v1Pods = podNames(await t.containers(), 'Deployment/default/web');
    const first = await new Promise<string>((resolve, reject) => {
      void import('node:http').then(({ default: http }) =>
        http
          .get(url, { headers: { host: 'shop.test' } }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d));
            res.on('end', () => resolve(`${res.statusCode} ${body}`));
          })
          .on('error', reject),
      );
    });
    expect(first).toMatch(/^200 .*"version":"1\.0"/);
    await expect(hostGet(url)).rejects.toThrow(/HTTP 404/);

    const load = steadyLoad({ keepAlive: [url], fresh: [url] }, 20, 5_000, { host: 'shop.test' });
    await new Promise((r) => setTimeout(r, 2_000));
    await t.write({ 'web.yaml': deployment('2.0'), 'rest.yaml': rest });
    const started = Date.now();
    const rolled = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '180s', ...edgeFlags());
    const rolloutMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, 3_000));
    await load.stop();

    expect(rolled.stderr).not.toMatch(/error/i);
    expect(rolled.code).toBe(0);
    const v2Pods = podNames(await t.containers(), 'Deployment/default/web');
    expect(v2Pods).toHaveLength(3);
    expect(v2Pods.filter((p) => v1Pods.includes(p))).toEqual([]);

    const s = summarize(load.outcomes);
    console.log(`edge rollout ${Math.round(rolloutMs / 1000)} s; ${s.total} requests; ${JSON.stringify(s.byKind)}; reused keep-alive connections retried ${load.retriedReused()}`);
    expect(s.failures).toEqual([]);
    for (const kind of ['keep-alive', 'new-connection'] as const) {
      const versions = new Set(load.outcomes.filter((o) => o.kind === kind).map((o) => o.version));
      expect(versions, kind).toEqual(new Set(['1.0', '2.0']));
    }
    const after = load.outcomes.filter((o) => o.at > started + rolloutMs + 500);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((o) => o.version === '2.0')).toBe(true);
  });
});
