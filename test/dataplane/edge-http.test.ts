import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { backendOf, fragment, request, route, startHttpBackend, startTestEdge } from './edge-helpers.js';
import { freePort, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();

function keepAlive(): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  defer(() => agent.destroy());
  return agent;
}

describe('edge (HTTP)', () => {
  it('routes by host and path, answers 404 for an unknown host or path, and counts per route', async () => {
    const [web, api] = await Promise.all([startHttpBackend(defer, 'web'), startHttpBackend(defer, 'api')]);
    const edge = await startTestEdge(defer);
    await edge.configure(
      fragment('shop', 'shop.test', [route('api', 'Prefix', '/api', [{ backend: 'api', weight: 1 }]), route('web', 'Exact', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web]), backendOf('api', [api])]),
      1,
    );
    expect((await request(edge.port, { path: '/api/items?x=1' })).body).toBe('api GET /api/items?x=1');
    expect((await request(edge.port, { path: '/' })).body).toBe('web GET /');
    const unknownHost = await request(edge.port, { host: 'other.test' });
    expect([unknownHost.status, unknownHost.body, unknownHost.headers['content-type']]).toEqual([404, 'no route for this host\n', 'text/plain; charset=utf-8']);
    expect((await request(edge.port, { path: '/apix' })).status).toBe(404);
    const status = await waitFor(async () => {
      const s = await edge.readStatus();
      return s.routes.find((r) => r.id === 'api')?.requests === 1 && s.routes.find((r) => r.id === 'web')?.requests === 1 ? s : undefined;
    }, 'route counters');
    const apiRoute = status.routes.find((r) => r.id === 'api')!;
    expect(apiRoute.responses['2xx']).toBe(1);
    expect(apiRoute.latency.counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(status.apps.shop).toMatchObject({ generation: 1, hosts: ['shop.test'], conflicts: [], errors: [] });
    expect(status.listening).toEqual([{ name: 'http', protocol: 'TCP', port: edge.port, state: 'listening' }]);
  });

  it('answers 502 when no endpoint accepts, 503 with no ready endpoint, 500 for an invalid backend', async () => {
    const dead = await freePort();
    const edge = await startTestEdge(defer);
    await edge.configure(
      {
        app: 'shop',
        virtualHosts: [
          {
            host: 'shop.test',
            listeners: ['http'],
            routes: [route('dead', 'Prefix', '/dead', [{ backend: 'dead', weight: 1 }]), route('none', 'Prefix', '/none', [{ backend: 'none', weight: 1 }]), route('bad', 'Prefix', '/bad', [{ backend: 'bad', weight: 1 }])],
          },
        ],
        backends: [
          { id: 'dead', service: { namespace: 'shop', name: 'dead', port: 80 }, endpoints: [{ name: 'dead-1', ip: '127.0.0.1', port: dead, ready: true }] },
          { id: 'none', service: { namespace: 'shop', name: 'none', port: 80 }, endpoints: [{ name: 'none-1', ip: '127.0.0.1', port: dead, ready: false }] },
          { id: 'bad', service: { namespace: 'shop', name: 'bad', port: 80 }, endpoints: [], invalid: 'no such Service' },
        ],
        certificates: [],
      },
      1,
    );
    expect((await request(edge.port, { path: '/dead' })).status).toBe(502);
    expect((await request(edge.port, { path: '/none' })).status).toBe(503);
    expect((await request(edge.port, { path: '/bad' })).status).toBe(500);
    const ep = await waitFor(async () => (await edge.readStatus()).endpoints.find((e) => e.name === 'dead-1' && e.failures === 1), 'failure counted');
    expect(ep.state).toBe('unreachable');
  });

  it('fails over to the next endpoint when one refuses the connection', async () => {
    const web = await startHttpBackend(defer, 'web');
    const dead = await freePort();
    const edge = await startTestEdge(defer);
    const b = backendOf('web', [web]);
    b.endpoints.unshift({ name: 'dead', ip: '127.0.0.1', port: dead, ready: true });
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [b]), 1);
    const replies = await Promise.all([1, 2, 3, 4].map(() => request(edge.port)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it('keeps client connections alive and reuses pooled backend connections', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer);
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    const agent = keepAlive();
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await request(edge.port, { agent, path: `/${i}` }));
    expect(replies.map((r) => [r.status, r.reusedSocket])).toEqual([
      [200, false],
      [200, true],
      [200, true],
      [200, true],
      [200, true],
    ]);
    expect(web.connections).toBe(1);
    // Multi-valued response headers survive (raw headers are copied, hop-by-hop ones dropped).
    expect(replies[0]!.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('retries a body-less request once on a fresh socket when a reused one was closed', async () => {
    // A backend that drops every connection at its second request, as a pod closing an idle
    // keep-alive socket just as the edge reuses it.
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      let seen = 0;
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString();
        while (buf.includes('\r\n\r\n')) {
          buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
          seen++;
          if (seen === 2) return s.destroy();
          s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        }
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    defer(() => new Promise((r) => server.close(r)));
    const port = (server.address() as net.AddressInfo).port;
    const edge = await startTestEdge(defer);
    await edge.configure(
      fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'b', weight: 1 }])], [{ id: 'b', service: { namespace: 'shop', name: 'b', port: 80 }, endpoints: [{ name: 'b-1', ip: '127.0.0.1', port, ready: true }] }]),
      1,
    );
    expect((await request(edge.port)).status).toBe(200);
    const second = await request(edge.port);
    expect([second.status, second.body]).toEqual([200, 'ok']);
    expect(connections).toBe(2);
  });

  it('replaces X-Forwarded-For by default and appends to it for a trusted peer', async () => {
    const web = await startHttpBackend(defer, 'web');
    const config = fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]);
    const spoofed = { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https' };
    const plain = await startTestEdge(defer);
    await plain.configure(config, 1);
    await request(plain.port, { headers: spoofed });
    expect(web.requests.at(-1)!.headers).toMatchObject({
      host: 'shop.test',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'shop.test',
      'x-forwarded-port': String(plain.port),
      'x-real-ip': '127.0.0.1',
    });
    const trusting = await startTestEdge(defer, { trustedProxies: ['127.0.0.0/8'] });
    await trusting.configure(config, 1);
    await request(trusting.port, { headers: spoofed });
    expect(web.requests.at(-1)!.headers).toMatchObject({ 'x-forwarded-for': '6.6.6.6, 127.0.0.1', 'x-forwarded-proto': 'https', 'x-real-ip': '6.6.6.6' });
  });

  it('streams a 50 MiB body both ways without buffering it', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer);
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    const chunk = Buffer.alloc(1024 * 1024, 1);
    // Lock-step: the next MiB is sent only once the previous one came back through the echo
    // backend. An edge that buffered either body until its end would never echo: no progress.
    const received = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: edge.port, method: 'POST', path: '/echo', headers: { host: 'shop.test' }, agent: false }, (res) => {
        let n = 0;
        res.on('data', (d: Buffer) => {
          n += d.length;
          if (n === sent && sent < 50 * chunk.length) send();
        });
        res.on('end', () => resolve(n));
      });
      req.on('error', reject);
      let sent = 0;
      const send = () => {
        sent += chunk.length;
        req.write(chunk);
        if (sent === 50 * chunk.length) req.end();
      };
      req.flushHeaders();
      send();
    });
    expect(received).toBe(50 * chunk.length);
    const down = await request(edge.port, { path: '/big?mb=50' });
    expect(down.body.length).toBe(50 * chunk.length);
  });

  it('splits requests by weight', async () => {
    const [v1, v2] = await Promise.all([startHttpBackend(defer, 'v1'), startHttpBackend(defer, 'v2')]);
    const edge = await startTestEdge(defer);
    await edge.configure(
      fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'v1', weight: 3 }, { backend: 'v2', weight: 1 }])], [backendOf('v1', [v1]), backendOf('v2', [v2])]),
      1,
    );
    const agent = keepAlive();
    for (let i = 0; i < 200; i++) await request(edge.port, { agent });
    // Smooth weighted round robin is deterministic: an exact 3:1 over whole cycles.
    expect([v1.requests.length, v2.requests.length]).toEqual([150, 50]);
  });

  it('applies a new fragment without dropping an open keep-alive connection', async () => {
    const [v1, v2] = await Promise.all([startHttpBackend(defer, 'v1'), startHttpBackend(defer, 'v2')]);
    const edge = await startTestEdge(defer);
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'v1', weight: 1 }])], [backendOf('v1', [v1])]), 1);
    const agent = keepAlive();
    expect((await request(edge.port, { agent })).body).toBe('v1 GET /');
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'v2', weight: 1 }])], [backendOf('v2', [v2])]), 2);
    const after = await request(edge.port, { agent });
    expect([after.body, after.reusedSocket]).toEqual(['v2 GET /', true]);
  });

  it('redirects with RequestRedirect and rewrites with URLRewrite and RequestHeaderModifier', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer);
    await edge.configure(
      fragment(
        'shop',
        'shop.test',
        [
          route('old', 'Prefix', '/old', [], { filters: [{ type: 'RequestRedirect', scheme: 'https', statusCode: 301, path: { type: 'ReplacePrefixMatch', value: '/new' } }] }),
          route('v2', 'Prefix', '/v2', [{ backend: 'web', weight: 1 }], {
            filters: [
              { type: 'URLRewrite', hostname: 'web.internal', path: { type: 'ReplacePrefixMatch', value: '/' } },
              { type: 'RequestHeaderModifier', set: [{ name: 'X-Set', value: '1' }], remove: ['X-Drop'] },
            ],
          }),
        ],
        [backendOf('web', [web])],
      ),
      1,
    );
    const moved = await request(edge.port, { path: '/old/page?q=1' });
    expect([moved.status, moved.headers.location]).toEqual([301, 'https://shop.test/new/page?q=1']);
    const rewritten = await request(edge.port, { path: '/v2/items', headers: { 'x-drop': 'yes' } });
    expect(rewritten.body).toBe('web GET /items');
    expect(web.requests.at(-1)!.headers).toMatchObject({ host: 'web.internal', 'x-set': '1' });
    expect(web.requests.at(-1)!.headers['x-drop']).toBeUndefined();
  });

  it('answers 504 when the backend sends no response head within the route timeout', async () => {
    // A backend that accepts and never answers.
    const silent = net.createServer((sock) => sock.on('error', () => {}));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const open = new Set<net.Socket>();
    silent.on('connection', (sock) => open.add(sock));
    defer(() => {
      for (const sock of open) sock.destroy();
      return new Promise((r) => silent.close(r));
    });
    const port = (silent.address() as net.AddressInfo).port;
    const edge = await startTestEdge(defer);
    const b = { id: 'b', service: { namespace: 'shop', name: 'b', port: 80 }, endpoints: [{ name: 'b-1', ip: '127.0.0.1', port, ready: true }] };
    await edge.configure(
      fragment('shop', 'shop.test', [route('head', 'Prefix', '/head', [{ backend: 'b', weight: 1 }], { timeouts: { backendRequestMs: 50 } }), route('whole', 'Prefix', '/whole', [{ backend: 'b', weight: 1 }], { timeouts: { requestMs: 50 } })], [b]),
      1,
    );
    const head = await request(edge.port, { path: '/head' });
    expect([head.status, head.body]).toEqual([504, 'the backend did not answer in time\n']);
    expect((await request(edge.port, { path: '/whole' })).status).toBe(504);
    const s = await waitFor(async () => {
      const st = await edge.readStatus();
      return st.routes.every((r) => r.responses['5xx'] === 1) ? st : undefined;
    }, '5xx counted');
    expect(s.routes.map((r) => r.id)).toEqual(['head', 'whole']);
  });
});
