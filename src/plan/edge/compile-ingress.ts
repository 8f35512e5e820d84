/**
 * Ingresses (networking.k8s.io/v1) into the route table, with Kubernetes' semantics:
 * - a rule's host is exact or `*.x` (one label); rules without a host, and the defaultBackend,
 *   answer requests whose host no app claims (the catch-all);
 * - several Ingresses on one host merge into one virtual host, ordered by the one comparator;
 * - Prefix is element-wise and ImplementationSpecific is read as Prefix (documented);
 * - a defaultBackend is the last route of each of the Ingress's hosts, and of the catch-all;
 * - backends are Service ports, by number or name, in the Ingress's own namespace;
 * - `tls[]` hosts get the Secret as their certificate, are served on http and https, and plain
 *   HTTP is redirected to https unless `berth.dev/ssl-redirect` (or ingress-nginx's
 *   `nginx.ingress.kubernetes.io/ssl-redirect`) is "false"; other hosts are served on http only.
 */
import type { EdgeRoute } from '../../dataplane/edge-types.js';
import type { Ingress, IngressBackend } from '../../model/types.js';
import { ingressOwnership } from './classes.js';
import type { EdgeCondition, EdgeNote, EdgeObjectStatus } from './compiled.js';
import type { WildcardFlavour } from './hosts.js';
import { hostCovers, isWildcard, normalizeHost } from './hosts.js';
import type { RouteEntry } from './precedence.js';
import type { EdgeResources } from './resources.js';
import { namespaceOf, objectName } from './resources.js';
import { CATCH_ALL_HOST, TableBuilder } from './table.js';

/** berth's own switch for the http → https redirect of an Ingress's TLS hosts. */
export const SSL_REDIRECT_ANNOTATION = 'berth.dev/ssl-redirect';
const NGINX_SSL_REDIRECT = 'nginx.ingress.kubernetes.io/ssl-redirect';
const NGINX_FORCE_SSL_REDIRECT = 'nginx.ingress.kubernetes.io/force-ssl-redirect';

export interface ObjectResult {
  statuses: EdgeObjectStatus[];
  notes: EdgeNote[];
}

export function compileIngresses(res: EdgeResources, table: TableBuilder): ObjectResult {
  const out: ObjectResult = { statuses: [], notes: [] };
  for (const ing of res.ingresses) compileIngress(ing, res, table, out);
  return out;
}

function flavour(host: string): WildcardFlavour | undefined {
  return isWildcard(host) ? 'one-label' : undefined;
}

function list<T>(v: T[] | undefined): T[] {
  return Array.isArray(v) ? v.filter((x) => x !== null && x !== undefined) : [];
}

/** Whether plain HTTP to this Ingress's TLS hosts is redirected to https. */
export function sslRedirect(ing: Ingress): boolean {
  const a = ing.metadata?.annotations ?? {};
  if (a[NGINX_FORCE_SSL_REDIRECT] === 'true') return true;
  return a[SSL_REDIRECT_ANNOTATION] !== 'false' && a[NGINX_SSL_REDIRECT] !== 'false';
}

function compileIngress(ing: Ingress, res: EdgeResources, table: TableBuilder, out: ObjectResult): void {
  const namespace = namespaceOf(ing);
  const name = ing.metadata.name;
  const object = objectName('Ingress', namespace, name);
  const ownership = ingressOwnership(ing, res.ingressClasses);
  if (!ownership.ours) {
    out.statuses.push({ object, ours: false, conditions: [], hosts: [] });
    out.notes.push({ object, severity: 'info', reason: 'NotOurs', message: `not served by berth: ${ownership.why ?? ''}` });
    return;
  }
  const createdAt = res.createdAt(object);
  const spec = ing.spec ?? {};
  const invalid: string[] = [];
  const entry = (route: EdgeRoute, rule: number, match: number, fallback = false): RouteEntry => ({
    route,
    object,
    namespacedName: `${namespace}/${name}`,
    createdAt,
    rule,
    match,
    ...(fallback ? { fallback } : {}),
  });
  const backendsOf = (b: IngressBackend | undefined, where: string): EdgeRoute['backends'] => {
    const service = b?.service;
    if (!service || typeof service.name !== 'string') {
      if (b && 'resource' in b)
        out.notes.push({ object, severity: 'warning', reason: 'UnsupportedBackend', message: `${where} is a resource backend; berth's edge routes to Services only, so it answers 500` });
      return [];
    }
    const backend = res.serviceBackend(namespace, service.name, service.port);
    if (backend.invalid) invalid.push(`${where}: ${backend.invalid}`);
    return [{ backend: table.backend(backend), weight: 1 }];
  };

  // Hosts this Ingress serves; '*' is the catch-all (rules without a host).
  const hosts = new Set<string>();
  list(spec.rules).forEach((rule, i) => {
    const host = typeof rule.host === 'string' && rule.host !== '' ? normalizeHost(rule.host) : CATCH_ALL_HOST;
    hosts.add(host);
    if (host !== CATCH_ALL_HOST) table.listen(host, flavour(host), 'http');
    list(rule.http?.paths).forEach((p, j) => {
      const value = typeof p.path === 'string' && p.path !== '' ? p.path : '/';
      const route: EdgeRoute = { id: `${object}/r${i}/p${j}`, path: { type: p.pathType === 'Exact' ? 'Exact' : 'Prefix', value }, backends: backendsOf(p.backend, `spec.rules[${i}].http.paths[${j}]`) };
      table.route(host, flavour(host), entry(route, i, j));
    });
  });

  compileTls(ing, { namespace, object, createdAt, hosts, hasDefault: spec.defaultBackend !== undefined }, table, out);

  if (spec.defaultBackend) {
    const backends = backendsOf(spec.defaultBackend, 'spec.defaultBackend');
    hosts.add(CATCH_ALL_HOST);
    for (const host of hosts) table.route(host, flavour(host), entry({ id: `${object}/default`, path: { type: 'Prefix', value: '/' }, backends }, Number.MAX_SAFE_INTEGER, 0, true));
  }

  const conditions: EdgeCondition[] = [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: "served by berth's edge" }];
  conditions.push(
    invalid.length === 0
      ? { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'every backend names a Service port of this revision' }
      : { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound', message: `${invalid.join('; ')} (its requests answer 500)` },
  );
  for (const why of invalid) out.notes.push({ object, severity: 'warning', reason: 'BackendNotFound', message: `${why}; requests routed to it answer 500` });
  out.statuses.push({ object, ours: true, conditions, hosts: [...hosts].sort() });
}

interface TlsContext {
  namespace: string;
  object: string;
  createdAt?: string;
  /** The Ingress's hosts so far; TLS-only hosts are added when a defaultBackend serves them. */
  hosts: Set<string>;
  hasDefault: boolean;
}

function compileTls(ing: Ingress, ctx: TlsContext, table: TableBuilder, out: ObjectResult): void {
  const tls = list(ing.spec?.tls);
  const redirect = sslRedirect(ing);
  const named = new Set(tls.flatMap((t) => list(t.hosts).map(normalizeHost)));
  tls.forEach((t, i) => {
    // An entry without hosts covers the Ingress's hosts no other entry names (as Traefik reads it).
    const hosts = list(t.hosts).length > 0 ? list(t.hosts).map(normalizeHost) : [...ctx.hosts].filter((h) => h !== CATCH_ALL_HOST && !named.has(h));
    if (typeof t.secretName !== 'string' || t.secretName === '') {
      out.notes.push({ object: ctx.object, severity: 'info', reason: 'PlainHTTPOnly', message: `spec.tls[${i}] has no secretName, so ${hosts.join(', ') || 'its hosts'} are served over plain HTTP only` });
      return;
    }
    const cert = { id: `Secret/${ctx.namespace}/${t.secretName}`, secret: { namespace: ctx.namespace, name: t.secretName } };
    for (const tlsHost of hosts) {
      // The Secret serves the rule hosts it covers: the same name, or a rule host under a wildcard.
      const covered = [...ctx.hosts].filter((h) => h !== CATCH_ALL_HOST && hostCovers(tlsHost, h, 'one-label'));
      if (covered.length === 0) {
        if (!ctx.hasDefault) {
          out.notes.push({ object: ctx.object, severity: 'info', reason: 'TLSHostNotRouted', message: `spec.tls[${i}] names host ${tlsHost}, which no rule of this Ingress routes; it is not served` });
          continue;
        }
        // Served by the defaultBackend, on both listeners like every Ingress TLS host.
        ctx.hosts.add(tlsHost);
        table.listen(tlsHost, flavour(tlsHost), 'http');
        covered.push(tlsHost);
      }
      for (const h of covered) table.certificate(h, flavour(h), cert, { object: ctx.object, createdAt: ctx.createdAt, redirect });
    }
  });
}
