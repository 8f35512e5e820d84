import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiHandlers, ApiServer } from '../../../src/runtime/api/server.js';
import { createApiServer } from '../../../src/runtime/api/server.js';
import { silentLogger } from '../../../src/runtime/log.js';

const SECRET = Buffer.from('hook-secret');
const servers: ApiServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A server on loopback with handlers that record what they were asked. */
async function serve(options: { token?: string; authenticateReads?: boolean; webhookSecret?: Buffer; maxBodyBytes?: number } = {}) {
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
  const server = createApiServer({ handlers, log: silentLogger(), authenticateReads: options.authenticateReads ?? false, ...(options.token ? { token: options.token } : {}), ...(options.webhookSecret ? { webhookSecret: options.webhookSecret } : {}), ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}) });
  servers.push(server);
  const { port } = await server.listen('127.0.0.1', 0);
  const request = async (method: string, path: string, init: { headers?: Record<string, string>; body?: string | Buffer } = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}) });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text(), headers: res.headers };
  };
  return { calls, request };
}

describe('API server', () => {
  it('routes reads and writes; unknown paths 404, wrong methods 405 with Allow', async () => {
    const { calls, request } = await serve();
    expect((await request('GET', '/healthz')).status).toBe(200);
    expect((await request('GET', '/readyz')).status).toBe(503);
    const metrics = await request('GET', '/metrics');
    expect([metrics.status, metrics.type, metrics.text]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8', 'berth_up 1\n']);
    expect(JSON.parse((await request('GET', '/api/v1/status/')).text)).toEqual({ name: 'status' });
    expect((await request('GET', '/api/v1/resources?kind=Pod')).status).toBe(200);
    expect((await request('POST', '/api/v1/sync')).status).toBe(202);
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

  it('with a token, writes need it and reads on loopback do not', async () => {
    const { calls, request } = await serve({ token: 't0ken' });
    expect((await request('POST', '/api/v1/sync')).status).toBe(401);
    expect((await request('POST', '/api/v1/sync', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await request('POST', '/api/v1/sync', { headers: { authorization: 'Bearer t0ken' } })).status).toBe(202);
    expect((await request('GET', '/api/v1/status')).status).toBe(200);
    expect(calls).toEqual(['sync', 'status']);
  });

  it('beyond loopback every read needs the token too, except the health probes', async () => {
    const { request } = await serve({ token: 't0ken', authenticateReads: true });
    for (const path of ['/api/v1/status', '/api/v1/events', '/api/v1/revisions', '/metrics']) {
      const res = await request('GET', path);
      expect([path, res.status, res.headers.get('www-authenticate')]).toEqual([path, 401, 'Bearer realm="berth"']);
      expect((await request('GET', path, { headers: { authorization: 'bearer t0ken' } })).status).toBe(200);
    }
    expect((await request('GET', '/healthz')).status).toBe(200);
  });

  it('webhooks: 404 when disabled, 401 on a bad or missing signature, 202 on a good one, 413 over the limit', async () => {
    const off = await serve();
    expect((await off.request('POST', '/webhook', { body: '{}' })).status).toBe(404);
    const { calls, request } = await serve({ webhookSecret: SECRET, token: 'api-token', maxBodyBytes: 1024 });
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const sig = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    expect((await request('POST', '/webhook', { body, headers: { 'x-github-event': 'push' } })).status).toBe(401);
    expect((await request('POST', '/webhook', { body: `${body} `, headers: { 'x-github-event': 'push', 'x-hub-signature-256': sig } })).status).toBe(401);
    // The forge's signature is the authentication; no bearer token is needed.
    expect((await request('POST', '/webhook', { body, headers: { 'x-github-event': 'push', 'x-hub-signature-256': sig } })).status).toBe(202);
    const big = 'x'.repeat(2048);
    expect((await request('POST', '/webhook', { body: big, headers: { 'x-github-event': 'push', 'x-hub-signature-256': sig } })).status).toBe(413);
    expect(calls).toEqual(['rejected no-signature', 'rejected bad-signature', 'webhook github push']);
  });
});
