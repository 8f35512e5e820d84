import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import type { EdgeProgram, EdgeProgramOptions } from '../../src/dataplane/edge-program.js';
import { startEdgeProgram } from '../../src/dataplane/edge-program.js';
import type { EdgeBackend, EdgeConfig, EdgeRoute, EdgeStatus } from '../../src/dataplane/protocol.js';
import { decodeStatus, encodeEdgeConfig, STATUS_FILE } from '../../src/dataplane/protocol.js';
import type { Defer } from './helpers.js';
import { freePort, memoryLogger, tempDir, waitFor } from './helpers.js';

export interface TestEdge {
  program: EdgeProgram;
  dir: string;
  port: number;
  log: ReturnType<typeof memoryLogger>;
  /** Writes `apps/<app>/config-<gen>.json` and waits until status.json acknowledges it. */
  configure(payload: EdgeConfig, gen: number): Promise<EdgeStatus>;
  readStatus(): Promise<EdgeStatus>;
}

export async function startTestEdge(defer: Defer, options: Partial<EdgeProgramOptions> = {}): Promise<TestEdge> {
  const dir = options.configDir ?? (await tempDir(defer, 'berth-edge-'));
  const log = memoryLogger();
  const port = await freePort();
  const program = await startEdgeProgram({
    configDir: dir,
    httpPort: port,
    listenHost: '127.0.0.1',
    pollMs: 50,
    statusIntervalMs: 100,
    connectTimeoutMs: 1_000,
    backendTimeoutMs: 10_000,
    idleTimeoutMs: 60_000,
    headersTimeoutMs: 30_000,
    trustedProxies: [],
    log,
    now: () => Date.now(),
    ...options,
  });
  defer(() => program.shutdown(0));
  const readStatus = async () => {
    const decoded = decodeStatus(await readFile(join(dir, STATUS_FILE), 'utf8'));
    if (!decoded.ok || decoded.status.kind !== 'edge') throw new Error('bad status file');
    return decoded.status;
  };
  return {
    program,
    dir,
    port,
    log,
    readStatus,
    configure: async (payload, gen) => {
      const appDir = join(dir, 'apps', payload.app);
      await mkdir(appDir, { recursive: true });
      const { fileName, content } = encodeEdgeConfig(payload, gen);
      await writeFile(join(appDir, fileName), content);
      return waitFor(async () => {
        const s = await readStatus();
        return s.apps[payload.app]?.generation === gen ? s : undefined;
      }, `edge status for ${payload.app} generation ${gen}`);
    },
  };
}

export interface HttpBackend {
  id: string;
  port: number;
  server: http.Server;
  /** TCP connections accepted. */
  connections: number;
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
}

/**
 * Answers `<id> <method> <url>` (plain text) after reading the body; `POST /echo` streams the
 * body back; `GET /big?mb=N` streams N MiB; upgrades are accepted with 101 and echoed.
 */
export async function startHttpBackend(defer: Defer, id: string): Promise<HttpBackend> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    backend.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (req.method === 'POST' && req.url === '/echo') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
      return;
    }
    if (req.url?.startsWith('/big')) {
      const mb = Number(new URL(req.url, 'http://x').searchParams.get('mb') ?? '1');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': mb * 1024 * 1024 });
      const chunk = Buffer.alloc(64 * 1024, 7);
      let left = mb * 16;
      const write = () => {
        while (left > 0) {
          left--;
          if (!res.write(chunk)) return res.once('drain', write);
        }
        res.end();
      };
      write();
      return;
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': id, 'set-cookie': ['a=1', 'b=2'] });
      res.end(`${id} ${req.method} ${req.url}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s) => {
    backend.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    backend.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${String(req.headers.upgrade)}\r\nConnection: Upgrade\r\nX-Backend: ${id}\r\n\r\n`);
    if (head.length > 0) socket.write(head);
    socket.pipe(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const backend: HttpBackend = { id, port: (server.address() as net.AddressInfo).port, server, connections: 0, requests: [] };
  defer(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(() => r(undefined)));
  });
  return backend;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
}

export function request(port: number, o: { host?: string; path?: string; method?: string; headers?: http.OutgoingHttpHeaders; agent?: http.Agent | false; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: o.path ?? '/', method: o.method ?? 'GET', headers: { host: o.host ?? 'shop.test', ...o.headers }, agent: o.agent ?? false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, reusedSocket: req.reusedSocket }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

export function backendOf(id: string, b: HttpBackend[], extra: Partial<EdgeBackend> = {}): EdgeBackend {
  return { id, service: { namespace: 'shop', name: id, port: 80 }, endpoints: b.map((x) => ({ name: x.id, ip: '127.0.0.1', port: x.port, ready: true })), ...extra };
}

export function route(id: string, type: 'Exact' | 'Prefix', value: string, backends: Array<{ backend: string; weight: number }>, extra: Partial<EdgeRoute> = {}): EdgeRoute {
  return { id, path: { type, value }, backends, ...extra };
}

/** One app, one host, the given routes and backends. */
export function fragment(app: string, host: string, routes: EdgeRoute[], backends: EdgeBackend[]): EdgeConfig {
  return { app, virtualHosts: [{ host, listeners: ['http'], routes }], backends, certificates: [] };
}

/**
 * Sends raw bytes and returns everything the edge answers until it closes the connection (or
 * `untilMs` passes: the edge is allowed to keep a connection open after a complete answer).
 */
export function raw(port: number, text: string | Buffer, untilMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(text));
    let got = '';
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, untilMs);
    s.setEncoding('latin1');
    s.on('data', (d: string) => (got += d));
    s.on('end', done);
    s.on('close', done);
    s.on('error', (err) => (got === '' ? reject(err) : done()));
  });
}

export interface RawBackend {
  port: number;
  /** Every byte received, per connection, as latin1 text. */
  received: string[];
}

/** A TCP backend that records what it gets and answers every chunk with `answer(chunk)` (undefined: nothing; null: hang up). */
export async function startRawBackend(defer: Defer, answer: (chunk: string) => string | undefined | null): Promise<RawBackend> {
  const sockets = new Set<net.Socket>();
  const backend: RawBackend = { port: 0, received: [] };
  const server = net.createServer((s) => {
    sockets.add(s);
    const index = backend.received.push('') - 1;
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      backend.received[index] += d;
      const out = answer(d);
      if (out === null) s.destroy();
      else if (out !== undefined) s.write(Buffer.from(out, 'latin1'));
    });
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  backend.port = (server.address() as net.AddressInfo).port;
  defer(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(() => r(undefined)));
  });
  return backend;
}

export interface TestCert {
  pem: string;
  cert: string;
  id: string;
}

/** A self-signed certificate for `name`, installed in the edge's certs/ (key + certificate in one PEM). */
export async function installSelfSigned(defer: Defer, configDir: string, name: string): Promise<TestCert> {
  const dir = await tempDir(defer, 'berth-cert-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
  const cert = await readFile(join(dir, 'c.pem'), 'utf8');
  const pem = `${await readFile(join(dir, 'k.pem'), 'utf8')}${cert}`;
  const id = `sha256:${createHash('sha256').update(pem).digest('hex')}`;
  await mkdir(join(configDir, 'certs'), { recursive: true });
  await writeFile(join(configDir, 'certs', `sha256-${id.slice(7)}.pem`), pem, { mode: 0o600 });
  return { pem, cert, id };
}
