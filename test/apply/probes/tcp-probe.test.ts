import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tcpSocketProbe } from '../../../src/apply/probes/index.js';

let server: net.Server;
let openPort: number;
let closedPort: number;
let accepted = 0;

beforeAll(async () => {
  server = net.createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  openPort = (server.address() as AddressInfo).port;
  // A port that was just free: listen, note it, close.
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  closedPort = (probe.address() as AddressInfo).port;
  probe.close();
  await once(probe, 'close');
});
afterAll(async () => {
  server.close();
  await once(server, 'close');
});

describe('tcpSocketProbe against loopback', () => {
  it('an open port passes, and the connection is made', async () => {
    const before = accepted;
    expect(await tcpSocketProbe('127.0.0.1', openPort, new AbortController().signal)).toEqual({
      ok: true,
      message: `TCP connect to 127.0.0.1:${openPort} succeeded`,
    });
    // The server may see the connection a tick after the client did.
    while (accepted === before) await new Promise((resolve) => setImmediate(resolve));
    expect(accepted).toBe(before + 1);
  });

  it('a closed port fails with the cause', async () => {
    expect(await tcpSocketProbe('127.0.0.1', closedPort, new AbortController().signal)).toEqual({
      ok: false,
      message: `dial tcp 127.0.0.1:${closedPort}: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    });
  });

  it('an aborted signal fails without connecting', async () => {
    const abort = new AbortController();
    abort.abort();
    const before = accepted;
    expect(await tcpSocketProbe('127.0.0.1', openPort, abort.signal)).toEqual({
      ok: false,
      message: `dial tcp 127.0.0.1:${openPort}: cancelled`,
    });
    expect(accepted).toBe(before);
  });

  it('formats IPv6 addresses with brackets', async () => {
    const outcome = await tcpSocketProbe('::1', closedPort, new AbortController().signal);
    expect(outcome.ok).toBe(false);
    expect(outcome.message.startsWith(`dial tcp [::1]:${closedPort}: `)).toBe(true);
  });
});
