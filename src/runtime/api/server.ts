import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../model/clock.js';
import type { Logger } from '../log.js';
import { EVENTS_QUERY, NO_QUERY, parseQuery, RESOURCES_QUERY, type EventsQuery, type ResourcesQuery } from './query.js';
import { guardRequest, hostPolicy, type HostPolicy } from './guard.js';
import { verifyWebhook } from './webhook.js';
import { BodyTooLarge, defineRoute, MAX_BODY_BYTES, readBody, routeMatch, send, type ApiResponse, type Route } from './http.js';
import { attachExecSocket } from './exec-socket.js';
import { serveStatic } from './static.js';
import { createTicketBook } from './tickets.js';
import type { UiHandlers } from './ui-handlers.js';
import { EXEC_OFF, uiRoutes, WEB_UI_OFF } from './ui-routes.js';
import type { ApiAccessBody } from './contract.js';

export { MAX_BODY_BYTES, type ApiResponse } from './http.js';

/** What the routes answer with; the server handles HTTP, auth, limits and errors. */
export interface ApiHandlers {
  health(): ApiResponse;
  ready(): Promise<ApiResponse>;
  metrics(): ApiResponse | Promise<ApiResponse>;
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
  /** Bearer token; when set, every route but /healthz, /readyz and /webhook needs it. */
  token?: string;
  /**
   * Host names the API answers to besides its listen address (--api-host): the names people
   * and webhook senders use to reach it. Any other Host header is refused (DNS rebinding).
   */
  allowedHosts?: readonly string[];
  /** Webhook secret; without one, POST /webhook answers 404 (the endpoint is off). */
  webhookSecret?: Buffer;
  maxBodyBytes?: number;
  /**
   * The web UI (issue 19): its API routes, the exec WebSocket, and its built files at `/` from
   * `dir` (dist/ui). Absent: none of them (unknown paths are 404s, as before).
   */
  ui?: {
    handlers: UiHandlers;
    clock: Clock;
    /** The built pages; absent (`--no-web-ui`): the UI's API stays, `/` answers 404 saying why. */
    dir?: string;
    /** False (`--no-exec`): no terminals; ticket requests and handshakes answer 403 saying why. */
    exec: boolean;
  };
}

export interface ApiServer {
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

/**
 * The daemon's HTTP API on node:http (SPEC §6). Every request goes through guardRequest
 * (./guard.ts) before its handler: the Host header must name this server, writes must not come
 * from another origin, and with a token configured everything but `/healthz` and `/readyz`
 * (supervisors probe them; they reveal nothing) needs `Authorization: Bearer <token>`.
 * `/webhook` is authenticated by the forge's signature instead, and is exempt from the origin
 * check (forges send no Origin) but not from the Host check. No CORS header is ever sent.
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const { handlers } = options;
  const log = options.log.child({ component: 'api' });
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  // The guard's own inputs (token, --no-exec), so what status says is open is what is open.
  const access: ApiAccessBody = { privileged: options.token !== undefined, exec: options.ui?.exec ?? false };
  const routes: Route[] = [
    defineRoute('GET', '/healthz', 'open', NO_QUERY, () => handlers.health()),
    defineRoute('GET', '/readyz', 'open', NO_QUERY, () => handlers.ready()),
    defineRoute('GET', '/metrics', 'read', NO_QUERY, () => handlers.metrics()),
    defineRoute('GET', '/api/v1/status', 'read', NO_QUERY, () => withAccess(handlers.status(), access)),
    defineRoute('GET', '/api/v1/resources', 'read', RESOURCES_QUERY, (_r, q) => handlers.resources(q)),
    defineRoute('GET', '/api/v1/revisions', 'read', NO_QUERY, () => handlers.revisions()),
    defineRoute('GET', '/api/v1/events', 'read', EVENTS_QUERY, (_r, q) => handlers.events(q)),
    defineRoute('GET', '/api/v1/diff', 'read', NO_QUERY, () => handlers.diff()),
    defineRoute('POST', '/api/v1/sync', 'write', NO_QUERY, async (req) => (await readBody(req, limit), handlers.sync())),
    defineRoute('POST', '/webhook', 'webhook', NO_QUERY, (req) => webhook(req)),
  ];
  // Exec tickets live as long as this server: a restart voids them.
  const tickets = options.ui && createTicketBook({ clock: options.ui.clock, randomBytes });
  if (options.ui && tickets) routes.push(...uiRoutes(options.ui.handlers, tickets, limit, { exec: options.ui.exec }));

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

  // Set once the socket is bound: the listen address is part of what the Host header may say.
  let hosts: HostPolicy = { names: new Set(), anyAddress: false };

  // Once per name (a page hammering the API must not flood the log): the likeliest cause is a
  // webhook or proxy using a name the operator has not passed with --api-host yet.
  const warnedHosts = new Set<string>();
  function noteForeignHost(host: string, path: string): void {
    const name = host.slice(0, 100);
    if (warnedHosts.has(name) || warnedHosts.size >= 100) return log.debug({ host: name, path }, 'refused a foreign Host header');
    warnedHosts.add(name);
    log.warn({ host: name, path }, 'refused a request for a host name this API does not answer to (add it with --api-host if it is yours)');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? '';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://berth.invalid');
    } catch {
      url = new URL('http://berth.invalid/');
    }
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const matches = routes.filter((r) => routeMatch(r, path) !== undefined);
    // HEAD is GET without a body (node drops the body itself).
    const route = matches.find((r) => r.method === method || (method === 'HEAD' && r.method === 'GET'));
    let response: ApiResponse;
    // Without a route for this method only the Host check applies: the 404 or 405 runs no handler.
    const refusal = guardRequest(method, req.headers, route?.auth, { hosts, ...(options.token ? { token: options.token } : {}) });
    if (refusal) {
      if (refusal.wwwAuthenticate) res.setHeader('WWW-Authenticate', 'Bearer realm="berth"');
      if (refusal.status === 421) noteForeignHost(String(req.headers.host ?? ''), path);
      response = { status: refusal.status, body: { error: refusal.error } };
    } else if (matches.length === 0 && options.ui && (method === 'GET' || method === 'HEAD') && path !== '/api' && !path.startsWith('/api/'))
      response = options.ui.dir !== undefined ? await serveStatic(options.ui.dir, path) : { status: 404, body: { error: `${WEB_UI_OFF}: the API under /api/v1 still answers` } };
    else if (matches.length === 0) response = { status: 404, body: { error: `no such endpoint: ${path}` } };
    else if (!route) {
      res.setHeader('Allow', matches.map((r) => r.method).join(', '));
      response = { status: 405, body: { error: `${method} is not allowed on ${path}` } };
    } else {
      try {
        const query = parseQuery(path, url.searchParams, route.query);
        response = query.ok ? await route.run(req, query.query, routeMatch(route, path) ?? '') : { status: 400, body: { error: query.error } };
      } catch (err) {
        if (err instanceof BodyTooLarge) response = { status: 413, body: { error: `the request body exceeds ${limit} bytes` } };
        else {
          log.error({ err, path }, 'request failed');
          response = { status: 500, body: { error: (err as Error)?.message ?? 'internal error', ...(typeof (err as { code?: unknown }).code === 'string' ? { code: (err as { code: string }).code } : {}) } };
        }
      }
    }
    // A request refused before its body was read: drop the body rather than parse it.
    if (!req.readableEnded) req.resume();
    log.debug({ method, path, status: response.status }, 'request');
    await send(res, response);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'request handling failed');
      if (!res.headersSent) void send(res, { status: 500, body: { error: 'internal error' } });
    });
  });
  // Slow or idle clients must not hold sockets (and the process) open forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  const execSocket = options.ui && tickets && attachExecSocket(server, { hosts: () => hosts, tickets, run: options.ui.handlers.exec, log, clock: options.ui.clock, ...(options.ui.exec ? {} : { off: EXEC_OFF }) });

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          hosts = hostPolicy(a.address, options.allowedHosts);
          resolve({ host: a.address, port: a.port });
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Open event and log streams end with their connections; exec sessions are upgraded sockets the server no longer tracks.
        execSocket?.close();
        options.ui?.handlers.close();
        server.closeAllConnections();
      }),
  };
}

/** A status answer with what this server opens (contract.ts ApiAccessBody); an error answer as it is. */
function withAccess(response: ApiResponse, access: ApiAccessBody): ApiResponse {
  if (response.status !== 200 || typeof response.body !== 'object' || response.body === null) return response;
  return { ...response, body: { ...response.body, access } };
}
