import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailures, startLoad } from './load.js';

/**
 * The chaos suite's failed-request counter (issue 13 #4) must count what a client sees fail:
 * resets and non-200 answers, on both kinds of connection, and nothing else.
 */
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/reset') return void req.socket.destroy();
    if (req.url === '/503') return void res.writeHead(503).end('unavailable');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"pod":"p","version":"1.0"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function run(path: string) {
  const load = startLoad({ keepAlive: [`${base}${path}`], fresh: [`${base}${path}`], perSecond: 50 });
  load.mark('start');
  await new Promise((r) => setTimeout(r, 300));
  return { stats: await load.stop(), load };
}

describe('startLoad counts failed requests', () => {
  it.each([
    { path: '/ok', error: undefined },
    { path: '/503', error: 'HTTP 503' },
    { path: '/reset', error: 'ECONNRESET' },
  ])('$path: every request fails with $error, or none', async ({ path, error }) => {
    const { stats, load } = await run(path);
    expect(stats.requests).toBeGreaterThan(4);
    expect(stats.byKind['keep-alive'].requests).toBe(stats.byKind['new-connection'].requests);
    if (error === undefined) {
      expect([stats.failed, stats.byError, describeFailures(load)]).toEqual([0, {}, []]);
    } else {
      expect(stats.failed).toBe(stats.requests);
      expect(stats.byError).toEqual({ [error]: stats.requests });
      expect(describeFailures(load)[0]).toMatch(new RegExp(`^(keep-alive|new-connection) ${error} \\+\\d+\\.\\d s after 'start'`));
    }
  });
});
