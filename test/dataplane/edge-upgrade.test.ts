import { createHash } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { backendOf, fragment, route, startHttpBackend, startTestEdge } from './edge-helpers.js';
import { freePort, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();

function upgrade(port: number, path = '/ws'): Promise<{ res: http.IncomingMessage; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const key = createHash('sha1').update(String(port)).digest('base64');
    const req = http.request({ host: '127.0.0.1', port, path, agent: false, headers: { host: 'shop.test', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13' } });
    req.on('upgrade', (res, socket) => {
      defer(() => socket.destroy());
      resolve({ res, socket });
    });
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('edge (upgrades)', () => {
  it('passes a WebSocket upgrade through and echoes both ways, counting the tunnel as active', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer);
    await edge.configure(fragment('shop', 'shop.test', [route('ws', 'Prefix', '/ws', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    const { res, socket } = await upgrade(edge.port);
    expect([res.statusCode, res.headers.upgrade, res.headers['x-backend']]).toEqual([101, 'websocket', 'web']);
    expect(web.requests.at(-1)!.headers).toMatchObject({ upgrade: 'websocket', 'x-forwarded-for': '127.0.0.1', 'sec-websocket-version': '13' });
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.write('hello through the edge');
    await waitFor(() => got === 'hello through the edge', 'echo');
    const active = await waitFor(async () => (await edge.readStatus()).endpoints.find((e) => e.name === 'web' && e.active === 1), 'tunnel counted');
    expect(active.state).toBe('serving');
    socket.destroy();
    await waitFor(async () => (await edge.readStatus()).endpoints.find((e) => e.name === 'web' && e.active === 0), 'tunnel closed');
  });

  it('answers an upgrade with 404 for an unknown host and 502 when no endpoint accepts', async () => {
    const dead = await freePort();
    const edge = await startTestEdge(defer);
    await edge.configure(
      fragment('shop', 'shop.test', [route('ws', 'Prefix', '/', [{ backend: 'b', weight: 1 }])], [{ id: 'b', service: { namespace: 'shop', name: 'b', port: 80 }, endpoints: [{ name: 'b-1', ip: '127.0.0.1', port: dead, ready: true }] }]),
      1,
    );
    await expect(upgrade(edge.port)).rejects.toThrow('no upgrade: 502');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: edge.port, path: '/', agent: false, headers: { host: 'nope.test', connection: 'Upgrade', upgrade: 'websocket' } });
      req.on('response', (r) => resolve(r.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
  });
});
