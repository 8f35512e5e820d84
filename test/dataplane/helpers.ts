import dgram from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach } from 'vitest';
import type { LogFields, Logger } from '../../src/dataplane/log.js';
import type { ProxyConfig, ProxyStatus } from '../../src/dataplane/protocol.js';
import { decodeStatus, encodeProxyConfig, STATUS_FILE } from '../../src/dataplane/protocol.js';
import type { ProxyProgram, ProxyProgramOptions } from '../../src/dataplane/proxy-program.js';
import { startProxyProgram } from '../../src/dataplane/proxy-program.js';

export type Defer = (fn: () => unknown) => void;

/** Registers cleanups that run after each test, last first, even when the test failed. */
export function useCleanup(): Defer {
  const fns: Array<() => unknown> = [];
  afterEach(async () => {
    while (fns.length > 0) {
      try {
        await fns.pop()!();
      } catch {
        // keep cleaning
      }
    }
  });
  return (fn) => void fns.push(fn);
}

export async function tempDir(defer: Defer, prefix = 'berth-dp-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 5_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A logger that keeps records for assertions. */
export function memoryLogger(): Logger & { records: Array<LogFields & { level: string; msg: string }> } {
  const records: Array<LogFields & { level: string; msg: string }> = [];
  const make = (base: LogFields): Logger => ({
    debug: (msg, f) => void records.push({ ...base, ...f, level: 'debug', msg }),
    info: (msg, f) => void records.push({ ...base, ...f, level: 'info', msg }),
    warn: (msg, f) => void records.push({ ...base, ...f, level: 'warn', msg }),
    error: (msg, f) => void records.push({ ...base, ...f, level: 'error', msg }),
    child: (f) => make({ ...base, ...f }),
  });
  return Object.assign(make({}), { records });
}

/** A TCP port nothing listens on right now: the e2e support's one helper. */
export { freePort } from '../e2e/support/daemon.js';

export interface TcpBackend {
  id: string;
  port: number;
  server: net.Server;
  /** Connections accepted so far. */
  accepted: number;
  open(): Promise<number>;
}

/**
 * A backend that greets with `<id>\n`, echoes what it receives, and on the client's FIN writes
 * `bye\n` and ends (so half-close through the proxy is observable).
 */
export async function startTcpBackend(defer: Defer, id: string): Promise<TcpBackend> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    backend.accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.write(`${id}\n`);
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end('bye\n'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const backend: TcpBackend = {
    id,
    port: (server.address() as net.AddressInfo).port,
    server,
    accepted: 0,
    open: () => new Promise((r, j) => server.getConnections((e, n) => (e ? j(e) : r(n)))),
  };
  defer(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(() => r(undefined)));
  });
  return backend;
}

/** Connects, reads the greeting line (the backend id) and closes. */
export function fetchId(port: number, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        s.destroy();
        resolve(buf.slice(0, nl));
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error(`closed before a greeting (got ${JSON.stringify(buf)})`)));
  });
}

/** A client connection that can send lines and await what comes back. */
export interface LineClient {
  socket: net.Socket;
  received: () => string;
  waitFor(text: string): Promise<void>;
  closed: Promise<{ hadError: boolean; received: string }>;
  /** The peer's FIN (the socket allows half-open, so it stays writable until we end it). */
  ended: Promise<string>;
}

export function openClient(port: number, defer: Defer): Promise<LineClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    defer(() => socket.destroy());
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (buf += d));
    socket.on('error', () => {});
    const closed = new Promise<{ hadError: boolean; received: string }>((r) => socket.on('close', (hadError) => r({ hadError, received: buf })));
    const ended = new Promise<string>((r) => socket.on('end', () => r(buf)));
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => buf,
        waitFor: async (text) => {
          await waitFor(() => buf.includes(text), `${JSON.stringify(text)} (have ${JSON.stringify(buf)})`);
        },
        closed,
        ended,
      }),
    );
    socket.once('error', reject);
  });
}

export interface TestProxy {
  program: ProxyProgram;
  dir: string;
  log: ReturnType<typeof memoryLogger>;
  /** Writes config generation `gen` and waits until status.json acknowledges it. */
  configure(payload: ProxyConfig, gen: number): Promise<ProxyStatus>;
  readStatus(): Promise<ProxyStatus>;
}

export async function startTestProxy(defer: Defer, options: Partial<ProxyProgramOptions> = {}): Promise<TestProxy> {
  const dir = await tempDir(defer);
  const log = memoryLogger();
  const program = await startProxyProgram({
    configDir: dir,
    listenHost: '127.0.0.1',
    pollMs: 50,
    statusIntervalMs: 100,
    connectTimeoutMs: 1_000,
    udpIdleMs: 30_000,
    log,
    now: () => Date.now(),
    ...options,
  });
  defer(() => program.shutdown(0));
  const readStatus = async () => {
    const decoded = decodeStatus(await readFile(join(dir, STATUS_FILE), 'utf8'));
    if (!decoded.ok || decoded.status.kind !== 'proxy') throw new Error('bad status file');
    return decoded.status;
  };
  return {
    program,
    dir,
    log,
    readStatus,
    configure: async (payload, gen) => {
      const { fileName, content } = encodeProxyConfig(payload, gen);
      await writeFile(join(dir, fileName), content);
      return waitFor(async () => {
        const s = await readStatus();
        return s.generation === gen ? s : undefined;
      }, `status generation ${gen}`);
    },
  };
}

export function proxyConfig(ports: ProxyConfig['ports'], endpoints: ProxyConfig['endpoints'], sessionAffinity: ProxyConfig['sessionAffinity'] = { type: 'None' }): ProxyConfig {
  return { service: { namespace: 'default', name: 'web' }, ports, endpoints, sessionAffinity };
}

/** Endpoints for loopback backends: same IP, each its own port (as a per-pod named targetPort). */
export function endpointsFor(backends: TcpBackend[] | UdpBackend[], portName = 'main', ready = true): ProxyConfig['endpoints'] {
  return backends.map((b) => ({ name: b.id, ip: '127.0.0.1', ready, ports: { [portName]: b.port } }));
}

export interface UdpBackend {
  id: string;
  port: number;
  socket: dgram.Socket;
  received: number;
}

/** Replies `<id>:<payload>` to every datagram. */
export async function startUdpBackend(defer: Defer, id: string): Promise<UdpBackend> {
  const socket = dgram.createSocket('udp4');
  const backend: UdpBackend = { id, port: 0, socket, received: 0 };
  socket.on('message', (msg, rinfo) => {
    backend.received++;
    socket.send(`${id}:${msg.toString()}`, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  backend.port = socket.address().port;
  defer(() => new Promise((r) => socket.close(() => r(undefined))));
  return backend;
}

/**
 * A port whose connects neither succeed nor fail: a listener with a one-connection accept
 * queue whose thread never accepts (its event loop is blocked), filled by a few connects of our
 * own. Linux drops further SYNs to a listener with a full queue, so a connect to it hangs until
 * the connecting side gives up, as one to a stopped container's address on an overlay does.
 * (A blackhole address would do as well where nothing intercepts outgoing connects.)
 */
export async function startSilentListener(defer: Defer): Promise<number> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const server = require('node:net').createServer();
     server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData, 0, 0);
     });`,
    { eval: true, workerData: gate },
  );
  defer(async () => {
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await worker.terminate();
  });
  const port = await new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject));
  const fillers = Array.from({ length: 4 }, () => net.connect(port, '127.0.0.1').on('error', () => {}));
  defer(() => fillers.forEach((s) => s.destroy()));
  // The first connects complete into the queue; once it is full the rest (and ours) hang.
  await sleep(100);
  return port;
}
