import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiHandlers, ApiServer } from '../../../src/runtime/api/server.js';
import { createApiServer } from '../../../src/runtime/api/server.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { raw } from './support.js';

const SECRET = Buffer.from('hook-secret');
const servers: ApiServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A server on loopback with handlers that record what they were asked. */
async function serve(options: { token?: string; allowedHosts?: string[]; webhookSecret?: Buffer; maxBodyBytes?: number; listen?: string } = {}) {
  const calls: string[] = [];
  const ok = (name: string) => () => (calls.push(name), { status: 200, body: { name } });
  const handlers: ApiHandlers = {
    health: ok('health'),
    ready: async () => (calls.push('ready'), { status: 503, body: { ready: false } }),
    metrics: () => (calls.push('metrics'), { status: 200, text: 'berth_up 1\n' }),
    status: ok('status'),
    resources: async (q) => (calls.push(`resources ${JSON.stringify(q)}`), { status: 200, body: {} }),
    revisions: ok('revisions'),
    events: ok('events'),
    diff: async () => {
      throw Object.assign(new Error('Docker is gone'), { code: 'DOCKER_UNREACHABLE' });
    },
    sync: () => (calls.push('sync'), { status: 202, body: { accepted: true } }),
    webhook: (v) => (calls.push(`webhook ${v.forge} ${v.event.kind}`), { status: 202, body: {} }),
    webhookRejected: (v) => void calls.push(`rejected ${v.reason}`),
  };
  const server = createApiServer({ handlers, log: silentLogger(), ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}), ...(options.token ? { token: options.token } : {}), ...(options.webhookSecret ? { webhookSecret: options.webhookSecret } : {}), ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}) });
  servers.push(server);
  const listenOn = options.listen ?? '127.0.0.1';
  const { port } = await server.listen(listenOn, 0);
  const base = listenOn.includes(':') ? `[${listenOn}]` : listenOn === '0.0.0.0' ? '127.0.0.1' : listenOn;
  const request = async (method: string, path: string, init: { headers?: Record<string, string>; body?: string | Buffer } = {}) => {
    const res = await raw(port, base, method, path, init.headers ?? {}, init.body);
    return { status: res.status, type: res.headers['content-type'] ?? null, text: res.text, headers: new Headers(res.headers as Record<string, string>) };
  };
  return { calls, request, port };
}

describe('API server', () => {
  it('routes reads and writes; unknown paths 404, wrong methods 405 with Allow', async () => {
    const { calls, request } = await serve();
    expect((await request('GET', '/healthz')).status).toBe(200);
    expect((await request('GET', '/readyz')).status).toBe(503);
    const metrics = await request('GET', '/metrics');
    expect([metrics.status, metrics.type, metrics.text]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8', 'berth_up 1\n']);
    expect(JSON.parse((await request('GET', '/api/v1/status/')).text)).toEqual({ name: 'status', access: { privileged: false, exec: false } });
    expect((await request('GET', '/api/v1/resources?kind=Pod')).status).toBe(200);
    expect((await request('POST', '/api/v1/sync', { headers: { 'content-type': 'application/json' } })).status).toBe(202);
    const wrong = await request('POST', '/api/v1/status');
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'GET']);
    expect((await request('GET', '/nope')).status).toBe(404);
    expect(calls).toEqual(['health', 'ready', 'metrics', 'status', 'resources {"kind":"Pod"}', 'sync']);
  });

  it('turns a handler error into 500 with its code', async () => {
    const { request } = await serve();
    const res = await request('GET', '/api/v1/diff');
    expect([res.status, JSON.parse(res.text)]).toEqual([500, { error: 'Docker is gone', code: 'DOCKER_UNREACHABLE' }]);
  });

  it('with a token, every endpoint but the health probes and the webhook needs it (401 with WWW-Authenticate)', async () => {
    const { calls, request } = await serve({ token: 't0ken' });
    expect((await request('POST', '/api/v1/sync')).status).toBe(401);
    expect((await request('POST', '/api/v1/sync', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await request('POST', '/api/v1/sync', { headers: { authorization: 'Bearer t0ken' } })).status).toBe(202);
    for (const path of ['/api/v1/status', '/api/v1/events', '/api/v1/revisions', '/api/v1/resources', '/api/v1/diff', '/metrics']) {
      const res = await request('GET', path);
      expect([path, res.status, res.headers.get('www-authenticate')]).toEqual([path, 401, 'Bearer realm="berth"']);
      for (const bad of ['t0ke', 't0kenx', 'Basic t0ken', 'Bearer', 'Bearer t0ken extra'])
        expect([path, bad, (await request('GET', path, { headers: { authorization: bad.startsWith('B') ? bad : `Bearer ${bad}` } })).status]).toEqual([path, bad, 401]);
    }
    expect((await request('GET', '/api/v1/status', { headers: { authorization: 'bearer t0ken' } })).status).toBe(200);
    expect((await request('GET', '/healthz')).status).toBe(200);
    expect((await request('GET', '/readyz')).status).toBe(503);
    expect(calls).toEqual(['sync', 'status', 'health', 'ready']);
  });

  it('serves only Host names of its listen address and --api-host; others are 421 before any handler (DNS rebinding)', async () => {
    const { calls, request, port } = await serve({ allowedHosts: ['berth.example.com'] });
    for (const host of ['127.0.0.1', `127.0.0.1:${port}`, 'localhost', `LOCALHOST:${port}`, '[::1]', `[::1]:${port}`, 'berth.example.com', 'berth.example.com.', `berth.example.com:443`]) {
      expect([host, (await request('GET', '/api/v1/status', { headers: { host } })).status]).toEqual([host, 200]);
    }
    for (const host of ['attacker.example', `attacker.example:${port}`, 'localhost.attacker.example', '127.0.0.1.nip.io', 'example.com', '10.0.0.1', 'berth.example.com:99999', 'a b', 'berth.example.com@attacker']) {
      const res = await request('GET', '/api/v1/status', { headers: { host } });
      expect([host, res.status, JSON.parse(res.text).error]).toEqual([host, 421, expect.stringContaining('--api-host')]);
      expect([host, (await request('POST', '/api/v1/sync', { headers: { host, 'content-type': 'application/json' } })).status]).toEqual([host, 421]);
    }
    expect(calls).toEqual(Array(9).fill('status'));
    // HTTP/1.0 without any Host header.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('GET /api/v1/status HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.on('data', (c) => (text += c.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 421 /);
  });

  it('a wildcard listener answers to IP literals and localhost, never to an unlisted name', async () => {
    const { request } = await serve({ listen: '0.0.0.0' });
    for (const host of ['127.0.0.1', '192.0.2.7:7420', 'localhost', '[2001:db8::1]']) expect([host, (await request('GET', '/healthz', { headers: { host } })).status]).toEqual([host, 200]);
    expect((await request('GET', '/healthz', { headers: { host: 'berth.example.com' } })).status).toBe(421);
  });

  it('refuses cross-origin and simple (form-like) writes without a token; same-origin JSON writes pass', async () => {
    const { calls, request, port } = await serve();
    const json = { 'content-type': 'application/json' };
    const refused: Array<Record<string, string>> = [
      {},
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'text/plain' },
      { 'content-type': 'multipart/form-data; boundary=x' },
      { ...json, origin: 'http://attacker.example' },
      { ...json, origin: `http://localhost:${port + 1}` },
      { ...json, origin: "http://127.0.0.1" },
      { ...json, origin: 'null' },
      { ...json, 'sec-fetch-site': 'cross-site' },
      { ...json, 'sec-fetch-site': 'same-site' },
      { 'x-berth-request': '1', origin: 'http://attacker.example' },
    ];
    for (const headers of refused) {
      const res = await request('POST', '/api/v1/sync', { headers });
      expect([headers, res.status]).toEqual([headers, 403]);
    }
    const accepted: Array<Record<string, string>> = [json, { 'content-type': 'Application/JSON; charset=utf-8' }, { 'x-berth-request': '1' }, { ...json, origin: `http://127.0.0.1:${port}` }, { ...json, 'sec-fetch-site': 'same-origin' }];
    for (const headers of accepted) {
      expect([headers, (await request('POST', '/api/v1/sync', { headers })).status]).toEqual([headers, 202]);
    }
    expect(calls).toEqual(Array(5).fill('sync'));
  });

  it('with a token, a cross-origin write is refused even with the token', async () => {
    const { calls, request } = await serve({ token: 't0ken' });
    expect((await request('POST', '/api/v1/sync', { headers: { authorization: 'Bearer t0ken', origin: 'http://attacker.example' } })).status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('sends no CORS headers; answers JSON with nosniff and no-store; HEAD is GET without a body', async () => {
    const { request } = await serve();
    const preflight = await request('OPTIONS', '/api/v1/sync', { headers: { origin: 'http://attacker.example', 'access-control-request-method': 'POST' } });
    expect([preflight.status, [...preflight.headers.keys()].filter((k) => k.startsWith("access-control-"))]).toEqual([405, []]);
    const res = await request('GET', '/api/v1/status', { headers: { origin: 'http://attacker.example' } });
    expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
    expect([res.headers.get('x-content-type-options'), res.headers.get('cache-control'), res.type]).toEqual(['nosniff', 'no-store', 'application/json; charset=utf-8']);
    const head = await request('HEAD', '/api/v1/status');
    expect([head.status, head.text]).toEqual([200, '']);
  });

  it('webhooks: 404 when disabled, 401 on a bad or missing signature, 202 on a good one, 413 over the limit', async () => {
    const off = await serve();
    expect((await off.request('POST', '/webhook', { body: '{}' })).status).toBe(404);
    const { calls, request } = await serve({ webhookSecret: SECRET, token: 'api-token', maxBodyBytes: 1024, allowedHosts: ['berth.example.com'] });
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const sig = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    expect((await request('POST', '/webhook', { body, headers: { 'x-github-event': 'push' } })).status).toBe(401);
    expect((await request('POST', '/webhook', { body: `${body} `, headers: { 'x-github-event': 'push', 'x-hub-signature-256': sig } })).status).toBe(401);
    // The forge's signature is the authentication; no bearer token is needed.
    expect((await request('POST', '/webhook', { body, headers: { 'x-github-event': 'push', 'x-hub-signature-256': sig } })).status).toBe(202);
    // Forges send the name the hook was configured with: it must be one the API answers to.
    expect((await request('POST', '/webhook', { body, headers: { host: 'berth.example.com', 'x-github-event': 'push', 'x-hub-signature-256': sig, 'content-type': 'application/json' } })).status).toBe(202);
    expect((await request('POST', '/webhook', { body, headers: { host: 'other.example.com', 'x-github-event': 'push', 'x-hub-signature-256': sig } })).status).toBe(421);
    const big = 'x'.repeat(2048);
    expect((await request('POST', '/webhook', { body: big, headers: { 'x-github-event': 'push', 'x-hub-signature-256': sig } })).status).toBe(413);
    expect(calls).toEqual(['rejected no-signature', 'rejected bad-signature', 'webhook github push', 'webhook github push']);
  });
});
