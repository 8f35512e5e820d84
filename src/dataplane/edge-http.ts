/**
 * Plain HTTP requests through the edge: resolve (edge-resolve.ts), then forward on the
 * endpoint's pooled keep-alive agent with both bodies streamed (pipe keeps back-pressure; nothing
 * is buffered). Connect failures (refused, or no connect within the connect timeout) move on to
 * the next endpoint: nothing was sent yet. A body-less idempotent request that fails with ECONNRESET/EPIPE
 * on a reused socket before any response byte is sent again once, on a fresh socket (the pod
 * closed an idle keep-alive socket as we reused it; Node's documented advice).
 */
import http from 'node:http';
import type { EndpointPool, Endpoint } from './edge-backends.js';
import type { RouteMetrics } from './edge-metrics.js';
import type { ResolveContext } from './edge-resolve.js';
import { bodyless, hopByHop, resolveRequest } from './edge-resolve.js';
import type { CompiledRoute } from './edge-table.js';
import type { Logger } from './log.js';
import { errorText } from './log.js';

export interface EdgeHttpOptions {
  context: (scheme: 'http' | 'https', listenPort: number) => ResolveContext;
  pool: EndpointPool;
  metrics: RouteMetrics;
  connectTimeoutMs: number;
  /** Response head from the backend within this, else 504 (a route's `timeouts.backendRequestMs` wins). */
  backendTimeoutMs: number;
  /** A request body that stops arriving for this long is 408 and its connection closed (default: none). */
  idleTimeoutMs?: number;
  now: () => number;
  log: Logger;
}

/**
 * One request. A throw here (a value Node refuses to write) would be an uncaught exception that
 * takes every host's ingress down: it becomes a 500 for this request, logged, and nothing more.
 */
export function handleRequest(o: EdgeHttpOptions, req: http.IncomingMessage, res: http.ServerResponse, scheme: 'http' | 'https', listenPort: number): void {
  try {
    forward(o, req, res, scheme, listenPort);
  } catch (err) {
    o.log.error('request failed', { err: errorText(err), method: req.method, url: req.url });
    req.resume();
    reply(res, 500, 'internal error\n');
  }
}

function forward(o: EdgeHttpOptions, req: http.IncomingMessage, res: http.ServerResponse, scheme: 'http' | 'https', listenPort: number): void {
  const started = o.now();
  const r = resolveRequest(o.context(scheme, listenPort), req);
  if (r.route) countOnClose(o, r.route, res, started);
  if (r.kind === 'reply') {
    req.resume();
    reply(res, r.status, r.text, r.location);
    return;
  }
  const route = r.route;
  const backendMs = route.route.timeouts?.backendRequestMs ?? o.backendTimeoutMs;
  const noBody = bodyless(req);
  // Sent again after a reset only when that cannot repeat a side effect (RFC 9110 §9.2.2; nginx's default).
  const retryable = noBody && IDEMPOTENT.has(req.method ?? '');
  let responded = false;
  let finished = false;
  const requestTimer =
    route.route.timeouts?.requestMs === undefined
      ? undefined
      : setTimeout(() => {
          if (finished) return;
          if (!res.headersSent) reply(res, 504, 'request timed out\n');
          else res.destroy();
          current?.destroy();
        }, route.route.timeouts.requestMs);
  let current: http.ClientRequest | undefined;
  if (!noBody && o.idleTimeoutMs !== undefined) {
    // A trickled body would hold this connection and a backend one for as long as the client likes.
    req.setTimeout(o.idleTimeoutMs, () => {
      current?.destroy();
      if (!res.headersSent) reply(res, 408, 'the request body stopped arriving\n');
      res.destroy();
    });
    // Body done: inactivity is the backend's business now (unless the response already ended and
    // Node armed its keep-alive timer on this socket).
    req.once('end', () => {
      if (!res.writableFinished) req.socket.setTimeout(0);
    });
  }
  res.on('close', () => {
    finished = true;
    if (requestTimer) clearTimeout(requestTimer);
    // The client went away mid-response (or mid-request): stop the upstream side too.
    if (!res.writableFinished) current?.destroy();
  });

  const attempt = (index: number, retried: boolean): void => {
    const ep: Endpoint = r.candidates[index]!;
    o.pool.opened(ep);
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      o.pool.closed(ep);
    };
    let connected = false;
    let timedOut = false;
    const ureq = http.request({ host: ep.ip, port: ep.port, method: req.method, path: r.path, headers: r.headers, agent: ep.agent, setHost: false });
    current = ureq;
    const backendTimer = setTimeout(() => {
      timedOut = true;
      ureq.destroy(new Error(`no response head within ${backendMs} ms`));
    }, backendMs);
    let connectTimer: NodeJS.Timeout | undefined;
    const sendBody = () => {
      connected = true;
      o.pool.connected(ep);
      if (noBody) ureq.end();
      else req.pipe(ureq);
    };
    ureq.on('socket', (s) => {
      if (!s.connecting) return sendBody();
      connectTimer = setTimeout(() => ureq.destroy(Object.assign(new Error(`connect timeout after ${o.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' })), o.connectTimeoutMs);
      s.once('connect', () => {
        clearTimeout(connectTimer);
        sendBody();
      });
    });
    ureq.on('response', (ures) => {
      clearTimeout(backendTimer);
      const head = responseHead(ures);
      if (head === undefined) {
        // A head Node would refuse to write (the pod is broken or hostile): 502, and the socket goes.
        ures.destroy();
        ureq.destroy();
        release();
        o.log.warn('invalid response head from backend', { endpoint: ep.name, status: ures.statusCode });
        reply(res, 502, 'the backend sent an invalid response\n');
        return;
      }
      responded = true;
      res.writeHead(head.status, head.message, head.headers);
      ures.pipe(res);
      ures.on('end', release);
      ures.on('close', () => {
        release();
        // Upstream broke mid-body: the client must see a broken response, not a short one.
        if (!ures.complete) res.destroy();
      });
    });
    ureq.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(backendTimer);
      if (connectTimer) clearTimeout(connectTimer);
      release();
      if (finished) return;
      if (responded) {
        res.destroy();
        return;
      }
      if (!connected) {
        o.pool.connectFailed(ep, errorText(err));
        if (index + 1 < r.candidates.length) return attempt(index + 1, retried);
        reply(res, 502, 'no endpoint could be reached\n');
        return;
      }
      if (retryable && !retried && ureq.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
        o.pool.dropIdle(ep);
        return attempt(index, true);
      }
      if (timedOut) reply(res, 504, 'the backend did not answer in time\n');
      else reply(res, 502, 'the backend closed the connection\n');
    });
  };
  attempt(0, false);
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The backend's response head minus hop-by-hop fields, or undefined when it is not writable. */
function responseHead(ures: http.IncomingMessage): { status: number; message: string; headers: string[] } | undefined {
  const status = ures.statusCode ?? 0;
  const message = ures.statusMessage ?? '';
  if (status < 200 || status > 999 || !FIELD_VALUE.test(message)) return undefined;
  const headers: string[] = [];
  for (let i = 0; i + 1 < ures.rawHeaders.length; i += 2) {
    const name = ures.rawHeaders[i]!;
    const value = ures.rawHeaders[i + 1]!;
    if (!FIELD_NAME.test(name) || !FIELD_VALUE.test(value)) return undefined;
    if (!hopByHop(name)) headers.push(name, value);
  }
  return { status, message, headers };
}

function countOnClose(o: EdgeHttpOptions, route: CompiledRoute, res: http.ServerResponse, started: number): void {
  const counters = o.metrics.get(route.app, route.route.id);
  res.once('close', () => o.metrics.record(counters, res.headersSent ? res.statusCode : 499, o.now() - started));
}

export function reply(res: http.ServerResponse, status: number, text: string, location?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(location === undefined ? {} : { location }),
  });
  res.end(text);
}
