import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { CONTENT_TYPE } from './prometheus.js';
import { EVENTS_QUERY, NO_QUERY, parseQuery, RESOURCES_QUERY, type EventsQuery, type QueryOf, type QuerySpec, type ResourcesQuery } from './query.js';
import { secretsEqual, verifyWebhook } from './webhook.js';

/** 1 MiB: far above any push payload the forges send for a manifests repository. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiResponse {
  status: number;
  /** Serialised as JSON unless `text` is set. */
  body?: unknown;
  text?: string;
  contentType?: string;
}

/** What the routes answer with; the server handles HTTP, auth, limits and errors. */
export interface ApiHandlers {
  health(): ApiResponse;
  ready(): Promise<ApiResponse>;
  metrics(): ApiResponse;
  status(): ApiResponse;
  /** The query is validated already (see ./query.ts). */
  resources(query: ResourcesQuery): Promise<ApiResponse>;
  revisions(): ApiResponse;
  events(query: EventsQuery): ApiResponse;
  diff(): Promise<ApiResponse>;
  sync(): ApiResponse;
  /** A verified delivery. */
  webhook(verdict: Extract<ReturnType<typeof verifyWebhook>, { ok: true }>): ApiResponse;
  /** A delivery that failed verification (counted in metrics). */
  webhookRejected?(verdict: Extract<ReturnType<typeof verifyWebhook>, { ok: false }>): void;
}

export interface ApiServerOptions {
  handlers: ApiHandlers;
  log: Logger;
  /** Bearer token; required for writes whenever set. */
  token?: string;
  /** Also require the token for reads (the server listens beyond loopback). */
  authenticateReads: boolean;
  /** Webhook secret; without one, POST /webhook answers 404 (the endpoint is off). */
  webhookSecret?: Buffer;
  maxBodyBytes?: number;
}

export interface ApiServer {
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** 'none': open (health probes, and webhooks, which carry their own signature). */
  auth: 'none' | 'read' | 'write';
  /** The query parameters the route takes; any other is refused with 400. */
  query: QuerySpec;
  run(req: IncomingMessage, query: Record<string, unknown>): Promise<ApiResponse> | ApiResponse;
}

/** A route whose handler receives its query parsed as its spec says. */
function defineRoute<S extends QuerySpec>(method: Route['method'], path: string, auth: Route['auth'], query: S, run: (req: IncomingMessage, query: QueryOf<S>) => Promise<ApiResponse> | ApiResponse): Route {
  return { method, path, auth, query, run: (req, q) => run(req, q as QueryOf<S>) };
}

/**
 * The daemon's HTTP API on node:http (SPEC §6). Authentication: with a token configured,
 * every write needs `Authorization: Bearer <token>`; when listening beyond loopback every
 * read does too (the CLI refuses to listen there without a token). `/healthz` and `/readyz`
 * stay open so supervisors can probe them, and `/webhook` is authenticated by the forge's
 * signature instead. Tokens and signatures are compared in constant time.
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const { handlers } = options;
  const log = options.log.child({ component: 'api' });
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const routes: Route[] = [
    defineRoute('GET', '/healthz', 'none', NO_QUERY, () => handlers.health()),
    defineRoute('GET', '/readyz', 'none', NO_QUERY, () => handlers.ready()),
    defineRoute('GET', '/metrics', 'read', NO_QUERY, () => handlers.metrics()),
    defineRoute('GET', '/api/v1/status', 'read', NO_QUERY, () => handlers.status()),
    defineRoute('GET', '/api/v1/resources', 'read', RESOURCES_QUERY, (_r, q) => handlers.resources(q)),
    defineRoute('GET', '/api/v1/revisions', 'read', NO_QUERY, () => handlers.revisions()),
    defineRoute('GET', '/api/v1/events', 'read', EVENTS_QUERY, (_r, q) => handlers.events(q)),
    defineRoute('GET', '/api/v1/diff', 'read', NO_QUERY, () => handlers.diff()),
    defineRoute('POST', '/api/v1/sync', 'write', NO_QUERY, async (req) => (await readBody(req, limit), handlers.sync())),
    defineRoute('POST', '/webhook', 'none', NO_QUERY, (req) => webhook(req)),
  ];

  async function webhook(req: IncomingMessage): Promise<ApiResponse> {
    if (!options.webhookSecret) return { status: 404, body: { error: 'webhooks are not enabled (start the daemon with --webhook-secret-file)' } };
    const body = await readBody(req, limit);
    const verdict = verifyWebhook(req.headers, body, options.webhookSecret);
    if (!verdict.ok) {
      handlers.webhookRejected?.(verdict);
      log.warn({ reason: verdict.reason, forge: verdict.forge }, 'webhook rejected');
      return { status: verdict.status, body: { error: verdict.reason === 'malformed' ? 'the payload is not JSON' : 'missing or invalid signature' } };
    }
    return handlers.webhook(verdict);
  }

  function authorized(req: IncomingMessage, need: Route['auth']): boolean {
    if (need === 'none') return true;
    // Without a token the API only listens on loopback (the CLI refuses otherwise): local users may read and sync.
    if (!options.token) return !options.authenticateReads;
    if (need === 'read' && !options.authenticateReads) return true;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    return m !== null && secretsEqual(m[1]!.trim(), options.token);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://berth.invalid');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const matches = routes.filter((r) => r.path === path);
    let response: ApiResponse;
    if (matches.length === 0) response = { status: 404, body: { error: `no such endpoint: ${path}` } };
    else {
      const route = matches.find((r) => r.method === req.method);
      if (!route) {
        res.setHeader('Allow', matches.map((r) => r.method).join(', '));
        response = { status: 405, body: { error: `${req.method} is not allowed on ${path}` } };
      } else if (!authorized(req, route.auth)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="berth"');
        response = { status: 401, body: { error: 'a valid bearer token is required' } };
      } else {
        try {
          const query = parseQuery(path, url.searchParams, route.query);
          response = query.ok ? await route.run(req, query.query) : { status: 400, body: { error: query.error } };
        } catch (err) {
          if (err instanceof BodyTooLarge) response = { status: 413, body: { error: `the request body exceeds ${limit} bytes` } };
          else {
            log.error({ err, path }, 'request failed');
            response = { status: 500, body: { error: (err as Error)?.message ?? 'internal error', ...(typeof (err as { code?: unknown }).code === 'string' ? { code: (err as { code: string }).code } : {}) } };
          }
        }
      }
    }
    send(res, response);
    log.debug({ method: req.method, path, status: response.status }, 'request');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'request handling failed');
      if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error' } });
    });
  });
  // Slow or idle clients must not hold sockets (and the process) open forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          resolve({ host: a.address, port: a.port });
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

class BodyTooLarge extends Error {}

/** The raw body, refusing more than `limit` bytes (by Content-Length at once, else while reading). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      return reject(new BodyTooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, r: ApiResponse): void {
  if (res.headersSent) return;
  const text = r.text ?? `${JSON.stringify(r.body ?? {}, null, 2)}\n`;
  res.statusCode = r.status;
  res.setHeader('Content-Type', r.contentType ?? (r.text !== undefined ? CONTENT_TYPE : 'application/json; charset=utf-8'));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (r.status === 413) res.setHeader('Connection', 'close');
  res.end(text);
}
