import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiHandlers, ApiServer } from '../../../src/runtime/api/server.js';
import { createApiServer } from '../../../src/runtime/api/server.js';
import { createChangeFeed, streamChanges } from '../../../src/runtime/api/change-feed.js';
import { MAX_EVENT_STREAMS, MAX_LOG_STREAMS } from '../../../src/runtime/api/ui-routes.js';
import type { UiHandlers } from '../../../src/runtime/api/ui-handlers.js';
import type { ExecTarget } from '../../../src/runtime/api/tickets.js';
import { systemClock } from '../../../src/runtime/clock.js';
import type { Clock } from '../../../src/model/clock.js';
import { PING_INTERVAL_MS } from '../../../src/runtime/api/exec-socket.js';
import { FakeClock } from '../../support/fake-clock.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { raw } from './support.js';

/**
 * The web UI's routes on the real server with fake handlers: auth on every new route, the
 * static files and their headers, streamed answers ending with the server, and the exec
 * WebSocket's handshake checks (Host, Origin, one-time ticket) before any upgrade.
 */

const TOKEN = 'ui-token-5e1d';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json' };
const servers: ApiServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** dist/ui as the build leaves it, with a file outside it and a symlink pointing there. */
function uiDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'berth-ui-'));
  dirs.push(root);
  const ui = join(root, 'ui');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>berth</title><script type="module" src="/assets/app-1a2b.js"></script>');
  writeFileSync(join(ui, 'assets', 'app-1a2b.js'), 'console.log("berth")');
  writeFileSync(join(ui, 'favicon.svg'), '<svg/>');
  writeFileSync(join(root, 'outside.txt'), 'private-outside-content');
  symlinkSync(join(root, 'outside.txt'), join(ui, 'assets', 'link.js'));
  return ui;
}

const noApi: ApiHandlers = {
  health: () => ({ status: 200, body: {} }),
  ready: async () => ({ status: 200, body: {} }),
  metrics: () => ({ status: 200, text: '' }),
  status: () => ({ status: 200, body: {} }),
  resources: async () => ({ status: 200, body: {} }),
  revisions: () => ({ status: 200, body: {} }),
  events: () => ({ status: 200, body: {} }),
  diff: async () => ({ status: 200, body: {} }),
  sync: () => ({ status: 202, body: {} }),
  webhook: () => ({ status: 202, body: {} }),
};

async function serve(options: { token?: string; dir?: string; clock?: Clock; pages?: false; exec?: false } = {}) {
  const calls: string[] = [];
  const execs: ExecTarget[] = [];
  const feed = createChangeFeed();
  const ui: UiHandlers = {
    tree: async () => (calls.push('tree'), { status: 200, body: { app: 't', namespaces: [] } }),
    object: async (q) => (calls.push(`object ${JSON.stringify(q)}`), { status: 200, body: {} }),
    submitAction: (b) => (calls.push(`action ${JSON.stringify(b)}`), { status: 202, body: { intent: 7, state: 'pending' } }),
    action: (rest) => (calls.push(`action/${rest}`), { status: 200, body: { id: 7, state: 'done' } }),
    passes: () => (calls.push('passes'), { status: 200, body: [] }),
    stream: () => (calls.push('stream'), { status: 200, contentType: 'text/event-stream; charset=utf-8', stream: (out, closed) => streamChanges(feed, systemClock, out, closed) }),
    close: () => undefined,
    // A followed log runs until its client goes; an unfollowed one ends by itself; pod "missing" is a 404.
    logs: async (q) => {
      calls.push('logs');
      if (q.pod === 'missing') return { status: 404, body: { error: 'pod missing not found' } };
      return { status: 200, contentType: 'text/plain; charset=utf-8', stream: async (out, closed) => (out.write('line one\n'), q.follow ? await new Promise<void>((r) => closed.addEventListener('abort', () => r())) : undefined) };
    },
    execTarget: async (b) => (calls.push('ticket'), { target: { ...(b as ExecTarget), tty: true } }),
    exec: async (target, session) => {
      execs.push(target);
      session.signal.addEventListener('abort', () => calls.push('exec aborted'));
      // An echo: what comes in goes out, and "exit" ends it with code 3.
      for await (const chunk of session.stdin as AsyncIterable<Buffer>) {
        if (chunk.toString() === 'exit') return 3;
        session.stdout.write(Buffer.concat([Buffer.from('echo:'), chunk]));
      }
      return 0;
    },
  };
  const server = createApiServer({ handlers: noApi, log: silentLogger(), ...(options.token ? { token: options.token } : {}), ui: { handlers: ui, clock: options.clock ?? systemClock, ...(options.pages === false ? {} : { dir: options.dir ?? uiDir() }), exec: options.exec ?? true } });
  servers.push(server);
  const { port } = await server.listen('127.0.0.1', 0);
  const request = (method: string, path: string, headers: Record<string, string> = {}, body?: string) => raw(port, '127.0.0.1', method, path, headers, body);
  return { port, calls, execs, feed, request, server };
}

/** The request line exactly as given: node's client and fetch would normalise `..` away. */
function rawPath(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

const UI_READS = ['/api/v1/tree', '/api/v1/object?kind=Pod&namespace=default&name=web', '/api/v1/actions/7', '/api/v1/passes', '/api/v1/stream', '/api/v1/logs?namespace=default&pod=web'];
const UI_WRITES = ['/api/v1/actions', '/api/v1/exec/tickets'];

describe('web UI routes', () => {
  it.each(UI_READS)('GET %s needs the token when one is set (401 before any handler)', async (path) => {
    const { request, calls } = await serve({ token: TOKEN });
    const res = await request('GET', path);
    expect([res.status, res.headers['www-authenticate'], calls]).toEqual([401, 'Bearer realm="berth"', []]);
  });

  it.each(UI_WRITES)('POST %s needs the token, and is refused cross-origin even with it', async (path) => {
    const { request, calls } = await serve({ token: TOKEN });
    expect((await request('POST', path, JSON_TYPE, '{}')).status).toBe(401);
    expect((await request('POST', path, { ...JSON_TYPE, ...AUTH, origin: 'http://attacker.example' }, '{}')).status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('serves reads with no-store and actions with the JSON body; the action id comes from the path', async () => {
    const { request, calls } = await serve({ token: TOKEN });
    const tree = await request('GET', '/api/v1/tree', AUTH);
    expect([tree.status, tree.headers['cache-control'], JSON.parse(tree.text)]).toEqual([200, 'no-store', { app: 't', namespaces: [] }]);
    const action = await request('POST', '/api/v1/actions', { ...JSON_TYPE, ...AUTH }, JSON.stringify({ action: 'restart', kind: 'Deployment', namespace: 'default', name: 'web' }));
    expect([action.status, JSON.parse(action.text)]).toEqual([202, { intent: 7, state: 'pending' }]);
    expect((await request('GET', '/api/v1/actions/7', AUTH)).status).toBe(200);
    expect((await request('POST', '/api/v1/actions', { ...JSON_TYPE, ...AUTH }, 'not json')).status).toBe(400);
    expect(calls).toEqual(['tree', 'action {"action":"restart","kind":"Deployment","namespace":"default","name":"web"}', 'action/7']);
  });

  it('refuses an action body over the limit with 413, as the other routes do', async () => {
    const { request, calls } = await serve({ token: TOKEN });
    const res = await request('POST', '/api/v1/actions', { ...JSON_TYPE, ...AUTH }, JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }));
    expect([res.status, calls]).toEqual([413, []]);
  });

  it.each([
    ['/api/v1/object?kind=Nope&name=x', 400],
    ['/api/v1/passes?limit=0', 400],
    ['/api/v1/logs?namespace=default&pod=web&follow=yes', 400],
    ['/api/v1/logs?namespace=default&pod=web&bogus=1', 400],
  ])('validates the query of %s (%i)', async (path, status) => {
    const { request } = await serve({ token: TOKEN });
    expect((await request('GET', path, AUTH)).status).toBe(status);
  });
});

describe('exec, logs and actions without a daemon token', () => {
  // The loopback API without a token is open to every local user and process: what reaches into
  // the containers or changes the workloads is refused there, before any handler runs.
  it.each([
    ['POST', '/api/v1/exec/tickets'],
    ['POST', '/api/v1/actions'],
    ['GET', '/api/v1/logs?namespace=default&pod=web'],
  ])('%s %s is refused with 403 and says to configure a token', async (method, path) => {
    const { request, calls } = await serve();
    const res = await request(method, path, method === 'POST' ? JSON_TYPE : {}, method === 'POST' ? JSON.stringify({ namespace: 'default', pod: 'web', command: ['sh'], tty: true }) : undefined);
    expect(res.status).toBe(403);
    expect(res.text).toContain('--token-file');
    expect(calls).toEqual([]);
  });

  it('reads of the tree and passes stay open on loopback, as status always was', async () => {
    const { request } = await serve();
    expect((await request('GET', '/api/v1/tree')).status).toBe(200);
    expect((await request('GET', '/api/v1/passes')).status).toBe(200);
  });
});

describe('static UI', () => {
  it('serves index.html at / and for client routes, assets with their type, all with the UI security headers', async () => {
    const { request } = await serve({ token: TOKEN });
    for (const path of ['/', '/resources/Deployment/default/web', '/passes']) {
      const res = await request('GET', path);
      expect([path, res.status, res.headers['content-type'], res.text]).toEqual([path, 200, 'text/html; charset=utf-8', expect.stringContaining('<title>berth</title>')]);
      expect(res.headers['content-security-policy']).toBe("default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'");
      expect([res.headers['x-content-type-options'], res.headers['referrer-policy'], res.headers['cache-control']]).toEqual(['nosniff', 'no-referrer', 'no-cache']);
    }
    const js = await request('GET', '/assets/app-1a2b.js');
    expect([js.status, js.headers['content-type'], js.headers['cache-control']]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    expect((await request('GET', '/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
  });

  it('an unknown /api path is a JSON 404, not the shell', async () => {
    const { request } = await serve();
    const res = await request('GET', '/api/v1/nope');
    expect([res.status, res.headers['content-type']]).toEqual([404, 'application/json; charset=utf-8']);
  });

  it.each([
    '/assets/../../etc/passwd',
    '/assets/..%2f..%2f..%2fetc%2fpasswd',
    '/assets/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%5c..%5cetc%5cpasswd',
    '/assets/%252e%252e%252fetc%252fpasswd',
    '/assets/app-1a2b.js%00.png',
    '/assets/link.js',
    '/assets/.hidden',
    '/..%2foutside.txt',
  ])('never serves a file outside dist/ui: %s', async (path) => {
    const { port } = await serve();
    const answer = await rawPath(port, path);
    expect(answer).not.toContain('private-outside-content');
    expect(answer).not.toContain('root:');
    expect(answer).toMatch(/^HTTP\/1\.1 (404|200)/);
  });

  it('without a built UI, / says how to build it (503)', async () => {
    const { request } = await serve({ dir: join(tmpdir(), 'berth-no-such-ui-dir') });
    const res = await request('GET', '/');
    expect([res.status, res.text]).toEqual([503, expect.stringContaining('npm run build')]);
  });
});

describe('status says what the daemon opens, so the UI offers only that', () => {
  it.each([
    ['a token', { token: TOKEN }, { privileged: true, exec: true }],
    ['no token (loopback, read-only)', {}, { privileged: false, exec: true }],
    ['a token and --no-exec', { token: TOKEN, exec: false as const }, { privileged: true, exec: false }],
  ])('with %s', async (_what, options, access) => {
    const { request } = await serve(options);
    const res = await request('GET', '/api/v1/status', 'token' in options ? AUTH : {});
    expect([res.status, JSON.parse(res.text).access]).toEqual([200, access]);
    // And it holds: without a token the privileged routes are refused, as status says.
    if (!access.privileged) expect((await request('POST', '/api/v1/actions', JSON_TYPE, '{}')).status).toBe(403);
  });
});

describe('--no-web-ui and --no-exec', () => {
  it('without pages / and client routes are a 404 saying why, and the API still answers', async () => {
    const { request } = await serve({ token: TOKEN, pages: false });
    for (const path of ['/', '/passes', '/assets/app-1a2b.js']) {
      const res = await request('GET', path, AUTH);
      expect([path, res.status, res.headers['content-type'], JSON.parse(res.text).error]).toEqual([path, 404, 'application/json; charset=utf-8', expect.stringContaining('--no-web-ui')]);
    }
    expect((await request('GET', '/api/v1/tree', AUTH)).status).toBe(200);
    expect((await request('GET', '/api/v1/status', AUTH)).status).toBe(200);
  });

  it('without exec a ticket request is a 403 saying why, before any handler, and so is a handshake', async () => {
    const { port, request, calls, execs } = await serve({ token: TOKEN, exec: false });
    const res = await request('POST', '/api/v1/exec/tickets', { ...JSON_TYPE, ...AUTH }, JSON.stringify({ namespace: 'default', pod: 'web', command: ['sh'], tty: true }));
    expect([res.status, JSON.parse(res.text).error]).toEqual([403, expect.stringContaining('--no-exec')]);
    const handshake = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/exec?ticket=x`);
      ws.on('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(handshake).toBe(403);
    expect([calls, execs]).toEqual([[], []]);
    // Logs and actions are not exec: they stay.
    expect((await request('POST', '/api/v1/actions', { ...JSON_TYPE, ...AUTH }, JSON.stringify({ action: 'restart', kind: 'Deployment', namespace: 'default', name: 'web' }))).status).toBe(202);
  });
});

describe('streams', () => {
  it('the event stream delivers a change at once and ends when the server closes', async () => {
    const { port, feed, server } = await serve();
    const got = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/stream', headers: { host: `127.0.0.1:${port}` }, agent: false }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString('utf8');
          if (text.includes(': connected')) feed.publish('status', 'pass-finished');
          if (text.includes('event: status')) void server.close();
        });
        res.on('end', () => resolve(text));
        res.on('error', () => resolve(text));
        res.on('close', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(got).toMatch(/event: status\ndata: \{"at":"[^"]+","reason":"pass-finished"\}\n\n/);
  });

  it('a logs stream ends when the server closes', async () => {
    const { port, server } = await serve({ token: TOKEN });
    const text = await new Promise<string>((resolve) => {
      httpRequest({ host: '127.0.0.1', port, path: '/api/v1/logs?namespace=default&pod=web&follow=true', headers: { host: `127.0.0.1:${port}`, ...AUTH }, agent: false }, (res) => {
        let t = '';
        res.on('data', (c: Buffer) => ((t += c.toString()), void server.close()));
        res.on('close', () => resolve(t));
      }).end();
    });
    expect(text).toBe('line one\n');
  });
});

describe('stream caps', () => {
  /** Opens a GET and resolves once its status is in, with how to hang up. */
  function openStream(port: number, path: string, method = 'GET'): Promise<{ status: number; body: Promise<string>; hangUp: () => void }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...AUTH }, agent: false }, (res) => {
        const body = new Promise<string>((done) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('close', () => done(text));
        });
        resolve({ status: res.statusCode ?? 0, body, hangUp: () => req.destroy() });
      });
      req.on('error', reject);
      req.end();
    });
  }
  const FOLLOW = '/api/v1/logs?namespace=default&pod=web&follow=true';

  it.each([
    ['event streams', '/api/v1/stream', MAX_EVENT_STREAMS, 'close some of its tabs'],
    ['followed logs', FOLLOW, MAX_LOG_STREAMS, 'close a followed log'],
  ])('%s: past the cap a new one is 503 saying what to do; a client that hangs up frees its slot', async (_what, path, cap, advice) => {
    const { port } = await serve({ token: TOKEN });
    const open = await Promise.all(Array.from({ length: cap }, () => openStream(port, path)));
    expect(open.map((o) => o.status)).toEqual(Array(cap).fill(200));
    const refused = await openStream(port, path);
    expect([refused.status, JSON.parse(await refused.body).error]).toEqual([503, expect.stringContaining(advice)]);
    open[0]!.hangUp();
    await open[0]!.body;
    // The slot is given back when the server sees the close: poll until then (a few ms).
    let next = await openStream(port, path);
    for (let i = 0; next.status === 503 && i < 50; i++) next = await new Promise((r) => setTimeout(r, 20)).then(() => openStream(port, path));
    expect(next.status).toBe(200);
    for (const o of [...open, next]) o.hangUp();
  });

  it('answers that are no stream (a 404, HEAD) and streams that end by themselves hold no slot', async () => {
    const { port } = await serve({ token: TOKEN });
    for (let i = 0; i < MAX_LOG_STREAMS + 1; i++) {
      expect((await openStream(port, '/api/v1/logs?namespace=default&pod=missing')).status).toBe(404);
      expect((await openStream(port, FOLLOW, 'HEAD')).status).toBe(200);
      const ended = await openStream(port, '/api/v1/logs?namespace=default&pod=web');
      expect([ended.status, await ended.body]).toEqual([200, 'line one\n']);
    }
    const open = await Promise.all(Array.from({ length: MAX_LOG_STREAMS }, () => openStream(port, FOLLOW)));
    expect(open.every((o) => o.status === 200)).toBe(true);
    for (const o of open) o.hangUp();
  });
});

describe('exec WebSocket', () => {
  async function ticket(request: Awaited<ReturnType<typeof serve>>['request'], headers: Record<string, string> = AUTH) {
    const res = await request('POST', '/api/v1/exec/tickets', { ...JSON_TYPE, ...headers }, JSON.stringify({ namespace: 'default', pod: 'web', command: ['sh'], tty: true }));
    expect(res.status).toBe(201);
    return JSON.parse(res.text) as { ticket: string; expiresAt: string };
  }

  function open(port: number, query: string, headers: Record<string, string> = {}, autoPong = true): Promise<{ ws?: WebSocket; status?: number }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/exec${query}`, { headers, autoPong });
      ws.on('open', () => resolve({ ws }));
      ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
      ws.on('error', () => resolve({ status: -1 }));
    });
  }

  it('runs the ticket\'s target: binary frames both ways, the exit code in the close reason', async () => {
    const { port, request, execs } = await serve({ token: TOKEN });
    const { ticket: t } = await ticket(request, AUTH);
    const { ws } = await open(port, `?ticket=${t}`, { origin: `http://127.0.0.1:${port}` });
    const received: string[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws!.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws!.on('message', (data: Buffer, binary: boolean) => {
      received.push(binary ? `bin:${data.toString()}` : `text:${data.toString()}`);
      if (binary) ws!.send(Buffer.from('exit'));
    });
    ws!.send(JSON.stringify({ type: 'resize', cols: 80, rows: 24 }));
    ws!.send(Buffer.from('hi'));
    expect(await closed).toEqual({ code: 1000, reason: '{"exitCode":3}' });
    expect(received).toEqual(['bin:echo:hi', 'text:{"type":"exit","exitCode":3}']);
    expect(execs).toEqual([{ namespace: 'default', pod: 'web', command: ['sh'], tty: true }]);
  });

  it('pings an idle terminal and terminates one that misses a pong, which ends its command', async () => {
    const clock = new FakeClock();
    const { port, request, calls } = await serve({ token: TOKEN, clock });
    // A half-open client: it hears pings but never answers (a browser answers them itself).
    const { ws: silent } = await open(port, `?ticket=${(await ticket(request)).ticket}`, {}, false);
    const { ws: answering } = await open(port, `?ticket=${(await ticket(request)).ticket}`);
    const pinged = (ws: WebSocket) => new Promise<void>((r) => ws.once('ping', () => r()));
    // The pong goes out before 'ping' is emitted; an echo of a frame sent after it proves the server has read it.
    const echoed = (ws: WebSocket) => new Promise<void>((r) => (ws.once('message', () => r()), ws.send(Buffer.from('x'))));
    const silentClosed = new Promise<number>((r) => silent!.once('close', (code) => r(code)));
    const first = Promise.all([pinged(answering!), pinged(silent!)]);
    await clock.advance(PING_INTERVAL_MS);
    await first;
    await echoed(answering!);
    const second = pinged(answering!);
    await clock.advance(PING_INTERVAL_MS);
    await second;
    await echoed(answering!);
    // Terminated at the second ping: no close frame (1006 on the client's side).
    expect(await silentClosed).toBe(1006);
    expect(answering!.readyState).toBe(WebSocket.OPEN);
    expect(calls.filter((c) => c === 'exec aborted')).toHaveLength(1);
    answering!.close();
  });

  it('a ticket works once', async () => {
    const { port, request } = await serve({ token: TOKEN });
    const { ticket: t } = await ticket(request);
    const first = await open(port, `?ticket=${t}`);
    first.ws!.close();
    expect((await open(port, `?ticket=${t}`)).status).toBe(401);
  });

  it.each([
    ['no ticket', '', {}, 401],
    ['a made-up ticket', '?ticket=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', {}, 401],
    ['a foreign Origin', '?ticket=TICKET', { origin: 'http://attacker.example' }, 403],
    ['another port of localhost', '?ticket=TICKET', { origin: 'http://127.0.0.1:1' }, 403],
    ['a foreign Host (DNS rebinding)', '?ticket=TICKET', { host: 'attacker.example' }, 421],
  ])('refuses the handshake with %s (%s) before upgrading', async (_what, query, headers, status) => {
    const { port, request, execs } = await serve({ token: TOKEN });
    const { ticket: t } = await ticket(request);
    expect((await open(port, query.replace('TICKET', t), headers as Record<string, string>)).status).toBe(status);
    expect(execs).toEqual([]);
  });

  /** Sends `request` on a raw socket and resolves with what came back (or '' when the socket was reset). */
  function rawUpgrade(port: number, path: string, reset: boolean): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
        if (reset) socket.resetAndDestroy();
      });
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
  }

  it.each([
    ['a path no URL base resolves (a page can send it with new WebSocket)', '//a:99999/x', false, /^HTTP\/1\.1 400 /],
    ['a client that resets right after asking', '/api/v1/exec?ticket=x', true, /^$|^HTTP\/1\.1 401 /],
  ])('the server outlives an upgrade with %s', async (_what, path, reset, answer) => {
    const { port, request } = await serve({ token: TOKEN });
    for (let i = 0; i < 5; i++) expect(await rawUpgrade(port, path, reset)).toMatch(answer);
    expect((await request('GET', '/api/v1/tree', AUTH)).status).toBe(200);
  });

  it('a refused handshake does not spend the ticket for a foreign page, and another path is 404', async () => {
    const { port, request } = await serve({ token: TOKEN });
    const { ticket: t } = await ticket(request);
    expect((await open(port, `?ticket=${t}`, { origin: 'http://attacker.example' })).status).toBe(403);
    const ok = await open(port, `?ticket=${t}`);
    expect(ok.ws).toBeDefined();
    ok.ws!.close();
    const other = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(other).toBe(404);
  });
});
