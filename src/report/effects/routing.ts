import type { EdgeFilter, EdgeRoute } from '../../dataplane/edge-types.js';
import type { EdgeSettings } from '../../model/policy.js';
import { readTlsSecret } from '../../model/tls-secret.js';
import type { Resource, Secret } from '../../model/types.js';
import { compileRoutes } from '../../plan/edge/compile.js';
import type { CompiledEdge, CompiledVirtualHost } from '../../plan/edge/compiled.js';
import type { ResourceDiff } from '../resource-diff.js';
import type { Effect } from './types.js';
import { describe, effect } from './wording.js';

/**
 * What a change of the route table does to traffic, host by host: the offline diff's "host
 * shop.example.com now routes to service web-v2:80". Both tables come from the same compiler the
 * edge is programmed from (plan/edge/compile.ts), so the diff cannot disagree with what will be
 * served. Messages name hosts, paths, Services and Secrets, never values.
 */
export interface HostEffect {
  /** The virtual host (`shop.example.com`, `*.example.com`) or `*` for the default backend. */
  host: string;
  effect: Effect;
}

export function routingEffects(before: CompiledEdge, after: CompiledEdge): HostEffect[] {
  const out: HostEffect[] = [];
  const was = byHost(before);
  const now = byHost(after);
  for (const [key, vh] of now) {
    const old = was.get(key);
    if (!old) {
      out.push({ host: vh.host, effect: effect('routing.host-add', `host ${vh.host} now served (${listeners(vh)}): ${vh.routes.map((r) => `${routeText(r)} → ${target(r, after)}`).join('; ')}`) });
      continue;
    }
    out.push(...routeChanges(vh.host, old.routes, vh.routes, before, after));
    out.push(...tlsChanges(vh.host, old, vh, before, after));
  }
  for (const [key, vh] of was)
    if (!now.has(key)) out.push({ host: vh.host, effect: effect('routing.host-remove', `host ${vh.host} no longer served: requests for it get 404`) });
  const defBefore = before.catchAll?.routes ?? [];
  const defAfter = after.catchAll?.routes ?? [];
  if (defBefore.length > 0 && defAfter.length === 0) out.push({ host: '*', effect: effect('routing.default', 'no default backend: requests for unknown hosts get 404') });
  else if (defBefore.length === 0 && defAfter.length > 0)
    out.push({ host: '*', effect: effect('routing.default', `requests for unknown hosts now go to ${defAfter.map((r) => target(r, after)).join(', ')}`) });
  else out.push(...routeChanges('*', defBefore, defAfter, before, after).map((e) => ({ host: '*', effect: { ...e.effect, kind: 'routing.default' as const } })));
  return out;
}

/** Hosts whose certificate comes from this Secret (`Secret/ns/name`), for "the Secret changed". */
export function hostsUsingSecret(edge: CompiledEdge, secretKey: string): string[] {
  return edge.virtualHosts.filter((vh) => vh.certificate === secretKey).map((vh) => vh.host);
}

function byHost(edge: CompiledEdge): Map<string, CompiledVirtualHost> {
  return new Map(edge.virtualHosts.map((vh) => [`${vh.host}|${vh.wildcard ?? ''}`, vh]));
}

function routeChanges(host: string, before: readonly EdgeRoute[], after: readonly EdgeRoute[], b: CompiledEdge, a: CompiledEdge): HostEffect[] {
  const out: HostEffect[] = [];
  const was = firstByMatch(before);
  const now = firstByMatch(after);
  const on = host === '*' ? 'default backend' : `host ${host}`;
  for (const [match, r] of now) {
    const old = was.get(match);
    const to = target(r, a);
    if (!old) out.push({ host, effect: effect('routing.route', `${on}: ${routeText(r)} added → ${to}`) });
    else if (target(old, b) !== to) out.push({ host, effect: effect('routing.route', `${on}: ${routeText(r)} now routes to ${to} (was ${target(old, b)})`) });
  }
  for (const [match, r] of was) if (!now.has(match)) out.push({ host, effect: effect('routing.route', `${on}: ${routeText(r)} removed`) });
  return out;
}

/**
 * The route the edge uses for each match: the first, as routes are in precedence order. A later
 * route with the same match is never reached (an Ingress's defaultBackend, appended to each of its
 * hosts, behind a rule for `/` Prefix) and must not hide a change of the one that is.
 */
function firstByMatch(routes: readonly EdgeRoute[]): Map<string, EdgeRoute> {
  const out = new Map<string, EdgeRoute>();
  for (const r of routes) if (!out.has(matchText(r))) out.set(matchText(r), r);
  return out;
}

function tlsChanges(host: string, old: CompiledVirtualHost, vh: CompiledVirtualHost, b: CompiledEdge, a: CompiledEdge): HostEffect[] {
  const out: HostEffect[] = [];
  const before = secretOf(old, b);
  const after = secretOf(vh, a);
  if (before !== after) {
    const text = !after ? `no longer served over HTTPS (was ${before})` : !before ? `now served over HTTPS with ${after}` : `TLS now from ${after} (was ${before})`;
    out.push({ host, effect: effect('routing.tls', `host ${host}: ${text}`) });
  }
  if (Boolean(old.redirectToHttps) !== Boolean(vh.redirectToHttps))
    out.push({ host, effect: effect('routing.redirect', `host ${host}: plain HTTP ${vh.redirectToHttps ? 'now redirects to HTTPS (308)' : 'no longer redirects to HTTPS'}`) });
  return out;
}

function secretOf(vh: CompiledVirtualHost, edge: CompiledEdge): string | undefined {
  if (vh.certificate === undefined || !vh.listeners.includes('https')) return undefined;
  const c = edge.certificates.find((x) => x.id === vh.certificate);
  return c ? `Secret ${c.secret.namespace}/${c.secret.name}` : vh.certificate;
}

function listeners(vh: CompiledVirtualHost): string {
  return vh.listeners.map((l) => l.toUpperCase()).join(' and ');
}

/** What selects requests: path, then method, headers and query when present. */
function matchText(r: EdgeRoute): string {
  const parts = [`${r.path.value} (${r.path.type})`];
  if (r.method) parts.push(r.method);
  for (const h of r.headers ?? []) parts.push(`header ${h.name}: ${h.value}`);
  for (const q of r.query ?? []) parts.push(`query ${q.name}=${q.value}`);
  return parts.join(', ');
}

function routeText(r: EdgeRoute): string {
  return `path ${matchText(r)}`;
}

/** Where a route sends requests: Services with weights, or the redirect, with what rewrites them. */
function target(r: EdgeRoute, edge: CompiledEdge): string {
  const redirect = r.filters?.find((f): f is Extract<EdgeFilter, { type: 'RequestRedirect' }> => f.type === 'RequestRedirect');
  const rewrites = (r.filters ?? []).filter((f) => f.type !== 'RequestRedirect').map((f) => f.type);
  const suffix = rewrites.length > 0 ? ` (${rewrites.join(', ')})` : '';
  if (redirect) return `a ${redirect.statusCode} redirect${redirect.scheme ? ` to ${redirect.scheme}` : ''}${redirect.hostname ? ` to host ${redirect.hostname}` : ''}${suffix}`;
  const live = r.backends.filter((x) => x.weight > 0);
  if (live.length === 0) return 'no backend (500)';
  const total = live.reduce((s, x) => s + x.weight, 0);
  const names = live.map((x) => {
    const be = edge.backends.find((c) => c.id === x.backend);
    const port = be ? ('number' in be.service.port ? be.service.port.number : be.service.port.name) : '';
    const name = be ? `service ${be.service.name}:${port}${be.invalid ? ' (not found: 500)' : ''}` : x.backend;
    return live.length === 1 ? name : `${name} ${Math.round((x.weight / total) * 100)}%`;
  });
  return `${names.join(' / ')}${suffix}`;
}

/** Kinds whose change can change what the edge serves. */
const ROUTING_KINDS = new Set(['Ingress', 'IngressClass', 'Gateway', 'GatewayClass', 'HTTPRoute', 'Service', 'Secret', 'Certificate']);
const ROUTE_OWNERS = new Set(['Ingress', 'HTTPRoute']);

/**
 * Routing effects of a resource diff, by the key of the change they belong to: a host's effects
 * go to the Ingresses and HTTPRoutes that route it (before or after); when none of those changed
 * (a Service or Secret did, or a Gateway's listeners), to the first changed object that can
 * change routing. A changed TLS Secret also says which hosts serve its new certificate.
 * Gateway listeners are judged against the edge's ports as the pass judges them: the diff's
 * `--edge-http-port/--edge-https-port`, the app's recorded ones for the live diff, else 80/443.
 */
export function routingEffectsByChange(diff: ResourceDiff, edge: Pick<EdgeSettings, 'httpPort' | 'httpsPort'> = { httpPort: 80, httpsPort: 443 }): Map<string, Effect[]> {
  const out = new Map<string, Effect[]>();
  const relevant = diff.changes.filter((c) => ROUTING_KINDS.has(c.kind));
  if (relevant.length === 0) return out;
  const beforeRes = [...diff.unchanged, ...diff.changes.flatMap((c) => (c.before ? [c.before] : []))];
  const afterRes = [...diff.unchanged, ...diff.changes.flatMap((c) => (c.after ? [c.after] : []))];
  const hasEdge = (rs: readonly Resource[]) => rs.some((r) => ROUTE_OWNERS.has(r.object.kind));
  if (!hasEdge(beforeRes) && !hasEdge(afterRes)) return out;
  const opts = { ports: { http: edge.httpPort, https: edge.httpsPort } };
  const before = compileRoutes(beforeRes, opts);
  const after = compileRoutes(afterRes, opts);
  const add = (key: string, e: Effect) => out.set(key, [...(out.get(key) ?? []), e]);
  const changed = new Set(relevant.map((c) => c.key));
  const owners = (host: string) => {
    const keys = new Set<string>();
    for (const s of [...before.statuses, ...after.statuses]) if (s.hosts.includes(host) && changed.has(s.object)) keys.add(s.object);
    return [...keys].sort();
  };
  const fallback = relevant.map((c) => c.key).sort()[0]!;
  for (const h of routingEffects(before.edge, after.edge)) {
    const keys = owners(h.host);
    for (const key of keys.length > 0 ? keys : [fallback]) add(key, h.effect);
  }
  for (const c of relevant) {
    if (c.kind !== 'Secret' || c.action !== 'update') continue;
    const hosts = hostsUsingSecret(after.edge, c.key);
    if (hosts.length === 0) continue;
    // A key pair the edge cannot load serves nothing: say so rather than "its new certificate".
    const pair = c.after ? readTlsSecret(c.after.object as Secret) : undefined;
    const verb = hosts.length === 1 ? 'fails' : 'fail';
    if (pair && 'error' in pair) add(c.key, effect('routing.tls', `${describe('Secret', c.name)} changed and cannot serve TLS (${pair.error}): ${hosts.join(', ')} ${verb} the TLS handshake on new connections`));
    else add(c.key, effect('routing.tls', `${describe('Secret', c.name)} changed: ${hosts.join(', ')} ${hosts.length === 1 ? 'serves' : 'serve'} its new certificate on new connections; open connections keep theirs`));
  }
  return out;
}
