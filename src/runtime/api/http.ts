import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { isBerthError } from '../../model/errors.js';
import type { RouteAccess } from './guard.js';
import { CONTENT_TYPE } from './prometheus.js';
import type { QueryOf, QuerySpec } from './query.js';

/**
 * The HTTP plumbing the daemon's routes share (./server.ts, ./ui-routes.ts): what a handler
 * answers, how a route is declared, how a body is read within its limit, how an answer is sent.
 */

/** 1 MiB: far above any push payload the forges send for a manifests repository. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiResponse {
  status: number;
  /** Serialised as JSON unless `text`, `bytes` or `stream` is set. */
  body?: unknown;
  text?: string;
  /** A file as it is (static assets). */
  bytes?: Buffer;
  contentType?: string;
  /** Headers besides the defaults (Cache-Control: no-store, nosniff); these replace them. */
  headers?: Readonly<Record<string, string>>;
  /**
   * A streamed body (logs, the event stream): the status and headers are sent at once, then
   * this writes until it is done or `closed` aborts (the client went away, the server closes).
   */
  stream?: (out: Writable, closed: AbortSignal) => Promise<void>;
  /**
   * Called once the answer is over, whichever way it ended (sent, a stream finished or its
   * client gone, a HEAD request whose stream never ran): frees what the answer held (./slots.ts).
   */
  release?: () => void;
}

export interface Route {
  method: 'GET' | 'POST';
  /** The exact path, or a prefix ending in '/' whose remainder the handler reads (`/api/v1/actions/`). */
  path: string;
  prefix?: boolean;
  /** What guardRequest checks: 'open' for the health probes, 'webhook' signs its own deliveries. */
  auth: RouteAccess;
  /** The query parameters the route takes; any other is refused with 400. */
  query: QuerySpec;
  run(req: IncomingMessage, query: Record<string, unknown>, rest: string): Promise<ApiResponse> | ApiResponse;
}

/** A route whose handler receives its query parsed as its spec says. */
export function defineRoute<S extends QuerySpec>(method: Route['method'], path: string, auth: Route['auth'], query: S, run: (req: IncomingMessage, query: QueryOf<S>, rest: string) => Promise<ApiResponse> | ApiResponse): Route {
  return { method, path, auth, query, run: (req, q, rest) => run(req, q as QueryOf<S>, rest) };
}

/** A route for every path under `prefix` (which ends in '/'); the handler gets the remainder. */
export function definePrefixRoute<S extends QuerySpec>(method: Route['method'], prefix: string, auth: Route['auth'], query: S, run: (req: IncomingMessage, query: QueryOf<S>, rest: string) => Promise<ApiResponse> | ApiResponse): Route {
  return { ...defineRoute(method, prefix, auth, query, run), prefix: true };
}

/** Does `route` serve `path`; the remainder after a prefix route's path ('' for exact routes). */
export function routeMatch(route: Route, path: string): string | undefined {
  if (!route.prefix) return route.path === path ? '' : undefined;
  return path.startsWith(route.path) && path.length > route.path.length ? path.slice(route.path.length) : undefined;
}

export class BodyTooLarge extends Error {}

/** The raw body, refusing more than `limit` bytes (by Content-Length at once, else while reading). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
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

/** A JSON request body, or the 400 that says why it is not one. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<{ ok: true; value: unknown } | { ok: false; response: ApiResponse }> {
  const raw = await readBody(req, limit);
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    return { ok: false, response: { status: 400, body: { error: 'the request body is not JSON' } } };
  }
}

/** A BerthError as an answer: NOT_FOUND 404, USAGE 400, POLICY_DENIED 403; anything else is the caller's 500. */
export function errorResponse(err: unknown): ApiResponse | undefined {
  if (!isBerthError(err)) return undefined;
  const status = err.code === 'NOT_FOUND' ? 404 : err.code === 'USAGE' ? 400 : err.code === 'POLICY_DENIED' ? 403 : undefined;
  return status === undefined ? undefined : { status, body: { error: err.message, code: err.code } };
}

export async function send(res: ServerResponse, r: ApiResponse): Promise<void> {
  try {
    await write(res, r);
  } finally {
    r.release?.();
  }
}

async function write(res: ServerResponse, r: ApiResponse): Promise<void> {
  if (res.headersSent) return;
  res.statusCode = r.status;
  res.setHeader('Content-Type', r.contentType ?? (r.text !== undefined ? CONTENT_TYPE : 'application/json; charset=utf-8'));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [name, value] of Object.entries(r.headers ?? {})) res.setHeader(name, value);
  if (r.status === 413) res.setHeader('Connection', 'close');
  if (r.stream && res.req?.method !== 'HEAD') return sendStream(res, r.stream);
  res.end(r.bytes ?? r.text ?? `${JSON.stringify(r.body ?? {}, null, 2)}\n`);
}

async function sendStream(res: ServerResponse, stream: NonNullable<ApiResponse['stream']>): Promise<void> {
  const closed = new AbortController();
  const onClose = () => closed.abort();
  res.once('close', onClose);
  res.flushHeaders();
  try {
    if (!res.destroyed) await stream(res, closed.signal);
  } finally {
    res.off('close', onClose);
    if (!res.destroyed) res.end();
  }
}
