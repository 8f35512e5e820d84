/**
 * The edge's route table: every app's fragment merged, compiled once per reload, swapped in
 * one assignment. Lookups are map hits and string comparisons (no regexes on the hot path).
 *
 * Hosts: exact, else the one-label wildcard of the parent domain, else the longest suffix
 * wildcard, else the catch-all, else none (404). Routes are in precedence order already (the
 * planner sorts them), so the first route that matches wins; a path miss on a host is a 404,
 * never a fall-through to a less specific host.
 *
 * A host stays with the app that holds it; new claimants of a free host: smallest app name.
 */
import type { BackendSet } from './edge-backends.js';
import { WeightedPicker } from './edge-backends.js';
import { normalizePath } from './edge-request.js';
import type { EdgeConfig, EdgeHeader, EdgeRoute, EdgeVirtualHost } from './edge-types.js';

export interface CompiledRoute {
  app: string;
  route: EdgeRoute;
  /** The normalized path value; Prefix routes without the trailing `/` ('' for `/`, which matches everything). */
  prefix: string;
  headers: EdgeHeader[];
  picker: WeightedPicker;
  backends: BackendSet;
}

export interface CompiledHost {
  app: string;
  /** `shop.example.com`, `*.example.com` or `*` (catch-all). */
  key: string;
  vhost: EdgeVirtualHost | undefined;
  routes: CompiledRoute[];
}

export interface RequestFacts {
  method: string;
  /** The request target's path, without the query. */
  path: string;
  /** Raw query string without `?` ('' when none). */
  query: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface MergeResult {
  table: EdgeTable;
  /** Host key → app now holding it (persisted as owners.json). */
  owners: Record<string, string>;
  conflicts: Record<string, Array<{ host: string; heldBy: string }>>;
  held: Record<string, string[]>;
}

export const CATCH_ALL = '*';

export class EdgeTable {
  private readonly exact = new Map<string, CompiledHost>();
  private readonly oneLabel = new Map<string, CompiledHost>();
  /** `.example.com` suffixes, longest first. */
  private readonly suffixes: Array<{ suffix: string; host: CompiledHost }> = [];
  private catchAll: CompiledHost | undefined;

  /** Every compiled route, for counters. */
  readonly routes: CompiledRoute[] = [];
  /** Every host, catch-all included (TLS builds its SNI map from these). */
  readonly hosts: CompiledHost[] = [];

  add(host: CompiledHost): void {
    this.routes.push(...host.routes);
    this.hosts.push(host);
    if (host.key === CATCH_ALL) this.catchAll = host;
    else if (host.vhost?.wildcard === 'one-label') this.oneLabel.set(host.key.slice(2), host);
    else if (host.vhost?.wildcard === 'suffix') {
      this.suffixes.push({ suffix: host.key.slice(1), host });
      this.suffixes.sort((a, b) => b.suffix.length - a.suffix.length);
    } else this.exact.set(host.key, host);
  }

  /** The virtual host for a Host header (port ignored, case-insensitive, trailing dot stripped). */
  lookupHost(hostHeader: string | undefined): CompiledHost | undefined {
    const name = normalizeHost(hostHeader ?? '');
    const exact = this.exact.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const one = this.oneLabel.get(name.slice(dot + 1));
      if (one) return one;
    }
    for (const s of this.suffixes) if (name.length > s.suffix.length && name.endsWith(s.suffix)) return s.host;
    return this.catchAll;
  }

  match(host: CompiledHost, req: RequestFacts): CompiledRoute | undefined {
    let params: URLSearchParams | undefined;
    for (const r of host.routes) {
      if (!pathMatches(r, req.path)) continue;
      if (r.route.method !== undefined && r.route.method !== req.method) continue;
      if (!r.headers.every((h) => headerValue(req.headers[h.name]) === h.value)) continue;
      if (r.route.query && r.route.query.length > 0) {
        params ??= new URLSearchParams(req.query);
        const p = params;
        if (!r.route.query.every((q) => p.get(q.name) === q.value)) continue;
      }
      return r;
    }
    return undefined;
  }
}

export function pathMatches(r: CompiledRoute, path: string): boolean {
  if (r.route.path.type === 'Exact') return path === r.prefix;
  // Element-wise: `/foo` matches `/foo`, `/foo/`, `/foo/bar`, not `/foobar`.
  return r.prefix === '' || path === r.prefix || (path.startsWith(r.prefix) && path.charCodeAt(r.prefix.length) === 47);
}

export function normalizeHost(raw: string): string {
  let h = raw.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : h;
  }
  const colon = h.lastIndexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

function normalized(value: string): string {
  return normalizePath(value) ?? value;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

function compileRoutes(app: string, routes: EdgeRoute[], backends: BackendSet): CompiledRoute[] {
  return routes.map((route) => ({
    app,
    route,
    picker: new WeightedPicker(route.backends),
    backends,
    // Requests are matched in normalized form (edge-request.ts), so the value is too.
    prefix: route.path.type === 'Prefix' ? normalized(route.path.value).replace(/\/+$/, '') : normalized(route.path.value),
    headers: (route.headers ?? []).map((h) => ({ name: h.name.toLowerCase(), value: h.value })),
  }));
}

/** The key that identifies a host across apps (the wildcard flavour is part of it). */
export function hostKey(vh: EdgeVirtualHost): string {
  return vh.wildcard === 'suffix' ? `${vh.host}|suffix` : vh.host;
}

/**
 * Merges the fragments. `previous` owners keep their hosts while their fragment still lists
 * them; free hosts go to the smallest app name that asks.
 */
export function mergeFragments(fragments: EdgeConfig[], previous: Record<string, string>, backendsOf: (f: EdgeConfig) => BackendSet): MergeResult {
  const claims = new Map<string, Array<{ app: string; vhost: EdgeVirtualHost | undefined; routes: EdgeRoute[] }>>();
  const sorted = [...fragments].sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  for (const f of sorted) {
    for (const vh of f.virtualHosts) push(claims, hostKey(vh), { app: f.app, vhost: vh, routes: vh.routes });
    if (f.catchAll) push(claims, CATCH_ALL, { app: f.app, vhost: undefined, routes: f.catchAll.routes });
  }
  const table = new EdgeTable();
  const owners: Record<string, string> = {};
  const conflicts: MergeResult['conflicts'] = {};
  const held: MergeResult['held'] = {};
  const sets = new Map<string, BackendSet>();
  for (const f of sorted) {
    sets.set(f.app, backendsOf(f));
    conflicts[f.app] = [];
    held[f.app] = [];
  }
  for (const [key, list] of claims) {
    const winner = list.find((c) => c.app === previous[key]) ?? list[0]!;
    owners[key] = winner.app;
    const shown = key.replace(/\|suffix$/, '');
    held[winner.app]!.push(shown);
    for (const c of list) if (c.app !== winner.app) conflicts[c.app]!.push({ host: shown, heldBy: winner.app });
    table.add({ app: winner.app, key: winner.vhost?.host ?? CATCH_ALL, vhost: winner.vhost, routes: compileRoutes(winner.app, winner.routes, sets.get(winner.app)!) });
  }
  return { table, owners, conflicts, held };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
