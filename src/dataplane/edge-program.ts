/**
 * The edge program minus process concerns: one ConfigDirWatcher per `apps/<app>` directory,
 * fragments merged into one route table swapped in a single assignment (open connections and
 * in-flight requests keep the table they started with), HTTP listener, status.json.
 * edge.ts wraps it for the container; tests run it in-process.
 */
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIPv6 } from 'node:net';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ConfigDirWatcher, StatusFile } from './config-dir.js';
import { BackendSet, EndpointPool } from './edge-backends.js';
import type { EdgeHttpOptions } from './edge-http.js';
import { handleRequest, reply } from './edge-http.js';
import { RouteMetrics } from './edge-metrics.js';
import type { EdgeTable } from './edge-table.js';
import { mergeFragments } from './edge-table.js';
import type { EdgeAppStatus, EdgeConfig, EdgeStatus } from './edge-types.js';
import { challengeToken, readToken } from './edge-acme.js';
import { keepListening } from './edge-listen.js';
import type { CertEntry } from './edge-tls.js';
import { CertStore, fallbackCertificate, SniMap, usedCertificates } from './edge-tls.js';
import { handleUpgrade } from './edge-upgrade.js';
import type { Logger } from './log.js';
import { errorText } from './log.js';
import type { StatusError } from './protocol.js';
import { PROTOCOL_FORMAT } from './protocol.js';
import { readRegularFile, writeFileAtomic } from './safe-file.js';

const MAX_OWNERS_FILE = 4 * 1024 * 1024;

export interface EdgeProgramOptions {
  configDir: string;
  httpPort: number;
  /** TLS listener; absent: no TLS listener. */
  httpsPort?: number;
  listenHost?: string;
  pollMs: number;
  statusIntervalMs: number;
  connectTimeoutMs: number;
  backendTimeoutMs: number;
  /** Client keep-alive: idle connections close after this. */
  idleTimeoutMs: number;
  /** The request head must arrive within this. */
  headersTimeoutMs: number;
  /** Open client connections per listener beyond this are closed at once (fd exhaustion would fail upstream connects and config reads). */
  maxConnections?: number;
  /** Addresses or CIDRs whose X-Forwarded-* headers are appended to rather than replaced. */
  trustedProxies: string[];
  log: Logger;
  now: () => number;
  watch?: boolean;
}

export const EDGE_DEFAULTS = {
  pollMs: 500,
  statusIntervalMs: 2_000,
  connectTimeoutMs: 2_000,
  backendTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
  headersTimeoutMs: 30_000,
  graceMs: 5_000,
  maxConnections: 10_000,
};
/** TLS 1.2 at least (Node's default today, pinned so a runtime change cannot lower it). */
const TLS_BASE = { minVersion: 'TLSv1.2' } as const;
/** A request head (line and fields) larger than this is 431 (Node's default, pinned). */
export const MAX_HEADER_BYTES = 16 * 1024;
const APP_DIR = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const OWNERS_FILE = 'owners.json';

export interface EdgeProgram {
  status(): EdgeStatus;
  /** The table requests are routed by right now. */
  table(): EdgeTable;
  flushStatus(): Promise<void>;
  rescan(): Promise<void>;
  shutdown(graceMs: number): Promise<void>;
}

export async function startEdgeProgram(o: EdgeProgramOptions): Promise<EdgeProgram> {
  const startedAt = new Date(o.now()).toISOString();
  const log = o.log;
  const appsDir = join(o.configDir, 'apps');
  await mkdir(appsDir, { recursive: true });
  let statusFile: StatusFile | undefined;
  const requestStatus = () => statusFile?.request();
  const pool = new EndpointPool(o.now);
  const metrics = new RouteMetrics();
  const watchers = new Map<string, ConfigDirWatcher<'edge'>>();
  /** The applied fragment of each app (what the table is built from). */
  const fragments = new Map<string, EdgeConfig>();
  const programErrors: StatusError[] = [];
  let owners = await readOwners(o.configDir, programErrors, startedAt);
  let merged = mergeFragments([], owners, () => new BackendSet(new Map(), '', pool));

  const certStore = new CertStore(join(o.configDir, 'certs'));
  let certs = new Map<string, CertEntry>();
  let sni = new SniMap();
  let defaultCert: CertEntry | undefined;
  let tlsServer: https.Server | undefined;
  const rebuildNow = async () => {
    const list = [...fragments.values()];
    const next = mergeFragments(list, owners, (f) => new BackendSet(new Map(f.backends.map((b) => [b.id, b])), f.app, pool));
    const fallbackId = fallbackCertificate(next.table.hosts, fragments);
    const nextCerts = await certStore.load(new Set([...usedCertificates(next.table.hosts), ...(fallbackId === undefined ? [] : [fallbackId])]));
    const nextSni = SniMap.build(next.table.hosts, nextCerts, fallbackId);
    pool.setConfigs(list);
    // The one swap: requests and TLS sessions that already started keep what they resolved.
    merged = next;
    certs = nextCerts;
    sni = nextSni;
    // SNICallback is not called without SNI: the default context is the fallback (or none: an alert).
    if (tlsServer && nextSni.fallback !== defaultCert) {
      defaultCert = nextSni.fallback;
      tlsServer.setSecureContext({ ...TLS_BASE, ...(defaultCert ? { key: defaultCert.key, cert: defaultCert.cert } : {}) });
    }
    await certStore.sweep(new Set(list.flatMap((f) => f.certificates.map((c) => c.id))), o.now());
    if (JSON.stringify(next.owners) !== JSON.stringify(owners)) {
      owners = next.owners;
      await writeOwners(o.configDir, owners).catch((err: unknown) => log.error('owners.json write failed', { err: errorText(err) }));
    }
    requestStatus();
  };
  // One rebuild at a time, in order: a slower older one must not swap in after a newer one.
  let rebuilding = Promise.resolve();
  const rebuild = () => (rebuilding = rebuilding.then(rebuildNow));

  const watchApp = async (app: string) => {
    const watcher = new ConfigDirWatcher({
      dir: join(appsDir, app),
      kind: 'edge',
      log: log.child({ app }),
      now: o.now,
      pollMs: o.pollMs,
      ...(o.watch === undefined ? {} : { watch: o.watch }),
      onChange: requestStatus,
      apply: async (config) => {
        if (config.payload.app !== app) throw new Error(`fragment is for app ${JSON.stringify(config.payload.app)}, found in apps/${app}`);
        fragments.set(app, config.payload);
        await rebuild();
        log.info('reconfigured', { app, generation: config.generation, hosts: config.payload.virtualHosts.map((v) => v.host), backends: config.payload.backends.length });
      },
    });
    watchers.set(app, watcher);
    await watcher.start();
  };

  const scanApps = async () => {
    let names: string[];
    try {
      names = (await readdir(appsDir, { withFileTypes: true })).filter((d) => d.isDirectory() && APP_DIR.test(d.name)).map((d) => d.name);
    } catch {
      names = [];
    }
    for (const app of names) if (!watchers.has(app)) await watchApp(app);
    let removed = false;
    for (const [app, w] of watchers) {
      if (names.includes(app)) continue;
      // The writer removed the app's directory: its routes go.
      w.stop();
      watchers.delete(app);
      fragments.delete(app);
      removed = true;
    }
    if (removed) await rebuild();
  };

  const trusted = trustedList(o.trustedProxies);
  const httpOptions: EdgeHttpOptions = {
    context: (scheme, listenPort) => ({
      table: merged.table,
      scheme,
      listenPort,
      trusted,
      ...(o.httpsPort === undefined ? {} : { httpsPort: o.httpsPort }),
      certLoaded: (id) => certs.get(id)?.state === 'loaded',
    }),
    pool,
    metrics,
    connectTimeoutMs: o.connectTimeoutMs,
    backendTimeoutMs: o.backendTimeoutMs,
    idleTimeoutMs: o.idleTimeoutMs,
    now: o.now,
    log,
  };
  const tunnels = new Set<Duplex>();
  // Node checks headersTimeout only every connectionsCheckingInterval (30 s by default): a slow
  // head would get up to twice its allowance. A body is bounded by inactivity (edge-http.ts), not
  // requestTimeout, so long uploads and downloads keep working.
  const limits = {
    headersTimeout: o.headersTimeoutMs,
    requestTimeout: 0,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(o.headersTimeoutMs / 2))),
    maxHeaderSize: MAX_HEADER_BYTES,
  };
  const acmeDir = join(o.configDir, 'acme');
  const serve = (scheme: 'http' | 'https', port: number) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (scheme === 'https' && sni.misdirected((req.socket as TLSSocket).servername, req.headers.host)) {
      req.resume();
      return reply(res, 421, 'this host is not served on this connection\n');
    }
    const token = challengeToken(req);
    if (token === undefined) return handleRequest(httpOptions, req, res, scheme, port);
    // HTTP-01 challenges are answered before routing, for the host the token names; unknown tokens route normally.
    void readToken(acmeDir, token, o.now(), req.headers.host)
      .then((keyAuthorization) => {
        if (keyAuthorization === undefined) return handleRequest(httpOptions, req, res, scheme, port);
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(keyAuthorization), 'x-content-type-options': 'nosniff' });
        res.end(req.method === 'HEAD' ? undefined : keyAuthorization);
      })
      .catch((err: unknown) => {
        log.error('acme answer failed', { err: errorText(err) });
        res.destroy();
      });
  };
  // CONNECT would make the edge an open forward proxy: refused (Node would only drop the socket).
  const refuseConnect = (_req: http.IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {});
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  };
  const server = http.createServer({ ...limits, keepAliveTimeout: o.idleTimeoutMs }, serve('http', o.httpPort));
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(httpOptions, tunnels, req, socket, head, 'http', o.httpPort));
  server.on('connect', refuseConnect);
  server.on('clientError', clientError);
  const servers: Array<http.Server | https.Server> = [server];
  server.maxConnections = o.maxConnections ?? EDGE_DEFAULTS.maxConnections;
  if (o.httpsPort !== undefined) {
    const port = o.httpsPort;
    tlsServer = https.createServer(
      {
        ...TLS_BASE,
        ALPNProtocols: ['http/1.1'],
        ...limits,
        keepAliveTimeout: o.idleTimeoutMs,
        // The TLS handshake gets no longer than a request head (Node's default is 120 s).
        handshakeTimeout: o.headersTimeoutMs,
        // No certificate for the name: the handshake fails (unrecognized_name), as the design says.
        SNICallback: (name, cb) => {
          const ctx = sni.lookup(name);
          if (ctx) cb(null, ctx);
          else cb(new Error(`no certificate for ${name}`));
        },
      },
      serve('https', port),
    );
    tlsServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!sni.misdirected((req.socket as TLSSocket).servername, req.headers.host)) return handleUpgrade(httpOptions, tunnels, req, socket, head, 'https', port);
      socket.on('error', () => {});
      socket.end('HTTP/1.1 421 Misdirected Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    tlsServer.on('connect', refuseConnect);
    tlsServer.on('clientError', clientError);
    tlsServer.on('tlsClientError', () => {});
    tlsServer.maxConnections = o.maxConnections ?? EDGE_DEFAULTS.maxConnections;
    servers.push(tlsServer);
  }
  const listeners = [keepListening(server, 'http', o.httpPort, o.listenHost, log, requestStatus)];
  if (tlsServer && o.httpsPort !== undefined) listeners.push(keepListening(tlsServer, 'https', o.httpsPort, o.listenHost, log, requestStatus));

  const status = (): EdgeStatus => {
    const apps: Record<string, EdgeAppStatus> = {};
    let generation = 0;
    let checksum: string | null = null;
    let appliedAt: number | undefined;
    for (const [app, w] of watchers) {
      const cur = w.current;
      apps[app] = {
        generation: cur?.generation ?? 0,
        checksum: cur?.checksum ?? null,
        appliedAt: w.appliedAt === undefined ? null : new Date(w.appliedAt).toISOString(),
        errors: w.errors(),
        hosts: merged.held[app] ?? [],
        conflicts: merged.conflicts[app] ?? [],
      };
      if (cur && cur.generation > generation) {
        generation = cur.generation;
        checksum = cur.checksum;
      }
      if (w.appliedAt !== undefined && (appliedAt === undefined || w.appliedAt > appliedAt)) appliedAt = w.appliedAt;
    }
    const listenErrors: StatusError[] = listeners
      .filter((l) => l.status.state === 'failed' && l.status.error !== 'not started')
      .map((l) => ({ code: 'LISTEN_FAILED', message: `cannot listen on TCP/${l.status.port}: ${l.status.error ?? 'unknown'}`, at: startedAt }));
    return {
      format: PROTOCOL_FORMAT,
      kind: 'edge',
      generation,
      checksum,
      appliedAt: appliedAt === undefined ? null : new Date(appliedAt).toISOString(),
      startedAt,
      updatedAt: new Date(o.now()).toISOString(),
      pid: process.pid,
      listening: listeners.map((l) => ({ ...l.status })),
      errors: [...programErrors, ...listenErrors],
      apps,
      endpoints: pool.list(),
      routes: metrics.list(merged.table.routes.map((r) => ({ app: r.app, id: r.route.id }))),
      certificates: [...certs.values()].map((c) => ({
        id: c.id,
        state: c.state,
        hosts: merged.table.hosts.filter((h) => h.vhost?.certificate === c.id).map((h) => h.key),
        ...(c.notAfter === undefined ? {} : { notAfter: c.notAfter }),
        ...(c.error === undefined ? {} : { error: c.error }),
      })),
    };
  };
  statusFile = new StatusFile({ dir: o.configDir, build: status, intervalMs: o.statusIntervalMs, log });
  await scanApps();
  const appsTimer = setInterval(() => void scanApps().catch((err: unknown) => log.error('apps scan failed', { err: errorText(err) })), o.pollMs);
  // Report the first listen outcome before returning (bound, or the first failure).
  await Promise.all(listeners.map((l) => l.started));
  statusFile.start();
  await statusFile.flush();
  log.info('started', { configDir: o.configDir, httpPort: o.httpPort, httpsPort: o.httpsPort, apps: [...watchers.keys()] });
  return {
    status,
    table: () => merged.table,
    flushStatus: () => statusFile.flush(),
    rescan: async () => {
      await scanApps();
      for (const w of watchers.values()) await w.scan();
    },
    shutdown: async (graceMs) => {
      clearInterval(appsTimer);
      for (const l of listeners) l.stop();
      for (const w of watchers.values()) w.stop();
      statusFile.stop();
      const closed = Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
      for (const srv of servers) srv.closeIdleConnections();
      const deadline = new Promise<void>((r) => setTimeout(r, graceMs).unref());
      await Promise.race([Promise.all([closed, waitIdle(pool, tunnels)]), deadline]);
      for (const srv of servers) srv.closeAllConnections();
      for (const t of tunnels) t.destroy();
      pool.destroy();
    },
  };
}

/**
 * A request Node's parser refused: 408 for a slow head, 431 for a large one, else 400; then close.
 * Anything else (a failed or timed-out TLS handshake reaches here too) has no HTTP to answer in.
 */
function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const parser = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code?.startsWith('HPE_') === true;
  if (!parser) {
    socket.destroy();
    return;
  }
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  else socket.destroy();
}

async function waitIdle(pool: EndpointPool, tunnels: Set<Duplex>): Promise<void> {
  while (pool.activeTotal() > 0 || tunnels.size > 0) await new Promise((r) => setTimeout(r, 20));
}

function trustedList(entries: string[]): BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const e of entries) {
    const [addr, bits] = e.split('/') as [string, string | undefined];
    const type = isIPv6(addr) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

async function readOwners(dir: string, errors: StatusError[], at: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = (await readRegularFile(join(dir, OWNERS_FILE), MAX_OWNERS_FILE)).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    text = '';
  }
  try {
    const doc: unknown = JSON.parse(text);
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
      return Object.fromEntries(Object.entries(doc).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
  } catch {
    // fall through
  }
  errors.push({ code: 'BAD_OWNERS', message: `${OWNERS_FILE} is not a JSON object of host → app; starting without it`, at });
  return {};
}

async function writeOwners(dir: string, owners: Record<string, string>): Promise<void> {
  await writeFileAtomic(join(dir, OWNERS_FILE), join(dir, `.${OWNERS_FILE}.${process.pid}.tmp`), `${JSON.stringify(owners, null, 1)}\n`);
}
