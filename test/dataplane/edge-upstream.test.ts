/**
 * Upstream connections: a request is sent again only when that cannot repeat a side effect,
 * and a socket that carried part of a body is never reused for the next request.
 */
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { BackendSet, EndpointPool } from '../../src/dataplane/edge-backends.js';
import type { EdgeHttpOptions } from '../../src/dataplane/edge-http.js';
import { handleRequest } from '../../src/dataplane/edge-http.js';
import { RouteMetrics } from '../../src/dataplane/edge-metrics.js';
import { mergeFragments } from '../../src/dataplane/edge-table.js';
import { backendOf, fragment, raw, request, route, startHttpBackend, startTestEdge } from './edge-helpers.js';
import { memoryLogger, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();

describe('edge upstream connections', () => {
  it('does not send a non-idempotent request again after a reused socket was reset', async () => {
    // Answers the first request of a connection, resets at the second (as a pod closing an idle socket).
    const seen: number[] = [];
    const server = net.createServer((s) => {
      const index = seen.push(0) - 1;
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString();
        while (buf.includes('\r\n\r\n')) {
          buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
          seen[index]!++;
          if (seen[index] === 2) return s.destroy();
          s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        }
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    defer(() => new Promise((r) => server.close(r)));
    const port = (server.address() as net.AddressInfo).port;
    const edge = await startTestEdge(defer);
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'b', weight: 1 }])], [{ id: 'b', service: { namespace: 'shop', name: 'b', port: 80 }, endpoints: [{ name: 'b-1', ip: '127.0.0.1', port, ready: true }] }]), 1);
    expect((await request(edge.port)).status).toBe(200);
    expect((await request(edge.port, { method: 'POST' })).status).toBe(502);
    expect(seen).toEqual([2]);
  });

  it('never reuses an upstream socket that carried part of an aborted body', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer);
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    expect((await request(edge.port, { path: '/warm' })).status).toBe(200);
    // 10 of 100 body bytes, then the client is gone; the next request must not become the rest of that body.
    await raw(edge.port, 'POST /partial HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 100\r\n\r\n0123456789', 300);
    await waitFor(() => web.requests.some((r) => r.url === '/partial'), 'partial request reached the backend');
    const next = await request(edge.port, { path: '/next' });
    expect([next.status, next.body]).toEqual([200, 'web GET /next']);
    expect(web.requests.map((r) => r.url)).toEqual(['/warm', '/partial', '/next']);
  });
});

describe('edge request handler', () => {
  it('turns a throw while forwarding into a 500 for that request only', async () => {
    const web = await startHttpBackend(defer, 'web');
    // A fragment the validator would refuse (a control byte in a header value): built directly.
    const config = fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }], { filters: [{ type: 'RequestHeaderModifier', set: [{ name: 'X-Bad', value: 'a\x01b' }] }] })], [backendOf('web', [web])]);
    const pool = new EndpointPool(() => Date.now());
    defer(() => pool.destroy());
    const { table } = mergeFragments([config], {}, (f) => new BackendSet(new Map(f.backends.map((b) => [b.id, b])), f.app, pool));
    const log = memoryLogger();
    const options: EdgeHttpOptions = { context: (scheme, listenPort) => ({ table, scheme, listenPort, trusted: undefined }), pool, metrics: new RouteMetrics(), connectTimeoutMs: 1_000, backendTimeoutMs: 5_000, now: () => Date.now(), log };
    const server = http.createServer((req, res) => handleRequest(options, req, res, 'http', 80));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    defer(() => new Promise((r) => server.close(r)));
    const port = (server.address() as net.AddressInfo).port;
    const first = await request(port);
    const second = await request(port);
    expect([first.status, second.status]).toEqual([500, 500]);
    expect(log.records.filter((r) => r.msg === 'request failed')).toHaveLength(2);
    expect(web.requests).toEqual([]);
  });
});
