import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { probeEndpoint } from '../../src/dataplane/endpoint-probe.js';
import type { SwarmProxyReadiness } from '../../src/dataplane/swarm-proxy-spec.js';
import { freePort, useCleanup } from './helpers.js';

const defer = useCleanup();
const timings = { initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1 };

/** An HTTP server on loopback answering /<status> with that status; every request's headers are kept. */
async function statusServer(): Promise<{ port: number; seen: http.IncomingHttpHeaders[] }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/hang') return;
    res.writeHead(Number(req.url?.slice(1)) || 500, { location: 'http://elsewhere/' }).end('x');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { port: (server.address() as net.AddressInfo).port, seen };
}

describe('a readiness probe of one address', () => {
  it.each<[string, number, boolean, string]>([
    ['200 passes', 200, true, 'HTTP 200'],
    ['399 passes', 399, true, 'HTTP 399'],
    ['a redirect passes without being followed', 302, true, 'HTTP 302'],
    ['400 fails', 400, false, 'HTTP 400'],
    ['503 fails', 503, false, 'HTTP 503'],
  ])('httpGet: %s', async (_name, status, ok, message) => {
    const { port } = await statusServer();
    const probe: SwarmProxyReadiness = { backend: 'tasks.web', httpGet: { path: `/${status}`, port, scheme: 'HTTP' }, ...timings };
    expect(await probeEndpoint('127.0.0.1', probe, new AbortController().signal)).toEqual({ ok, message });
  });

  it('httpGet sends the probe headers, repeated ones as repeated lines, and a user agent unless given', async () => {
    const { port, seen } = await statusServer();
    const headers = [{ name: 'X-Probe', value: 'a' }, { name: 'x-probe', value: 'b' }, { name: 'Host', value: 'web.shop' }];
    await probeEndpoint('127.0.0.1', { backend: 'tasks.web', httpGet: { path: '/200', port, scheme: 'HTTP', headers }, ...timings }, new AbortController().signal);
    expect(seen[0]).toMatchObject({ 'x-probe': 'a, b', host: 'web.shop', 'user-agent': 'berth-probe/1', accept: '*/*' });
  });

  it('httpGet fails on a refused connection, and when cancelled', async () => {
    const closed = await freePort();
    const refused = await probeEndpoint('127.0.0.1', { backend: 'tasks.web', httpGet: { path: '/', port: closed, scheme: 'HTTP' }, ...timings }, new AbortController().signal);
    expect(refused).toEqual({ ok: false, message: 'GET /: ECONNREFUSED' });
    const { port } = await statusServer();
    const cancel = new AbortController();
    const hanging = probeEndpoint('127.0.0.1', { backend: 'tasks.web', httpGet: { path: '/hang', port, scheme: 'HTTP' }, ...timings }, cancel.signal);
    setTimeout(() => cancel.abort(), 50);
    expect(await hanging).toEqual({ ok: false, message: 'GET /hang: ABORT_ERR' });
  });

  it('tcpSocket passes when a connection opens and fails when it is refused', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    defer(() => new Promise<void>((r) => server.close(() => r())));
    const open = (server.address() as net.AddressInfo).port;
    const closed = await freePort();
    const tcp = (port: number) => probeEndpoint('127.0.0.1', { backend: 'tasks.web', tcpSocket: { port }, ...timings }, new AbortController().signal);
    expect(await tcp(open)).toEqual({ ok: true, message: `connected to port ${open}` });
    expect(await tcp(closed)).toEqual({ ok: false, message: `connect to port ${closed}: ECONNREFUSED` });
  });
});
