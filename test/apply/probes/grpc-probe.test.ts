import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbeAttempt } from '../../../src/apply/probes/attempt.js';
import { createDockerProbeRunner, grpcHealthProbe } from '../../../src/apply/probes/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { type Answer, frame, startGrpcHealthServer, type GrpcHealthServer } from '../../support/grpc-health-server.js';
import { container, probe } from './builders.js';

/**
 * The gRPC prober against a real h2c health server on loopback: what each answer means, and
 * that every failure says why in words a person reads in `describe`.
 */
const ANSWERS: Record<string, Answer> = {
  '': { serving: 'SERVING' },
  'shop.Cart': { serving: 'SERVING' },
  'shop.Down': { serving: 'NOT_SERVING' },
  'shop.Unknown': { serving: 'SERVICE_UNKNOWN' },
  'shop.Zero': { serving: 'UNKNOWN' },
  'shop.Unimplemented': { grpcStatus: 12, message: 'unknown service grpc.health.v1.Health' },
  'shop.Html': { http: 200, contentType: 'text/html', body: '<html>hello</html>' },
  'shop.NotFoundPage': { http: 404, contentType: 'text/plain', body: 'not found' },
  'shop.Garbage': { rawBody: frame(Buffer.from([0x0b])) },
  'shop.Slow': { hang: true },
};

let server: GrpcHealthServer;
let http1: http.Server;
let http1Port: number;
let closedPort: number;

beforeAll(async () => {
  // The standard servers answer NotFound for a service they do not know.
  server = await startGrpcHealthServer({ answer: (service) => ANSWERS[service] ?? { grpcStatus: 5, message: 'unknown service' } });
  http1 = http.createServer((_req, res) => res.end('an HTTP/1.1 server')).listen(0, '127.0.0.1');
  await once(http1, 'listening');
  http1Port = (http1.address() as AddressInfo).port;
  const probePort = net.createServer().listen(0, '127.0.0.1');
  await once(probePort, 'listening');
  closedPort = (probePort.address() as AddressInfo).port;
  probePort.close();
  await once(probePort, 'close');
});
afterAll(async () => {
  await server.close();
  http1.closeAllConnections();
  http1.close();
});

const check = (service: string, port = server.port, signal = new AbortController().signal) => grpcHealthProbe('127.0.0.1', port, service, 1000, signal);

describe('grpcHealthProbe against an h2c health server on loopback', () => {
  const at = () => `gRPC 127.0.0.1:${server.port}`;
  it.each<[string, string, boolean, () => string]>([
    ['the server as a whole, SERVING', '', true, () => `${at()}: service healthy (SERVING)`],
    ['a named service, SERVING', 'shop.Cart', true, () => `${at()} service "shop.Cart": service healthy (SERVING)`],
    ['NOT_SERVING', 'shop.Down', false, () => `${at()} service "shop.Down": service unhealthy (responded with NOT_SERVING)`],
    ['SERVICE_UNKNOWN', 'shop.Unknown', false, () => `${at()} service "shop.Unknown": service unhealthy (responded with SERVICE_UNKNOWN)`],
    ['UNKNOWN (proto3 default, an empty message)', 'shop.Zero', false, () => `${at()} service "shop.Zero": service unhealthy (responded with UNKNOWN)`],
    ['a service the server does not know: grpc-status NotFound', 'shop.Missing', false, () => `${at()} service "shop.Missing": health rpc failed: code = NotFound desc = unknown service`],
    ['a server without the health service: Unimplemented', 'shop.Unimplemented', false, () => `${at()} service "shop.Unimplemented": this server does not implement the gRPC health protocol (grpc.health.v1.Health): code = Unimplemented desc = unknown service grpc.health.v1.Health`],
    ['HTTP/2 but HTML', 'shop.Html', false, () => `${at()} service "shop.Html": not a gRPC answer (HTTP status 200, content-type "text/html")`],
    ['HTTP/2 but a 404 page', 'shop.NotFoundPage', false, () => `${at()} service "shop.NotFoundPage": not a gRPC answer (HTTP status 404, content-type "text/plain")`],
    ['a malformed HealthCheckResponse', 'shop.Garbage', false, () => `${at()} service "shop.Garbage": health rpc failed: the server sent a malformed HealthCheckResponse (wire type 3)`],
  ])('%s', async (_name, service, ok, message) => {
    expect(await check(service)).toEqual({ ok, message: message() });
  });

  it('sends a gRPC request: POST to Health/Check, application/grpc, te: trailers, a deadline, the service in the message', async () => {
    const before = server.requests.length;
    await check('shop.Cart');
    const seen = server.requests.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.service).toBe('shop.Cart');
    expect(seen[0]!.headers).toMatchObject({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      ':scheme': 'http',
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': '1000m',
      'user-agent': 'berth-probe/1',
    });
  });

  it('one connection per attempt, closed when the attempt ends (as the kubelet dials each time)', async () => {
    await check('');
    await check('shop.Down');
    while (server.openSessions() > 0) await new Promise((resolve) => setImmediate(resolve));
    expect(server.openSessions()).toBe(0);
  });

  it('a closed port: connection refused, said as such', async () => {
    expect(await check('', closedPort)).toEqual({ ok: false, message: `gRPC 127.0.0.1:${closedPort}: failed to connect: connect ECONNREFUSED 127.0.0.1:${closedPort}` });
  });

  it('an HTTP/1.1 server (no h2c) fails, saying so', async () => {
    expect(await check('', http1Port)).toEqual({
      ok: false,
      message: `gRPC 127.0.0.1:${http1Port}: health rpc failed: the server does not speak HTTP/2 without TLS (h2c), which gRPC probes use: Protocol error`,
    });
  });

  it('an aborted signal gives up on a server that never answers', async () => {
    const abort = new AbortController();
    const before = server.requests.length;
    const pending = check('shop.Slow', server.port, abort.signal);
    while (server.requests.length === before) await new Promise((resolve) => setImmediate(resolve));
    abort.abort();
    expect(await pending).toEqual({ ok: false, message: `gRPC 127.0.0.1:${server.port} service "shop.Slow": cancelled (timeout)` });
  });

  it('an already aborted signal does not connect', async () => {
    const abort = new AbortController();
    abort.abort();
    const before = server.requests.length;
    expect((await check('', server.port, abort.signal)).message).toBe(`gRPC 127.0.0.1:${server.port}: cancelled (timeout)`);
    expect(server.requests.length).toBe(before);
  });
});

describe('a grpc probe attempt through the Docker runner (fake clock for the timeout)', () => {
  const runner = createDockerProbeRunner(new Dockerode());
  const attempt = (clock: FakeClock, service: string, timeoutSeconds = 1) =>
    runProbeAttempt('readiness', probe({ grpc: { port: server.port, service } }, { timeoutSeconds }), { runner, clock, podIP: '127.0.0.1', container: container(0) }, new AbortController().signal);

  it('goes to the pod IP and passes on SERVING', async () => {
    expect(await attempt(new FakeClock(), 'shop.Cart')).toEqual({ ok: true, message: `gRPC 127.0.0.1:${server.port} service "shop.Cart": service healthy (SERVING)` });
  });

  it('a server slower than timeoutSeconds fails as a timeout', async () => {
    const clock = new FakeClock();
    const before = server.requests.length;
    const pending = attempt(clock, 'shop.Slow', 2);
    while (server.requests.length === before) await new Promise((resolve) => setImmediate(resolve));
    await clock.advance(2000);
    expect(await pending).toEqual({ ok: false, message: `gRPC 127.0.0.1:${server.port} service "shop.Slow": timed out after 2s` });
  });
});
