/**
 * Resource limits at the edge: a client that trickles its request head or body, or leaves a
 * WebSocket tunnel half-closed, loses its connection instead of holding it (and a backend
 * connection) forever; an oversized head is refused.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { backendOf, fragment, raw, route, startHttpBackend, startRawBackend, startTestEdge } from './edge-helpers.js';
import { useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();

async function edgeWith(options: { headersTimeoutMs?: number; idleTimeoutMs?: number }) {
  const web = await startHttpBackend(defer, 'web');
  const edge = await startTestEdge(defer, options);
  await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
  return { web, edge };
}

describe('edge resource limits', () => {
  it('answers 408 to a client that never finishes its request head (slowloris)', async () => {
    const { edge, web } = await edgeWith({ headersTimeoutMs: 300 });
    const answer = await raw(edge.port, 'GET / HTTP/1.1\r\nHost: shop.test\r\nX-Slow: 1\r\n', 4_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(web.requests).toEqual([]);
  });

  it('drops a request whose body stops arriving', async () => {
    const { edge } = await edgeWith({ idleTimeoutMs: 300 });
    const answer = await raw(edge.port, 'POST /upload HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 100\r\n\r\n0123456789', 4_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('refuses a request head larger than 16 KiB', async () => {
    const { edge, web } = await edgeWith({});
    const answer = await raw(edge.port, `GET / HTTP/1.1\r\nHost: shop.test\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    expect(web.requests).toEqual([]);
  });

  it('closes a WebSocket tunnel when the client half-closes it', async () => {
    const backend = await startRawBackend(defer, (chunk) => (chunk.startsWith('GET') ? 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n' : undefined));
    const edge = await startTestEdge(defer, { idleTimeoutMs: 300 });
    await edge.configure(fragment('shop', 'shop.test', [route('ws', 'Prefix', '/', [{ backend: 'b', weight: 1 }])], [{ id: 'b', service: { namespace: 'shop', name: 'b', port: 80 }, endpoints: [{ name: 'b-1', ip: '127.0.0.1', port: backend.port, ready: true }] }]), 1);
    const client = net.connect({ host: '127.0.0.1', port: edge.port, allowHalfOpen: true });
    defer(() => client.destroy());
    let got = '';
    client.setEncoding('latin1');
    client.on('data', (d: string) => (got += d));
    const closed = new Promise<void>((r) => client.on('close', () => r()));
    client.write('GET /ws HTTP/1.1\r\nHost: shop.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    await waitFor(() => got.startsWith('HTTP/1.1 101'), '101 from the backend');
    client.end();
    await closed;
    const ep = await waitFor(async () => (await edge.readStatus()).endpoints.find((e) => e.name === 'b-1' && e.total === 1 && e.active === 0), 'tunnel counted, then no longer active');
    expect(ep.state).toBe('serving');
  });

  it('closes connections beyond --max-connections at once and serves again when one closes', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer, { maxConnections: 2 });
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    const open = await Promise.all([0, 1].map(() => new Promise<net.Socket>((r) => { const s = net.connect({ host: '127.0.0.1', port: edge.port }, () => r(s)); })));
    for (const s of open) defer(() => s.destroy());
    // Closed or reset without an answer.
    expect(await raw(edge.port, 'GET / HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n').catch(() => '')).toBe('');
    open[0]!.destroy();
    await waitFor(async () => (await raw(edge.port, 'GET / HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n')).startsWith('HTTP/1.1 200'), 'served again');
  });

  it('answers 504 to an upgrade the backend accepts but never answers, and 502 when it hangs up', async () => {
    const silent = await startRawBackend(defer, () => undefined);
    const rude = await startRawBackend(defer, () => null);
    const edge = await startTestEdge(defer, { backendTimeoutMs: 300 });
    const ep = (name: string, port: number) => ({ id: name, service: { namespace: 'shop', name, port: 80 }, endpoints: [{ name, ip: '127.0.0.1', port, ready: true }] });
    await edge.configure(fragment('shop', 'shop.test', [route('silent', 'Prefix', '/silent', [{ backend: 'silent', weight: 1 }]), route('rude', 'Prefix', '/rude', [{ backend: 'rude', weight: 1 }])], [ep('silent', silent.port), ep('rude', rude.port)]), 1);
    const upgrade = (path: string) => raw(edge.port, `GET ${path} HTTP/1.1\r\nHost: shop.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`, 4_000);
    expect(await upgrade('/silent')).toMatch(/^HTTP\/1\.1 504/);
    expect(silent.received).toHaveLength(1);
    expect(await upgrade('/rude')).toMatch(/^HTTP\/1\.1 502/);
  });
});
