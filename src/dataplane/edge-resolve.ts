/**
 * From a request to what the edge does with it: the virtual host and first matching route,
 * the route's filters (redirect, rewrite, header changes), the weighted backend and its
 * candidate endpoints, and the upstream request head with X-Forwarded-*. Shared by plain
 * requests (edge-http.ts) and upgrades (edge-upgrade.ts).
 */
import type http from 'node:http';
import type { BlockList } from 'node:net';
import { isIP, isIPv6 } from 'node:net';
import type { Endpoint } from './edge-backends.js';
import type { CompiledRoute, EdgeTable } from './edge-table.js';
import type { EdgePathModifier } from './edge-types.js';
import { parseAuthority, parseTarget, PROTECTED_HEADERS } from './edge-request.js';

export type Resolution =
  | { kind: 'reply'; status: number; text: string; route?: CompiledRoute; location?: string }
  | { kind: 'forward'; route: CompiledRoute; candidates: Endpoint[]; path: string; headers: Record<string, string | string[]> };

export interface ResolveContext {
  table: EdgeTable;
  scheme: 'http' | 'https';
  listenPort: number;
  /** Peers whose X-Forwarded-* headers are kept (appended to); others' are replaced. */
  trusted: BlockList | undefined;
  /** The TLS listener's port, when there is one (redirectToHttps needs it). */
  httpsPort?: number;
  /** Whether a certificate id is loaded (a host redirects to https only when it can serve it). */
  certLoaded?: (id: string) => boolean;
}

/** RFC 9110 §7.6.1 hop-by-hop fields (plus the legacy Proxy-Connection); `upgrade` is re-added for tunnels. */
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip']);
/** Kept only from trusted peers (with the rest of X-Forwarded-*). */
const PROXY_SET = new Set(['forwarded', 'x-real-ip', 'x-original-url', 'x-rewrite-url', 'x-original-forwarded-for', 'x-client-ip']);

export function resolveRequest(ctx: ResolveContext, req: http.IncomingMessage): Resolution {
  // Exactly one Host that is a name or an IP literal: it picks the vhost and ends up in Location.
  const hosts = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === 'host').length;
  // HTTP/1.0 may omit it (health checkers do): such a request can only reach the catch-all.
  const authority = hosts === 1 ? parseAuthority(req.headers.host ?? '') : hosts === 0 && req.httpVersion === '1.0' ? { host: '' } : undefined;
  if (!authority) return { kind: 'reply', status: 400, text: 'the request needs exactly one valid Host header\n' };
  const target = parseTarget(req.url ?? '', authority);
  if (!target.ok) return { kind: 'reply', status: 400, text: `${target.reason}\n` };
  const { path, query } = target;
  const host = ctx.table.lookupHost(authority.host);
  if (!host) return { kind: 'reply', status: 404, text: 'no route for this host\n' };
  const vh = host.vhost;
  if (vh && !vh.listeners.includes(ctx.scheme)) return { kind: 'reply', status: 404, text: `no route for this host over ${ctx.scheme}\n` };
  if (ctx.scheme === 'http' && vh?.redirectToHttps && vh.certificate !== undefined && ctx.httpsPort !== undefined && ctx.certLoaded?.(vh.certificate)) {
    const port = ctx.httpsPort === 443 ? '' : `:${ctx.httpsPort}`;
    const location = `https://${authority.host}${port}${path}${query === '' ? '' : `?${query}`}`;
    return { kind: 'reply', status: 308, text: `${location}\n`, location };
  }
  const method = req.method ?? 'GET';
  const route = ctx.table.match(host, { method, path, query, headers: req.headers });
  if (!route) return { kind: 'reply', status: 404, text: 'no route for this path\n' };
  let upstreamPath = path;
  let hostHeader = req.headers.host;
  const setHeaders: Array<[string, string]> = [];
  const addHeaders: Array<[string, string]> = [];
  const removeHeaders: string[] = [];
  for (const f of route.route.filters ?? []) {
    if (f.type === 'RequestRedirect') {
      const scheme = f.scheme ?? ctx.scheme;
      const hostname = f.hostname ?? authority.host;
      if (hostname === '') return { kind: 'reply', status: 400, text: 'a redirect needs a Host header\n', route };
      const port = f.port ?? (f.scheme ? undefined : ctx.listenPort);
      const shownPort = port === undefined || port === (scheme === 'https' ? 443 : 80) ? '' : `:${port}`;
      const newPath = f.path ? modifyPath(route, path, f.path) : path;
      const location = `${scheme}://${hostname}${shownPort}${newPath}${query === '' ? '' : `?${query}`}`;
      return { kind: 'reply', status: f.statusCode, text: `${location}\n`, route, location };
    }
    if (f.type === 'URLRewrite') {
      if (f.path) upstreamPath = modifyPath(route, path, f.path);
      if (f.hostname) hostHeader = f.hostname;
    }
    if (f.type === 'RequestHeaderModifier') {
      // Framing headers stay the edge's (the validator refuses them; this is the second line).
      for (const h of f.set ?? []) if (!PROTECTED_HEADERS.has(h.name.toLowerCase())) setHeaders.push([h.name.toLowerCase(), h.value]);
      for (const h of f.add ?? []) if (!PROTECTED_HEADERS.has(h.name.toLowerCase())) addHeaders.push([h.name.toLowerCase(), h.value]);
      for (const n of f.remove ?? []) if (!PROTECTED_HEADERS.has(n.toLowerCase())) removeHeaders.push(n.toLowerCase());
    }
  }
  const backendId = route.picker.pick();
  if (backendId === undefined) return { kind: 'reply', status: 500, text: 'no backend for this route\n', route };
  const backend = route.backends.byId.get(backendId);
  if (!backend || backend.invalid !== undefined) return { kind: 'reply', status: 500, text: 'backend not available\n', route };
  const candidates = route.backends.candidates(backendId);
  if (candidates.length === 0) return { kind: 'reply', status: 503, text: 'no ready endpoint\n', route };
  const headers = forwardHeaders(ctx, req);
  if (hostHeader !== undefined) headers.host = hostHeader;
  for (const n of removeHeaders) delete headers[n];
  for (const [n, v] of setHeaders) headers[n] = v;
  for (const [n, v] of addHeaders) {
    const old = headers[n];
    headers[n] = old === undefined ? v : Array.isArray(old) ? [...old, v] : `${old},${v}`;
  }
  return { kind: 'forward', route, candidates, path: `${upstreamPath}${query === '' ? '' : `?${query}`}`, headers };
}

/**
 * The request's headers minus hop-by-hop ones, with X-Forwarded-* set (or appended to, from
 * trusted peers). From anyone else every header a backend may take for proxy-set facts is
 * dropped: X-Forwarded-*, X-Real-IP, Forwarded, X-Original-URL/X-Rewrite-URL (path overrides
 * some frameworks honour), and their `_` spellings (CGI/WSGI servers map `X_Forwarded_For`
 * and `X-Forwarded-For` to the same variable).
 */
export function forwardHeaders(ctx: ResolveContext, req: http.IncomingMessage): Record<string, string | string[]> {
  const drop = notForwarded(req.headers.connection);
  const client = clientAddress(req.socket.remoteAddress);
  const isTrusted = (a: string) => ctx.trusted !== undefined && isIP(a) !== 0 && ctx.trusted.check(a, isIPv6(a) ? 'ipv6' : 'ipv4');
  const trusted = isTrusted(client);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || drop.has(k) || FORWARDED.has(k)) continue;
    const dashed = k.replaceAll('_', '-');
    if (dashed !== k && (FORWARDED.has(dashed) || PROXY_SET.has(dashed) || dashed.startsWith('x-forwarded-') || dashed === 'host')) continue;
    if (!trusted && (PROXY_SET.has(k) || k.startsWith('x-forwarded-'))) continue;
    out[k] = v;
  }
  const incoming = (name: string): string | undefined => {
    const v = req.headers[name];
    return trusted && v !== undefined ? (Array.isArray(v) ? v.join(', ') : v) : undefined;
  };
  const xff = incoming('x-forwarded-for');
  out['x-forwarded-for'] = xff === undefined ? client : `${xff}, ${client}`;
  out['x-forwarded-proto'] = incoming('x-forwarded-proto') ?? ctx.scheme;
  const host = incoming('x-forwarded-host') ?? req.headers.host;
  if (host !== undefined) out['x-forwarded-host'] = host;
  out['x-forwarded-port'] = incoming('x-forwarded-port') ?? String(ctx.listenPort);
  // The real client is the right-most address not added by a trusted proxy: entries left of it
  // were written by the client itself (nginx's real_ip_recursive).
  const chain = String(out['x-forwarded-for']).split(',').map((e) => e.trim());
  let real = client;
  for (let i = chain.length - 1; i >= 0; i--) {
    real = chain[i]!;
    if (!isTrusted(real)) break;
  }
  out['x-real-ip'] = real;
  return out;
}

/**
 * The headers not forwarded: the hop-by-hop ones, and those the Connection header names. The
 * shared set unless Connection names another header (a copy per request only then).
 */
function notForwarded(connection: string | string[] | undefined): ReadonlySet<string> {
  if (connection === undefined) return HOP_BY_HOP;
  let drop: Set<string> | undefined;
  for (const raw of String(connection).split(',')) {
    const token = raw.trim().toLowerCase();
    if (token === '' || HOP_BY_HOP.has(token)) continue;
    drop ??= new Set(HOP_BY_HOP);
    drop.add(token);
  }
  return drop ?? HOP_BY_HOP;
}

/** True when the request carries no body (nothing to lose when it is sent again). */
export function bodyless(req: http.IncomingMessage): boolean {
  const te = req.headers['transfer-encoding'];
  const cl = req.headers['content-length'];
  return te === undefined && (cl === undefined || cl === '0');
}

export function clientAddress(addr: string | undefined): string {
  if (addr === undefined) return '';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

function modifyPath(route: CompiledRoute, path: string, m: EdgePathModifier): string {
  if (m.type === 'ReplaceFullPath') return m.value;
  // ReplacePrefixMatch: the matched prefix (element-wise) is replaced, the rest kept.
  const rest = path.slice(route.prefix.length);
  const base = m.value.endsWith('/') && rest.startsWith('/') ? m.value.slice(0, -1) : m.value;
  const joined = `${base}${rest}`;
  return joined === '' ? '/' : joined;
}

export function hopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}
