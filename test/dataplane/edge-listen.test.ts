import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keepListening, LISTEN_RETRY_MS } from '../../src/dataplane/edge-listen.js';
import { silentLogger } from '../../src/dataplane/log.js';

/**
 * The edge retries a port it cannot bind every LISTEN_RETRY_MS, for as long as it runs (hours
 * while a host service keeps :80). Each attempt must leave no handler behind on the server, and
 * the edge must serve once the port frees. Loopback only; the retry timer is faked.
 */
const listen = (s: Server, port = 0) => new Promise<number>((r) => s.listen(port, '127.0.0.1', () => r((s.address() as { port: number }).port)));
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));
const failedOnce = (s: Server) => new Promise<void>((r) => s.prependOnceListener('error', () => r()));

describe('keepListening: retries a taken port without piling up handlers', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(servers.splice(0).filter((s) => s.listening).map(close));
  });

  it.each([3, 12])('after %i failed attempts: one handler each for error and listening, then it binds once freed', async (attempts) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const holder = createServer();
    const edge = createServer();
    servers.push(holder, edge);
    const port = await listen(holder);
    let changes = 0;
    let failed = failedOnce(edge);
    const l = keepListening(edge, 'http', port, '127.0.0.1', silentLogger, () => changes++);
    await l.started;
    await failed;
    for (let i = 1; i < attempts; i++) {
      failed = failedOnce(edge);
      vi.advanceTimersByTime(LISTEN_RETRY_MS);
      await failed;
    }
    expect(l.status).toMatchObject({ state: 'failed' });
    expect(edge.listenerCount('listening')).toBe(0);
    expect(edge.listenerCount('error')).toBe(0);
    await close(holder);
    const bound = new Promise<void>((r) => edge.once('listening', () => r()));
    vi.advanceTimersByTime(LISTEN_RETRY_MS);
    await bound;
    expect(l.status).toEqual({ name: 'http', protocol: 'TCP', port, state: 'listening' });
    expect(changes).toBe(attempts + 1);
    expect(edge.listenerCount('listening')).toBe(0);
    expect(edge.listenerCount('error')).toBe(0);
    l.stop();
  });
});
