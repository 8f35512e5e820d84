import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DockerClient } from '../../../src/apply/docker.js';
import type { Daemon } from '../../../src/runtime/daemon/daemon.js';
import { createHandlers } from '../../../src/runtime/api/handlers.js';
import { createDaemonMetrics } from '../../../src/runtime/api/metrics.js';
import { EVENTS_QUERY, parseQuery, timestampParam } from '../../../src/runtime/api/query.js';
import type { ApiHandlers, ApiServer } from '../../../src/runtime/api/server.js';
import { createApiServer } from '../../../src/runtime/api/server.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { openStore } from '../../../src/runtime/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { processAlive } from '../../../src/cli/process-alive.js';

/**
 * Query parameters are validated before any handler runs: unknown, repeated, empty or
 * malformed parameters answer 400 with `{error}` naming the parameter, the value and what is
 * accepted; valid ones reach the handler parsed.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(handlers: ApiHandlers) {
  const server: ApiServer = createApiServer({ handlers, log: silentLogger() });
  cleanups.push(() => server.close());
  const { port } = await server.listen('127.0.0.1', 0);
  return async (method: string, path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: method === 'GET' ? {} : { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

/** Handlers that answer with the query they were given. */
function echoHandlers(): ApiHandlers {
  const ok = () => ({ status: 200, body: {} });
  return {
    health: ok,
    ready: async () => ok(),
    metrics: () => ({ status: 200, text: '' }),
    status: ok,
    resources: async (query) => ({ status: 200, body: { query } }),
    revisions: ok,
    events: (query) => ({ status: 200, body: { query } }),
    diff: async () => ok(),
    sync: () => ({ status: 202, body: {} }),
    webhook: ok,
  };
}

const T = Date.UTC(2026, 0, 2, 15, 4, 5);

describe('API query parameters', () => {
  // [request, status, the parsed query (200) or every part the error must contain (400)]
  const cases: Array<[request: string, status: number, expected: Record<string, unknown> | string[]]> = [
    // events: limit
    ['GET /api/v1/events', 200, {}],
    ['GET /api/v1/events?limit=1', 200, { limit: 1 }],
    ['GET /api/v1/events?limit=10000', 200, { limit: 10_000 }],
    ['GET /api/v1/events?limit=abc', 400, ['limit', '"abc"', 'an integer from 1 to 10000']],
    ['GET /api/v1/events?limit=-1', 400, ['limit', '"-1"', 'an integer from 1 to 10000']],
    ['GET /api/v1/events?limit=0', 400, ['limit', '"0"', 'an integer from 1 to 10000']],
    ['GET /api/v1/events?limit=10001', 400, ['limit', '"10001"', 'an integer from 1 to 10000']],
    ['GET /api/v1/events?limit=2.5', 400, ['limit', '"2.5"']],
    ['GET /api/v1/events?limit=1e3', 400, ['limit', '"1e3"']],
    ['GET /api/v1/events?limit=', 400, ['limit', '""']],
    ['GET /api/v1/events?limit=5&limit=6', 400, ['limit', 'given 2 times']],
    // events: since
    ['GET /api/v1/events?since=2026-01-02T15:04:05Z', 200, { since: T }],
    ['GET /api/v1/events?since=2026-01-02T15:04:05.250Z', 200, { since: T + 250 }],
    ['GET /api/v1/events?since=2026-01-02T17:04:05%2B02:00', 200, { since: T }],
    ['GET /api/v1/events?since=2026-01-02T10:04:05-05:00', 200, { since: T }],
    ['GET /api/v1/events?since=2026-01-02t15:04:05z', 200, { since: T }],
    ['GET /api/v1/events?since=yesterday', 400, ['since', '"yesterday"', 'an RFC 3339 timestamp such as 2026-01-02T15:04:05Z']],
    ['GET /api/v1/events?since=10m', 400, ['since', '"10m"', 'RFC 3339']],
    ['GET /api/v1/events?since=2026-01-02', 400, ['since', '"2026-01-02"', 'RFC 3339']],
    ['GET /api/v1/events?since=2026-01-02T15:04:05', 400, ['since', '"2026-01-02T15:04:05"', 'RFC 3339']],
    ['GET /api/v1/events?since=2026-02-30T00:00:00Z', 400, ['since', '"2026-02-30T00:00:00Z"']],
    ['GET /api/v1/events?since=2026-13-01T00:00:00Z', 400, ['since', '"2026-13-01T00:00:00Z"']],
    ['GET /api/v1/events?since=1767366245000', 400, ['since', '"1767366245000"']],
    ['GET /api/v1/events?since=Fri, 02 Jan 2026 15:04:05 GMT', 400, ['since', 'RFC 3339']],
    // an unescaped "+" arrives as a space: say so
    ['GET /api/v1/events?since=2026-01-02T17:04:05+02:00', 400, ['since', '"2026-01-02T17:04:05 02:00"', '%2B']],
    // events: object
    ['GET /api/v1/events?object=Pod/default/web', 200, { object: 'Pod/default/web' }],
    ['GET /api/v1/events?object=pod/default/web', 200, { object: 'Pod/default/web' }],
    ['GET /api/v1/events?object=Namespace/shop', 200, { object: 'Namespace/shop' }],
    ['GET /api/v1/events?object=Source/shop', 200, { object: 'Source/shop' }],
    ['GET /api/v1/events?object=web', 400, ['object', '"web"', 'Kind/namespace/name or Kind/name']],
    ['GET /api/v1/events?object=Pod/default/web/extra', 400, ['object', '"Pod/default/web/extra"']],
    ['GET /api/v1/events?object=', 400, ['object', '""']],
    // events: unknown parameters, with a suggestion for a typo
    ['GET /api/v1/events?lmit=5', 400, ['unknown query parameter "lmit"', 'did you mean "limit"?', '/api/v1/events accepts limit, since, object']],
    ['GET /api/v1/events?limit=5&verbose', 400, ['unknown query parameter "verbose"']],
    ['GET /api/v1/events?toString=1', 400, ['unknown query parameter "toString"']],
    ['GET /api/v1/events?limit=5&since=2026-01-02T15:04:05Z&object=Pod/a/b', 200, { limit: 5, since: T, object: 'Pod/a/b' }],
    // resources
    ['GET /api/v1/resources?kind=Pod&namespace=default', 200, { kind: 'Pod', namespace: 'default' }],
    ['GET /api/v1/resources?kind=deployment', 200, { kind: 'Deployment' }],
    ['GET /api/v1/resources?kind=Pods', 400, ['kind', '"Pods"', 'one of Namespace, ConfigMap', 'did you mean Pod?']],
    ['GET /api/v1/resources?kind=', 400, ['kind', '""']],
    ['GET /api/v1/resources?namespace=Default', 400, ['namespace', '"Default"', 'a namespace name']],
    ['GET /api/v1/resources?namespace=', 400, ['namespace', '""']],
    ['GET /api/v1/resources?ns=default', 400, ['unknown query parameter "ns"', '/api/v1/resources accepts kind, namespace']],
    // endpoints without parameters refuse any
    ['GET /api/v1/status?verbose=1', 400, ['unknown query parameter "verbose"', '/api/v1/status takes no query parameters']],
    ['GET /api/v1/revisions?deployment=web', 400, ['"deployment"', '/api/v1/revisions takes no query parameters']],
    ['GET /api/v1/diff?x', 400, ['"x"', '/api/v1/diff takes no query parameters']],
    ['GET /healthz?verbose', 400, ['"verbose"', '/healthz takes no query parameters']],
    ['GET /readyz?exclude=docker', 400, ['"exclude"', '/readyz takes no query parameters']],
    ['GET /metrics?name[]=up', 400, ['"name[]"', '/metrics takes no query parameters']],
    ['POST /api/v1/sync?force=true', 400, ['"force"', '/api/v1/sync takes no query parameters']],
    ['POST /webhook?app=shop', 400, ['"app"', '/webhook takes no query parameters']],
    ['GET /api/v1/status', 200, {}],
  ];

  it.each(cases)('%s → %i', async (request, status, expected) => {
    const call = await listen(echoHandlers());
    const method = request.slice(0, request.indexOf(' '));
    const res = await call(method, request.slice(method.length + 1));
    expect([request, res.status]).toEqual([request, status]);
    if (Array.isArray(expected)) {
      // The error shape every API error has: { error: "…" } and nothing else.
      expect(Object.keys(res.body)).toEqual(['error']);
      for (const part of expected) expect(res.body.error).toContain(part);
    } else if (res.body.query !== undefined || Object.keys(expected).length > 0) {
      expect(res.body.query).toEqual(expected);
    }
  });

  it('a long bad value is quoted shortened', () => {
    const r = parseQuery('/api/v1/events', new URLSearchParams({ since: 'x'.repeat(5000) }), EVENTS_QUERY);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.length).toBeLessThan(400);
  });

  it('an RFC 3339 leap second is read as the next second', () => {
    expect(timestampParam.parse('2016-12-31T23:59:60Z')).toBe(Date.UTC(2017, 0, 1));
  });
});

describe('events endpoint applies the validated query', () => {
  it('limit keeps the newest, since drops older events, object filters; a bad value answers 400', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-api-query-'));
    const clock = new FakeClock(Date.UTC(2026, 0, 2, 15, 0, 0));
    const store = openStore({ isProcessAlive: processAlive, dir, clock });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close());
    for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) {
      store.addEvent({ app: 'shop', type: 'Normal', reason: 'Created', objectKey: `Pod/default/${name}`, message: `event ${i}` });
      await clock.advance(60_000);
    }
    const handlers = createHandlers({
      daemon: { heldEvents: () => [] } as unknown as Daemon,
      app: 'shop',
      docker: {} as DockerClient,
      store,
      clock,
      random: () => 0,
      metrics: createDaemonMetrics(),
      log: silentLogger(),
      validate: {},
      version: 'test',
    });
    const call = await listen(handlers);
    const objects = async (query: string) => {
      const res = await call('GET', `/api/v1/events${query}`);
      expect(res.status).toBe(200);
      return (res.body.items as Array<{ object: string }>).map((e) => e.object.split('/')[2]);
    };
    expect(await objects('')).toEqual(['a', 'b', 'c', 'd']);
    expect(await objects('?limit=2')).toEqual(['c', 'd']);
    expect(await objects('?since=2026-01-02T15:02:00Z')).toEqual(['c', 'd']);
    expect(await objects('?since=2026-01-02T16:01:30%2B01:00')).toEqual(['c', 'd']);
    expect(await objects('?object=pod/default/b')).toEqual(['b']);
    const bad = await call('GET', '/api/v1/events?since=yesterday');
    expect([bad.status, bad.body]).toEqual([
      400,
      { error: 'query parameter since must be an RFC 3339 timestamp such as 2026-01-02T15:04:05Z or 2026-01-02T17:04:05+02:00; got "yesterday"' },
    ]);
  });
});
