/**
 * From a request to what the edge does with it: the virtual host and first matching route,
 * the route's filters (redirect, rewrite, header changes), the weighted backend and its
 * candidate endpoints, and the upstream request head with X-Forwarded-*. Shared by plain
 * requests (edge-http.ts) and upgrades (edge-upgrade.ts).
 */
import type http from 'node:http';
import type { BlockList } from 'node:net';
import { isIPv6 } from 'node:net';
import type { Endpoint } from './edge-backends.js';
import type { CompiledRoute, EdgeTable } from './edge-table.js';
import type { EdgePathModifier } from './edge-types.js';

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
const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip']);

export function resolveRequest(ctx: ResolveContext, req: http.IncomingMessage): Resolution {
  const host = ctx.table.lookupHost(req.headers.host);
  if (!host) return { kind: 'reply', status: 404, text: 'no route for this host\n' };
  const vh = host.vhost;
  if (vh && !vh.listeners.includes(ctx.scheme)) return { kind: 'reply', status: 404, text: `no route for this host over ${ctx.scheme}\n` };
  const { path, query } = splitTarget(req.url ?? '/');
  if (ctx.scheme === 'http' && vh?.redirectToHttps && vh.certificate !== undefined && ctx.httpsPort !== undefined && ctx.certLoaded?.(vh.certificate)) {
    const port = ctx.httpsPort === 443 ? '' : `:${ctx.httpsPort}`;
    const location = `https://${stripPort(req.headers.host ?? vh.host)}${port}${path}${query === '' ? '' : `?${query}`}`;
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
      const hostname = f.hostname ?? stripPort(req.headers.host ?? '');
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
      for (const h of f.set ?? []) setHeaders.push([h.name.toLowerCase(), h.value]);
      for (const h of f.add ?? []) addHeaders.push([h.name.toLowerCase(), h.value]);
      for (const n of f.remove ?? []) removeHeaders.push(n.toLowerCase());
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

/** The request's headers minus hop-by-hop ones, with X-Forwarded-* set (or appended to, from trusted peers). */
export function forwardHeaders(ctx: ResolveContext, req: http.IncomingMessage): Record<string, string | string[]> {
  const drop = new Set(HOP_BY_HOP);
  for (const token of String(req.headers.connection ?? '').split(',')) drop.add(token.trim().toLowerCase());
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || drop.has(k) || FORWARDED.has(k)) continue;
    out[k] = v;
  }
  const client = clientAddress(req.socket.remoteAddress);
  const trusted = ctx.trusted !== undefined && client !== '' && ctx.trusted.check(client, isIPv6(client) ? 'ipv6' : 'ipv4');
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
  out['x-real-ip'] = incoming('x-real-ip') ?? (xff === undefined ? client : xff.split(',')[0]!.trim());
  return out;
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

export function splitTarget(target: string): { path: string; query: string } {
  let t = target;
  if (!t.startsWith('/')) {
    // absolute-form (a client talking to us as a forward proxy): keep path and query only.
    try {
      const u = new URL(t);
      t = `${u.pathname}${u.search}`;
    } catch {
      t = '/';
    }
  }
  const q = t.indexOf('?');
  return q < 0 ? { path: t, query: '' } : { path: t.slice(0, q), query: t.slice(q + 1) };
}

function modifyPath(route: CompiledRoute, path: string, m: EdgePathModifier): string {
  if (m.type === 'ReplaceFullPath') return m.value;
  // ReplacePrefixMatch: the matched prefix (element-wise) is replaced, the rest kept.
  const rest = path.slice(route.prefix.length);
  const base = m.value.endsWith('/') && rest.startsWith('/') ? m.value.slice(0, -1) : m.value;
  const joined = `${base}${rest}`;
  return joined === '' ? '/' : joined;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const c = host.lastIndexOf(':');
  return c < 0 ? host : host.slice(0, c);
}

export function hopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}
