import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { endpointsFor, fetchId, freePort, openClient, proxyConfig, sleep, startSilentListener, startTcpBackend, startTestProxy, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();

function countIds(ids: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of ids) out[id] = (out[id] ?? 0) + 1;
  return out;
}

async function sequential(n: number, fn: (i: number) => Promise<string>): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}

describe('service proxy (TCP)', () => {
  it('balances connections round-robin across ready endpoints and reports counts in status.json', async () => {
    const backends = await Promise.all(['a', 'b', 'c'].map((id) => startTcpBackend(defer, id)));
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    const acked = await proxy.configure(proxyConfig([{ name: 'main', protocol: 'TCP', port }], endpointsFor(backends)), 1);
    expect(acked.listening).toEqual([{ name: 'main', protocol: 'TCP', port, state: 'listening' }]);

    const ids = await sequential(30, () => fetchId(port));
    expect(countIds(ids)).toEqual({ a: 10, b: 10, c: 10 });

    const status = await waitFor(async () => {
      const s = await proxy.readStatus();
      return s.endpoints.every((e) => e.total === 10 && e.active === 0) ? s : undefined;
    }, 'status counts');
    expect(status.endpoints.map((e) => [e.name, e.state, e.total, e.active, e.failures])).toEqual([
      ['a', 'serving', 10, 0, 0],
      ['b', 'serving', 10, 0, 0],
      ['c', 'serving', 10, 0, 0],
    ]);
    // Notable events only: no log line per connection.
    expect(proxy.log.records.length).toBeLessThan(5);
  });

  it('sends nothing to endpoints that are not ready', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => startTcpBackend(defer, id)));
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    await proxy.configure(proxyConfig([{ name: 'main', protocol: 'TCP', port }], [...endpointsFor([a!, b!]), ...endpointsFor([c!], 'main', false)]), 1);
    const ids = await sequential(20, () => fetchId(port));
    expect(countIds(ids)).toEqual({ a: 10, b: 10 });
    expect(c!.accepted).toBe(0);
    expect((await proxy.readStatus()).endpoints.find((e) => e.name === 'c')?.state).toBe('not-ready');
  });

  it('keeps an open connection to a removed endpoint working while new connections go elsewhere', async () => {
    const [a, b] = await Promise.all(['a', 'b'].map((id) => startTcpBackend(defer, id)));
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    const ports = [{ name: 'main', protocol: 'TCP' as const, port }];
    await proxy.configure(proxyConfig(ports, endpointsFor([a!, b!])), 1);

    const long = await openClient(port, defer);
    await long.waitFor('\n');
    const pinned = long.received().trim();
    const other = pinned === 'a' ? b! : a!;
    const removed = pinned === 'a' ? a! : b!;
    const status = await proxy.configure(proxyConfig(ports, endpointsFor([other])), 2);
    expect(status.endpoints.find((e) => e.name === pinned)).toMatchObject({ state: 'draining', active: 1 });

    const ids = await sequential(10, () => fetchId(port));
    expect(new Set(ids)).toEqual(new Set([other.id]));
    long.socket.write('still-here\n');
    await long.waitFor('still-here');
    expect(removed.accepted).toBe(1);

    // Half-close crosses the proxy: our FIN reaches the backend, its reply and FIN come back.
    long.socket.end();
    const closed = await long.closed;
    expect(closed).toEqual({ hadError: false, received: `${pinned}\nstill-here\nbye\n` });
    await waitFor(async () => !(await proxy.readStatus()).endpoints.some((e) => e.name === pinned), 'drained endpoint to leave status');
  });

  it('skips a refusing endpoint transparently and logs it once', async () => {
    const [a, b] = await Promise.all(['a', 'b'].map((id) => startTcpBackend(defer, id)));
    const dead = await freePort();
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    await proxy.configure(
      proxyConfig([{ name: 'main', protocol: 'TCP', port }], [...endpointsFor([a!]), { name: 'dead', ip: '127.0.0.1', ready: true, ports: { main: dead } }, ...endpointsFor([b!])]),
      1,
    );
    const ids = await Promise.all(Array.from({ length: 30 }, () => fetchId(port)));
    expect(ids).toHaveLength(30);
    expect(new Set(ids)).toEqual(new Set(['a', 'b']));
    const status = await waitFor(async () => {
      const s = await proxy.readStatus();
      return s.endpoints.find((e) => e.name === 'dead')?.state === 'unreachable' ? s : undefined;
    }, 'dead endpoint reported');
    expect(status.endpoints.find((e) => e.name === 'dead')).toMatchObject({ failures: expect.any(Number), lastError: expect.stringContaining('ECONNREFUSED') });
    expect(proxy.log.records.filter((r) => r.msg === 'endpoint unreachable')).toHaveLength(1);
  });

  it('fails over from an endpoint whose connect hangs once the connect timeout passes, and tries it last afterwards', async () => {
    // A task that just stopped may still be in the Swarm proxy's last DNS answer; on an overlay
    // a connect to its address hangs rather than being refused. No client may see that.
    const [a] = await Promise.all([startTcpBackend(defer, 'a')]);
    const silent = await startSilentListener(defer);
    const proxy = await startTestProxy(defer, { connectTimeoutMs: 300 });
    const port = await freePort();
    await proxy.configure(
      proxyConfig([{ name: 'main', protocol: 'TCP', port }], [{ name: 'gone', ip: '127.0.0.1', ready: true, ports: { main: silent } }, ...endpointsFor([a!])]),
      1,
    );
    const started = Date.now();
    // Round-robin starts at the silent endpoint for the first client and at `a` for the second.
    expect(await Promise.all([fetchId(port), fetchId(port)])).toEqual(['a', 'a']);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2_000);
    const status = await waitFor(async () => {
      const s = await proxy.readStatus();
      return s.endpoints.find((e) => e.name === 'gone')?.state === 'unreachable' ? s : undefined;
    }, 'hanging endpoint reported');
    expect(status.endpoints.find((e) => e.name === 'gone')).toMatchObject({ failures: 1, lastError: expect.stringContaining('ETIMEDOUT') });
    // In back-off it goes last: the next clients do not wait for it.
    const again = Date.now();
    expect(await sequential(4, () => fetchId(port))).toEqual(['a', 'a', 'a', 'a']);
    expect(Date.now() - again).toBeLessThan(250);
  });

  it('refuses connections immediately when no endpoint is ready', async () => {
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    await proxy.configure(proxyConfig([{ name: 'main', protocol: 'TCP', port }], []), 1);
    const started = Date.now();
    await expect(fetchId(port)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('tries every endpoint and then closes the client when all of them refuse', async () => {
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    const deadPorts = await Promise.all([freePort(), freePort()]);
    await proxy.configure(
      proxyConfig(
        [{ name: 'main', protocol: 'TCP', port }],
        deadPorts.map((p, i) => ({ name: `dead${i}`, ip: '127.0.0.1', ready: true, ports: { main: p } })),
      ),
      1,
    );
    await expect(fetchId(port)).rejects.toThrow();
    const s = await waitFor(async () => {
      const st = await proxy.readStatus();
      return st.endpoints.every((e) => e.state === 'unreachable') ? st : undefined;
    }, 'both unreachable');
    expect(s.endpoints.map((e) => e.failures)).toEqual([1, 1]);
    expect(proxy.program.proxy.connectionCount).toBe(0);
  });

  it('keeps a client IP on one endpoint under ClientIP affinity, and moves it when that endpoint leaves', async () => {
    const backends = await Promise.all(['a', 'b', 'c'].map((id) => startTcpBackend(defer, id)));
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    const ports = [{ name: 'main', protocol: 'TCP' as const, port }];
    const affinity = { type: 'ClientIP' as const, timeoutSeconds: 60 };
    await proxy.configure(proxyConfig(ports, endpointsFor(backends), affinity), 1);
    const ids = await sequential(12, () => fetchId(port));
    expect(new Set(ids).size).toBe(1);
    const first = ids[0]!;
    // Another client address (all of 127/8 is loopback on Linux) is balanced independently.
    const otherClient = await sequential(6, () => fetchId(port, '127.0.0.2'));
    expect(new Set(otherClient).size).toBe(1);

    await proxy.configure(proxyConfig(ports, endpointsFor(backends.filter((b) => b.id !== first)), affinity), 2);
    const after = await sequential(8, () => fetchId(port));
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(first);
  });

  it('opens and closes listeners on reconfiguration without disturbing the others', async () => {
    const [a] = await Promise.all([startTcpBackend(defer, 'a')]);
    const proxy = await startTestProxy(defer);
    const [p1, p2, p3] = await Promise.all([freePort(), freePort(), freePort()]);
    const ep = [{ name: 'a', ip: '127.0.0.1', ready: true }];
    await proxy.configure(
      proxyConfig(
        [
          { name: 'one', protocol: 'TCP', port: p1, targetPort: a!.port },
          { name: 'two', protocol: 'TCP', port: p2, targetPort: a!.port },
        ],
        ep,
      ),
      1,
    );
    const held = await openClient(p1, defer);
    await held.waitFor('a\n');
    const status = await proxy.configure(
      proxyConfig(
        [
          { name: 'one', protocol: 'TCP', port: p1, targetPort: a!.port },
          { name: 'three', protocol: 'TCP', port: p3, targetPort: a!.port },
        ],
        ep,
      ),
      2,
    );
    expect(status.listening.map((l) => [l.name, l.port, l.state])).toEqual([
      ['one', p1, 'listening'],
      ['three', p3, 'listening'],
    ]);
    held.socket.write('ping\n');
    await held.waitFor('ping\n');
    expect(await fetchId(p1)).toBe('a');
    expect(await fetchId(p3)).toBe('a');
    await expect(fetchId(p2)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('reports a port it cannot bind and binds it once it frees up', async () => {
    const [a] = await Promise.all([startTcpBackend(defer, 'a')]);
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as net.AddressInfo).port;
    const proxy = await startTestProxy(defer);
    const status = await proxy.configure(proxyConfig([{ name: 'main', protocol: 'TCP', port, targetPort: a!.port }], [{ ip: '127.0.0.1', ready: true }]), 1);
    expect(status.listening[0]).toMatchObject({ state: 'failed', error: 'EADDRINUSE' });
    expect(status.errors.map((e) => e.code)).toEqual(['LISTEN_FAILED']);
    await new Promise<void>((r) => squatter.close(() => r()));
    await waitFor(async () => (await proxy.readStatus()).listening[0]?.state === 'listening', 'listener retry', 8_000);
    expect(await fetchId(port)).toBe('a');
  });

  it('loses no connection while the endpoint set changes under continuous load', async () => {
    const backends = await Promise.all(['a', 'b', 'c', 'd'].map((id) => startTcpBackend(defer, id)));
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    const ports = [{ name: 'main', protocol: 'TCP' as const, port }];
    await proxy.configure(proxyConfig(ports, endpointsFor(backends.slice(0, 2))), 1);

    let stop = false;
    let ok = 0;
    const failures: unknown[] = [];
    const seen = new Set<string>();
    const worker = async () => {
      while (!stop) {
        try {
          seen.add(await fetchId(port));
          ok++;
        } catch (err) {
          failures.push(err);
        }
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    // Rolling sets: always at least one ready endpoint, a removed endpoint's server stays up
    // (it drains) and a not-ready one is listed but gets nothing.
    const sets = [[0, 1, 2], [1, 2], [2, 3], [3], [0, 3], [0, 1, 2, 3], [1]];
    let gen = 2;
    for (let round = 0; round < 3; round++) {
      for (const set of sets) {
        const eps = backends.map((b, i) => ({ name: b.id, ip: '127.0.0.1', ready: set.includes(i), ports: { main: b.port } }));
        await proxy.configure(proxyConfig(ports, eps), gen++);
        await sleep(20);
      }
    }
    stop = true;
    await Promise.all(workers);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(200);
    expect(seen).toEqual(new Set(['a', 'b', 'c', 'd']));
  });

  it('leaves no sockets open after many short connections', async () => {
    const [a, b] = await Promise.all(['a', 'b'].map((id) => startTcpBackend(defer, id)));
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    await proxy.configure(proxyConfig([{ name: 'main', protocol: 'TCP', port }], endpointsFor([a!, b!])), 1);
    await Promise.all(Array.from({ length: 200 }, () => fetchId(port)));
    // Clients that half-close and wait for the reply, too.
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const c = await openClient(port, defer);
        c.socket.end('x');
        return c.closed;
      }),
    );
    await waitFor(async () => proxy.program.proxy.connectionCount === 0 && (await a!.open()) === 0 && (await b!.open()) === 0, 'all sockets closed');
    const status = await waitFor(async () => {
      const s = await proxy.readStatus();
      // The status file written before these connections also has every count at zero: wait for the totals.
      return s.endpoints.every((e) => e.active === 0) && s.endpoints.reduce((n, e) => n + e.total, 0) === 250 ? s : undefined;
    }, 'active counts back to zero');
    expect(status.endpoints.reduce((n, e) => n + e.total, 0)).toBe(250);
  });
});
