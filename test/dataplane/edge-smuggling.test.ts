/**
 * The edge faces the internet: request smuggling, upgrade abuse, Host and request-target tricks
 * and hostile backends must never reach a route they do not match, nor crash the process.
 */
import { describe, expect, it } from 'vitest';
import { backendOf, fragment, raw, request, route, startHttpBackend, startRawBackend, startTestEdge } from './edge-helpers.js';
import { useCleanup } from './helpers.js';

const defer = useCleanup();

async function edgeWith(paths: Array<[string, 'Exact' | 'Prefix', string]> = [['r', 'Prefix', '/']]) {
  const web = await startHttpBackend(defer, 'web');
  const edge = await startTestEdge(defer);
  await edge.configure(fragment('shop', 'shop.test', paths.map(([id, t, v]) => route(id, t, v, [{ backend: 'web', weight: 1 }])), [backendOf('web', [web])]), 1);
  return { web, edge };
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);

describe('edge (request smuggling)', () => {
  it.each([
    ['Transfer-Encoding with Content-Length', 'POST / HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: shop.test\r\n\r\n'],
    ['two different Content-Lengths', 'POST / HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd'],
    ['an obs-folded header', 'GET / HTTP/1.1\r\nHost: shop.test\r\nX-A: 1\r\n  Transfer-Encoding: chunked\r\n\r\n'],
    ['a Transfer-Encoding not ending in chunked', 'POST / HTTP/1.1\r\nHost: shop.test\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n'],
    ['a bare LF chunk size', 'POST / HTTP/1.1\r\nHost: shop.test\r\nTransfer-Encoding: chunked\r\n\r\n4\nabcd\r\n0\r\n\r\n'],
    ['a space before the colon', 'POST / HTTP/1.1\r\nHost: shop.test\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\nabcd'],
    ['a signed Content-Length', 'POST / HTTP/1.1\r\nHost: shop.test\r\nContent-Length: +4\r\n\r\nabcd'],
    ['a repeated equal Content-Length', 'POST / HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd'],
    ['a NUL in a header value', 'GET / HTTP/1.1\r\nHost: shop.test\r\nX-A: a\x00b\r\n\r\n'],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: shop.test\r\nHost: other.test\r\n\r\n'],
    ['no Host header', 'GET / HTTP/1.1\r\n\r\n'],
    ['a Host with a path', 'GET / HTTP/1.1\r\nHost: shop.test/evil\r\n\r\n'],
    ['a Host with userinfo', 'GET / HTTP/1.1\r\nHost: evil.test@shop.test\r\n\r\n'],
    ['a Host with a bad port', 'GET / HTTP/1.1\r\nHost: shop.test:99999\r\n\r\n'],
    ['an absolute-form target naming another host', 'GET http://other.test/admin HTTP/1.1\r\nHost: shop.test\r\n\r\n'],
    ['an asterisk-form target on GET', 'GET * HTTP/1.1\r\nHost: shop.test\r\n\r\n'],
  ])('answers 400 to %s and forwards nothing', async (_what, text) => {
    const { web, edge } = await edgeWith();
    const answer = await raw(edge.port, text);
    expect(statusOf(answer)).toBe(400);
    expect(web.requests).toEqual([]);
  });

  it('routes an absolute-form target by its authority when it matches Host, and Host in any case, port or trailing dot', async () => {
    const { web, edge } = await edgeWith();
    expect(statusOf(await raw(edge.port, 'GET http://shop.test/a?b=1 HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n'))).toBe(200);
    expect(statusOf(await raw(edge.port, 'GET / HTTP/1.1\r\nHost: SHOP.Test.:8080\r\nConnection: close\r\n\r\n'))).toBe(200);
    expect(web.requests.map((r) => [r.url, r.headers.host])).toEqual([
      ['/a?b=1', 'shop.test'],
      ['/', 'SHOP.Test.:8080'],
    ]);
    expect(statusOf(await raw(edge.port, 'GET / HTTP/1.1\r\nHost: [::1]:80\r\nConnection: close\r\n\r\n'))).toBe(404);
    // HTTP/1.0 without Host: only the catch-all could serve it; this edge has none.
    expect(statusOf(await raw(edge.port, 'GET / HTTP/1.0\r\n\r\n'))).toBe(404);
  });

  it('never tunnels CONNECT', async () => {
    const { web, edge } = await edgeWith();
    const answer = await raw(edge.port, 'CONNECT shop.test:80 HTTP/1.1\r\nHost: shop.test:80\r\n\r\nGET /admin HTTP/1.1\r\nHost: shop.test\r\n\r\n');
    expect(statusOf(answer)).toBe(405);
    expect(web.requests).toEqual([]);
  });

  it.each([
    ['a Content-Length body', 'GET /ws HTTP/1.1\r\nHost: shop.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 38\r\n\r\nGET /admin HTTP/1.1\r\nHost: shop.test\r\n\r\n'],
    ['a chunked body', 'GET /ws HTTP/1.1\r\nHost: shop.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['an h2c upgrade', 'GET /ws HTTP/1.1\r\nHost: shop.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n'],
  ])('refuses an upgrade with %s', async (_what, text) => {
    const backend = await startRawBackend(defer, () => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    const edge = await startTestEdge(defer);
    await edge.configure(fragment('shop', 'shop.test', [route('ws', 'Exact', '/ws', [{ backend: 'b', weight: 1 }])], [{ id: 'b', service: { namespace: 'shop', name: 'b', port: 80 }, endpoints: [{ name: 'b-1', ip: '127.0.0.1', port: backend.port, ready: true }] }]), 1);
    expect(statusOf(await raw(edge.port, text))).toBe(400);
    expect(backend.received).toEqual([]);
  });

  it('stops an upgrade the backend does not accept: later client bytes never reach the backend', async () => {
    const backend = await startRawBackend(defer, (chunk) => (chunk.startsWith('GET /ws') ? 'HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno' : undefined));
    const edge = await startTestEdge(defer);
    await edge.configure(fragment('shop', 'shop.test', [route('ws', 'Exact', '/ws', [{ backend: 'b', weight: 1 }])], [{ id: 'b', service: { namespace: 'shop', name: 'b', port: 80 }, endpoints: [{ name: 'b-1', ip: '127.0.0.1', port: backend.port, ready: true }] }]), 1);
    const answer = await raw(edge.port, 'GET /ws HTTP/1.1\r\nHost: shop.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /admin HTTP/1.1\r\nHost: shop.test\r\n\r\n');
    expect(statusOf(answer)).toBe(403);
    expect(answer.endsWith('no')).toBe(true);
    expect(backend.received.join('')).not.toContain('/admin');
  });

  it.each([
    ['a control byte in a header value', 'HTTP/1.1 200 OK\r\nX-Bad: a\x01b\r\nContent-Length: 2\r\n\r\nok'],
    ['a status code below 100', 'HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\nok'],
    ['a control byte in the reason phrase', 'HTTP/1.1 200 O\x01K\r\nContent-Length: 2\r\n\r\nok'],
  ])('answers 502 to a backend response with %s and keeps serving', async (_what, response) => {
    const backend = await startRawBackend(defer, () => response);
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer);
    await edge.configure(
      fragment('shop', 'shop.test', [route('bad', 'Prefix', '/bad', [{ backend: 'b', weight: 1 }]), route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [
        { id: 'b', service: { namespace: 'shop', name: 'b', port: 80 }, endpoints: [{ name: 'b-1', ip: '127.0.0.1', port: backend.port, ready: true }] },
        backendOf('web', [web]),
      ]),
      1,
    );
    expect((await request(edge.port, { path: '/bad' })).status).toBe(502);
    expect((await request(edge.port, { path: '/' })).status).toBe(200);
  });
});
