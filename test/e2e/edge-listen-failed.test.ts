import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/daemon.js';
import type { EdgePorts } from './support/edge.js';
import { edgeGet, edgePorts, removeEdge } from './support/edge.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * A port taken AFTER the edge was made (the edge restarts while a host process holds it): the
 * edge runs but cannot listen. Every apply says so (EdgeListenFailed), `--wait` fails naming the
 * port and the fix, `get ingress` shows no ADDRESS; once the port is free the edge listens on its
 * own (it retries every 2 s) and the next apply is clean. docs/ingress.md.
 */
const revision = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: berth-examples/web:1.0, ports: [{name: http, containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: shop.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
`;


describe('edge: a port taken after the edge was made (real Docker)', () => {
  let t: E2eApp;
  let edge: EdgePorts;
  let server: http.Server | undefined;

  /** `status.loadBalancer.ingress` of the Ingress: what get's ADDRESS shows. */
  const address = async () => {
    const r = await t.berth('get', 'ingress', 'web', '-o', 'json');
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { status: { loadBalancer: { ingress?: unknown[] } } }).status.loadBalancer.ingress ?? [];
  };

  beforeAll(async () => {
    t = await createE2eApp('edge-listen');
    edge = await edgePorts();
    await t.write({ 'app.yaml': revision });
  });
  afterAll(async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    await removeEdge(t.docker, edge);
    await t.cleanup();
  });

  it('serves, then cannot listen: the event on every apply, --wait fails, no ADDRESS', async () => {
    const first = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s', ...edge.flags);
    expect(first.code, first.stderr).toBe(0);
    expect((await edgeGet(edge.http, 'shop.test')).status).toBe(200);
    expect(await address()).toEqual([{ hostname: 'localhost' }]);

    const container = t.docker.getContainer(edge.name);
    await container.stop({ t: 2 });
    server = http.createServer((_req, res) => res.end('HOST'));
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(edge.http, '0.0.0.0', () => resolve());
    });
    await container.start();
    // Its status (kept in the volume from before the stop) says it listens until the new run's first attempt.
    await eventually('get ingress without ADDRESS', async () => (await address()).length === 0, 30_000);

    for (let i = 0; i < 2; i++) {
      const r = await t.berth('apply', '-f', t.dir, ...edge.flags);
      expect(r.code, r.stderr).toBe(0);
      // Printed as warnings are, on every apply while the edge cannot listen.
      expect(r.stderr).toContain(`warning: edge/${edge.name}: the edge cannot listen on TCP/${edge.http}: EADDRINUSE; free the port or choose --edge-http-port`);
      // An event on the Ingress each pass: describe shows it, counted.
      const described = await t.berth('describe', 'ingress', 'web');
      const line = described.stdout.split('\n').find((l) => l.includes('EdgeListenFailed'));
      expect(line).toContain(`Warning  EdgeListenFailed`);
      expect(line).toContain(`the edge cannot listen on TCP/${edge.http}: EADDRINUSE`);
      if (i === 1) expect(line).toContain('x2');
    }
    const waited = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '10s', ...edge.flags);
    expect(waited.code).not.toBe(0);
    expect(waited.stderr).toContain(`the edge cannot listen on TCP/${edge.http}: EADDRINUSE; free the port or choose --edge-http-port`);
    expect(await address()).toEqual([]);
    expect((await t.berth('get', 'ingress')).stdout).not.toContain('localhost');
  });

  it('the port freed: the edge listens on its own and the next apply is clean', async () => {
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    await eventually('the edge serves again', async () => (await edgeGet(edge.http, 'shop.test')).status === 200, 30_000);
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s', ...edge.flags);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('cannot listen');
    expect(await address()).toEqual([{ hostname: 'localhost' }]);
  });
});
