import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED } from '../../../src/report/redact.js';
import type { Daemon, DaemonStatus } from '../../../src/runtime/daemon/daemon.js';
import { createHandlers } from '../../../src/runtime/api/handlers.js';
import { createDaemonMetrics } from '../../../src/runtime/api/metrics.js';
import { createApiServer, type ApiHandlers, type ApiServer } from '../../../src/runtime/api/server.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { createChangeFeed } from '../../../src/runtime/api/change-feed.js';
import { createUiHandlers, type UiHandlers } from '../../../src/runtime/api/ui-handlers.js';
import { openStore, type Store } from '../../../src/runtime/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { processAlive } from '../../../src/cli/process-alive.js';
import { emptyDocker } from './support.js';

/**
 * Property tests of the API's request handling (issue 11): arbitrary methods, paths, query
 * strings and Host/Origin/Sec-Fetch-Site/Authorization/Content-Type headers against the real
 * server and the real handlers, over a store holding a Secret (with the last-applied
 * annotation kubectl writes) and a fake Docker with nothing running. Invariants:
 * - never a 5xx;
 * - a foreign Host is 421 and reaches no handler (DNS rebinding reads nothing);
 * - with a token set, a request without it (or with a wrong one) reaches no handler but the
 *   health probes and the (separately signed) webhook;
 * - a cross-origin or simple (form-like) write never reaches the sync handler;
 * - no answer ever holds a secret value (plain or base64), the API token or the webhook secret.
 */

const APP = 'prop';
const TOKEN = 'api-token-3f9a1c';
const WEBHOOK_SECRET = 'webhook-secret-77b2';
const SECRET_VALUE = 'hunter2-property-secret';
const SECRET_B64 = Buffer.from(SECRET_VALUE).toString('base64');
const SECRETS = [SECRET_VALUE, SECRET_B64, TOKEN, WEBHOOK_SECRET];
const NAME = 'berth.example.com';
const API_PATHS = ['/healthz', '/readyz', '/metrics', '/api/v1/status', '/api/v1/resources', '/api/v1/revisions', '/api/v1/events', '/api/v1/diff', '/api/v1/sync', '/webhook'];
// The web UI's (issue 19), but the event stream, which never ends by itself.
const UI_PATHS = ['/api/v1/tree', '/api/v1/object', '/api/v1/actions', '/api/v1/actions/1', '/api/v1/passes', '/api/v1/logs', '/api/v1/exec/tickets', '/', '/assets/app.js', '/resources/Secret/default/creds'];
const ROUTE_PATHS = [...API_PATHS, ...UI_PATHS];
/** Handlers that change something: a page must never reach them. */
const WRITES = ['sync', 'submitAction', 'execTarget'];
const OPEN = new Set(['health', 'ready']);
const RUNS = 400;

const secretManifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default' }, type: 'Opaque', stringData: { token: SECRET_VALUE } };
const secretObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'creds', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(secretManifest), note: 'plain' } },
  type: 'Opaque',
  data: { token: SECRET_B64 },
};

interface Server {
  port: number;
  calls: string[];
  token?: string;
}

const cleanups: Array<() => Promise<void> | void> = [];
let store: Store;
let withToken: Server;
let withoutToken: Server;
let uiDir: string;

/** The daemon's surface the handlers use, in a fixed state: a source whose last fetch failed. */
function fakeDaemon(): Daemon {
  const status: DaemonStatus = {
    app: APP,
    source: { description: 'https://git.example.com/deploy.git@main', firstFetchDone: true, consecutiveFailures: 1, lastError: { code: 'SOURCE_UNREACHABLE', message: 'cannot fetch https://git.example.com/deploy.git: the remote is unreachable', at: 0 } },
    loop: { running: false, pending: [], failures: 0 },
    leaseHeld: true,
    store: { ok: true, since: 0 },
  };
  const revision = { id: 'rev-1', origin: 'git test', files: [{ path: 'secret.yaml', content: Buffer.from(JSON.stringify(secretManifest)) }] };
  return {
    start: async () => undefined,
    stop: async () => undefined,
    sync: () => undefined,
    status: () => status,
    heldEvents: () => [],
    readiness: async () => ({ ready: true, checks: { docker: true } }),
    latestRevision: () => revision,
    noteDockerCall: () => undefined,
    idle: async () => undefined,
    passes: () => [],
    wake: () => undefined,
  };
}

async function start(token: string | undefined): Promise<Server> {
  const clock = new FakeClock();
  const calls: string[] = [];
  const real = createHandlers({ daemon: fakeDaemon(), app: APP, docker: emptyDocker(), store, clock, random: () => 0, metrics: createDaemonMetrics(), log: silentLogger(), validate: {}, version: 'test' });
  // Every handler notes that it ran: the invariants are about which requests reach one.
  const handlers = Object.fromEntries(Object.entries(real).map(([name, fn]) => [name, (...args: unknown[]) => (calls.push(name), (fn as (...a: unknown[]) => unknown)(...args))])) as unknown as ApiHandlers;
  const realUi = createUiHandlers({ daemon: fakeDaemon(), app: APP, docker: emptyDocker(), store, clock, log: silentLogger(), feed: createChangeFeed() });
  const ui = Object.fromEntries(Object.entries(realUi).map(([name, fn]) => [name, (...args: unknown[]) => (calls.push(name), (fn as (...a: unknown[]) => unknown)(...args))])) as unknown as UiHandlers;
  const server: ApiServer = createApiServer({ handlers, log: silentLogger(), allowedHosts: [NAME], webhookSecret: Buffer.from(WEBHOOK_SECRET), ...(token ? { token } : {}), ui: { handlers: ui, clock, dir: uiDir, exec: true } });
  cleanups.push(() => server.close());
  const { port } = await server.listen('127.0.0.1', 0);
  return { port, calls, ...(token ? { token } : {}) };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-api-prop-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  uiDir = join(dir, 'ui');
  mkdirSync(join(uiDir, 'assets'), { recursive: true });
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>berth</title>');
  writeFileSync(join(uiDir, 'assets', 'app.js'), 'void 0');
  store = openStore({ isProcessAlive: processAlive, dir, clock: new FakeClock() });
  cleanups.push(() => store.close());
  store.replaceInventory(APP, [{ key: 'Secret/default/creds', kind: 'Secret', namespace: 'default', name: 'creds', specHash: 'h1', object: secretObject }], { sourceRevision: 'rev-0' });
  withToken = await start(TOKEN);
  withoutToken = await start(undefined);
});

afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Req {
  method: string;
  path: string;
  host: { value: string | undefined; allowed: boolean };
  origin?: { value: string; sameOrigin: boolean };
  fetchSite?: string;
  authorization?: { value: string; valid: boolean };
  contentType?: string;
  csrfHeader: boolean;
  body?: string;
}

function send(server: Server, r: Req): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (r.host.value !== undefined) headers.host = r.host.value.replace('PORT', String(server.port));
  if (r.origin) headers.origin = r.origin.value.replace('PORT', String(server.port));
  if (r.fetchSite) headers['sec-fetch-site'] = r.fetchSite;
  if (r.authorization) headers.authorization = r.authorization.value;
  if (r.contentType) headers['content-type'] = r.contentType;
  if (r.csrfHeader) headers['x-berth-request'] = '1';
  return new Promise((resolve, reject) => {
    // A fresh connection per request: a case must not depend on what an earlier one left on a kept-alive socket.
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method: r.method, path: r.path, headers, setHost: r.host.value !== undefined, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

const printable = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&\'()*+,;=% '.split('')), maxLength: 30 });
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const ALLOWED_HOST = /^(localhost|127\.0\.0\.1|\[::1\]|berth\.example\.com)\.?(:\d+)?$/i;

const host = fc.oneof(
  fc.constantFrom('127.0.0.1:PORT', '127.0.0.1', 'localhost:PORT', 'LocalHost', '[::1]:PORT', `${NAME}`, `${NAME}:443`, `${NAME.toUpperCase()}.`).map((value) => ({ value, allowed: true })),
  fc.tuple(label, fc.constantFrom('attacker.example', 'localhost.attacker.example', '127.0.0.1.nip.io', 'example.com'), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })).map(([l, d, p]) => ({ value: `${l}.${d}${p ? `:${p}` : ''}`, allowed: false })),
  fc.constantFrom('10.0.0.1', '0.0.0.0', '[::]', `${NAME}.attacker.example`, 'berth.example.co').map((value) => ({ value, allowed: false })),
  printable.filter((s) => s.trim() === s && s !== '' && !ALLOWED_HOST.test(s)).map((value) => ({ value, allowed: false })),
  fc.constant({ value: undefined, allowed: false }),
);

const origin = fc.oneof(
  fc.constantFrom('http://127.0.0.1:PORT').map((value) => ({ value, sameOrigin: true })),
  fc.constantFrom('http://attacker.example', 'null', 'http://localhost:1', 'https://berth.example.com', 'file://', 'http://127.0.0.1').map((value) => ({ value, sameOrigin: false })),
  printable.map((value) => ({ value, sameOrigin: false })),
);

const authorization = fc.oneof(
  fc.constantFrom(`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer  ${TOKEN} `).map((value) => ({ value, valid: true })),
  fc.constantFrom(`Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, 'Bearer', `Bearer ${TOKEN} ${TOKEN}`).map((value) => ({ value, valid: false })),
  printable.map((value) => ({ value: value.trim(), valid: false })),
);

const path = fc.oneof(
  fc.tuple(fc.constantFrom(...ROUTE_PATHS), fc.constantFrom('', '/'), fc.array(fc.tuple(printable, printable), { maxLength: 3 })).map(([p, slash, query]) => `${p}${slash}${query.length ? `?${query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : ''}`),
  fc.array(printable, { maxLength: 4 }).map((segments) => `/${segments.map(encodeURIComponent).join('/')}`),
);

const request: fc.Arbitrary<Req> = fc.record(
  {
    method: fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), fc.stringMatching(/^[A-Z]{1,8}$/)),
    path,
    host,
    origin,
    fetchSite: fc.constantFrom('cross-site', 'same-site', 'same-origin', 'none'),
    authorization,
    contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'),
    csrfHeader: fc.boolean(),
    body: fc.string({ maxLength: 64 }),
  },
  { requiredKeys: ['method', 'path', 'host', 'csrfHeader'] },
);

/**
 * A write a web page could make the browser send: from another origin, or a simple request
 * (a form or no-cors fetch: no JSON type, no custom header, no Authorization).
 */
function pageCouldSend(r: Req): boolean {
  const crossOrigin = (r.origin !== undefined && !r.origin.sameOrigin) || r.fetchSite === 'cross-site' || r.fetchSite === 'same-site';
  const simple = !r.csrfHeader && !(r.contentType ?? '').startsWith('application/json') && r.authorization === undefined;
  return crossOrigin || simple;
}

async function check(server: Server, r: Req): Promise<void> {
  server.calls.length = 0;
  const res = await send(server, r);
  const ran = [...server.calls];
  const where = `${r.method} ${r.path} host=${r.host.value} → ${res.status} ${res.text.slice(0, 200)} [${ran.join(',')}]`;
  expect(res.status, where).toBeLessThan(500);
  for (const s of SECRETS) expect(res.text.includes(s), `${where}: echoes ${s}`).toBe(false);
  expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-')), where).toEqual([]);
  if (!r.host.allowed) {
    // 421 from the guard; 400 from node itself for what is not HTTP at all (an unknown method).
    expect([[400, 421].includes(res.status), ran], where).toEqual([true, []]);
    return;
  }
  if (server.token && !r.authorization?.valid) expect(ran.filter((h) => !OPEN.has(h) && !h.startsWith('webhook')), where).toEqual([]);
  if (ran.some((h) => WRITES.includes(h))) expect(pageCouldSend(r), `${where}: a page could have sent this write`).toBe(false);
}

describe('API request handling (property)', () => {
  it('with a token: never 5xx, never serves a foreign Host or a request without the token, never a cross-origin write, never a secret', async () => {
    await fc.assert(fc.asyncProperty(request, (r) => check(withToken, r)), { numRuns: RUNS });
  });

  it('without a token (loopback): the same, and a simple write never syncs', async () => {
    await fc.assert(fc.asyncProperty(request, (r) => check(withoutToken, r)), { numRuns: RUNS });
  });

  it('reaches the handlers at all: allowed, authenticated same-origin requests are served', async () => {
    // The properties above hold trivially if nothing is ever served; this pins the other side.
    for (const server of [withToken, withoutToken]) {
      for (const p of API_PATHS.filter((x) => x !== '/api/v1/sync' && x !== '/webhook')) {
        const res = await send(server, { method: 'GET', path: p, host: { value: `127.0.0.1:PORT`, allowed: true }, csrfHeader: false, authorization: { value: `Bearer ${TOKEN}`, valid: true } });
        expect([p, res.status]).toEqual([p, p === '/api/v1/diff' || p === '/readyz' ? expect.any(Number) : 200]);
        for (const s of SECRETS) expect(res.text).not.toContain(s);
      }
      const resources = await send(server, { method: 'GET', path: '/api/v1/resources?kind=Secret', host: { value: NAME, allowed: true }, csrfHeader: false, authorization: { value: `Bearer ${TOKEN}`, valid: true } });
      const item = (JSON.parse(resources.text) as { items: Array<{ metadata: { annotations: Record<string, string> }; data: Record<string, string> }> }).items[0]!;
      expect([item.metadata.annotations, item.data]).toEqual([{ 'kubectl.kubernetes.io/last-applied-configuration': REDACTED, note: 'plain', 'berth.dev/source-revision': 'rev-0' }, { token: REDACTED }]);
      const get = (path: string) => send(server, { method: 'GET', path, host: { value: NAME, allowed: true }, csrfHeader: false, authorization: { value: `Bearer ${TOKEN}`, valid: true } });
      for (const p of ['/api/v1/tree', '/api/v1/object?kind=Secret&namespace=default&name=creds', '/api/v1/passes', '/', '/assets/app.js']) {
        const res = await get(p);
        expect([p, res.status]).toEqual([p, 200]);
        for (const s of SECRETS) expect(res.text).not.toContain(s);
      }
      const sync = await send(server, { method: 'POST', path: '/api/v1/sync', host: { value: NAME, allowed: true }, csrfHeader: false, contentType: 'application/json', authorization: { value: `Bearer ${TOKEN}`, valid: true } });
      expect(sync.status).toBe(202);
    }
  });
});
