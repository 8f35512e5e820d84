import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import type { Defer } from './helpers.js';
import { endpointsFor, freePort, proxyConfig, startTestProxy, startUdpBackend, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();

interface UdpClient {
  ask(text: string, timeoutMs?: number): Promise<string>;
}

async function udpClient(defer: Defer, port: number): Promise<UdpClient> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  defer(() => new Promise((r) => socket.close(() => r(undefined))));
  return {
    ask: (text, timeoutMs = 2_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no UDP reply to ${text}`)), timeoutMs);
        socket.once('message', (m) => {
          clearTimeout(timer);
          resolve(m.toString());
        });
        socket.send(text, port, '127.0.0.1');
      }),
  };
}

describe('service proxy (UDP)', () => {
  it('relays datagrams both ways, one flow per client address, balanced across endpoints', async () => {
    const backends = await Promise.all(['a', 'b'].map((id) => startUdpBackend(defer, id)));
    const proxy = await startTestProxy(defer, { udpIdleMs: 300 });
    const port = await freePort();
    const status = await proxy.configure(proxyConfig([{ name: 'main', protocol: 'UDP', port }], endpointsFor(backends)), 1);
    expect(status.listening).toEqual([{ name: 'main', protocol: 'UDP', port, state: 'listening' }]);

    const c1 = await udpClient(defer, port);
    const c2 = await udpClient(defer, port);
    const r1 = [await c1.ask('x1'), await c1.ask('x2'), await c1.ask('x3')];
    const r2 = [await c2.ask('y1'), await c2.ask('y2')];
    // A flow sticks to its endpoint; the two flows went to different endpoints (round-robin).
    const id1 = r1[0]!.split(':')[0]!;
    const id2 = r2[0]!.split(':')[0]!;
    expect(r1).toEqual([`${id1}:x1`, `${id1}:x2`, `${id1}:x3`]);
    expect(r2).toEqual([`${id2}:y1`, `${id2}:y2`]);
    expect(new Set([id1, id2])).toEqual(new Set(['a', 'b']));

    const busy = await waitFor(async () => {
      const s = await proxy.readStatus();
      return s.endpoints.every((e) => e.active === 1) ? s : undefined;
    }, 'one flow per endpoint');
    expect(busy.endpoints.map((e) => e.total)).toEqual([1, 1]);
    // Idle flows expire.
    await waitFor(async () => (await proxy.readStatus()).endpoints.every((e) => e.active === 0), 'flows to expire');
  });

  it('moves a flow off an endpoint that leaves the config', async () => {
    const [a, b] = await Promise.all(['a', 'b'].map((id) => startUdpBackend(defer, id)));
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    const ports = [{ name: 'main', protocol: 'UDP' as const, port }];
    await proxy.configure(proxyConfig(ports, endpointsFor([a!])), 1);
    const c = await udpClient(defer, port);
    expect(await c.ask('1')).toBe('a:1');
    await proxy.configure(proxyConfig(ports, endpointsFor([b!])), 2);
    expect(await c.ask('2')).toBe('b:2');
  });

  it('serves TCP and UDP on the same port number side by side', async () => {
    const [u] = await Promise.all([startUdpBackend(defer, 'u')]);
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    const status = await proxy.configure(
      proxyConfig(
        [
          { name: 'dns-udp', protocol: 'UDP', port, targetPort: u!.port },
          { name: 'dns-tcp', protocol: 'TCP', port, targetPort: u!.port },
        ],
        [{ ip: '127.0.0.1', ready: true }],
      ),
      1,
    );
    expect(status.listening.map((l) => `${l.protocol}/${l.state}`).sort()).toEqual(['TCP/listening', 'UDP/listening']);
    const c = await udpClient(defer, port);
    expect(await c.ask('q')).toBe('u:q');
  });

  it('closes a flow whose endpoint answers port-unreachable and sends the next datagram elsewhere', async () => {
    const live = await startUdpBackend(defer, 'live');
    const deadPort = await freePort();
    const proxy = await startTestProxy(defer);
    const port = await freePort();
    await proxy.configure(
      proxyConfig([{ name: 'main', protocol: 'UDP', port }], [{ name: 'dead', ip: '127.0.0.1', ready: true, ports: { main: deadPort } }, ...endpointsFor([live])]),
      1,
    );
    const c = await udpClient(defer, port);
    // Round-robin starts with the dead endpoint: that datagram is lost, as UDP to a stopped pod is.
    await expect(c.ask('lost', 300)).rejects.toThrow('no UDP reply');
    await waitFor(async () => (await proxy.readStatus()).endpoints.find((e) => e.name === 'dead')?.state === 'unreachable', 'dead endpoint reported');
    expect(await c.ask('again')).toBe('live:again');
  });
});
