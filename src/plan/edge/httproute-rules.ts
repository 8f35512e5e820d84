/**
 * An HTTPRoute's rules as edge routes (one per match), independent of where they attach. What
 * the edge does not run (RegularExpression matches, filters other than RequestHeaderModifier,
 * RequestRedirect and URLRewrite, per-backend filters) makes the rule not accepted, as the Gateway
 * API asks (`UnsupportedValue`); a backend that cannot be resolved keeps its weight and answers
 * 500 for its share (`ResolvedRefs=False`).
 */
import type { EdgeFilter, EdgeHeader, EdgePathModifier, EdgeRoute } from '../../dataplane/edge-types.js';
import { parseGoDuration } from '../../model/go-duration.js';
import type { HTTPBackendRef, HTTPPathModifier, HTTPRoute, HTTPRouteFilter, HTTPRouteMatch, HTTPRouteRule, HTTPStringMatch } from '../../model/types.js';
import type { CompiledBackend } from './compiled.js';
import type { EdgeResources } from './resources.js';
import { namespaceOf, objectName } from './resources.js';

export interface RuleRoute {
  route: EdgeRoute;
  rule: number;
  match: number;
}

export interface CompiledRules {
  routes: RuleRoute[];
  backends: CompiledBackend[];
  /** Why rules were dropped (UnsupportedValue). */
  unsupported: string[];
  /** Rules in the route; when every one is dropped the route is not accepted. */
  ruleCount: number;
  /** ResolvedRefs=False: the first reason and every message. */
  refs?: { reason: 'RefNotPermitted' | 'InvalidKind' | 'BackendNotFound'; messages: string[] };
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);
const REF_PRIORITY = ['RefNotPermitted', 'InvalidKind', 'BackendNotFound'] as const;

class Unsupported extends Error {}

export function compileRules(route: HTTPRoute, res: EdgeResources): CompiledRules {
  const namespace = namespaceOf(route);
  const object = objectName('HTTPRoute', namespace, route.metadata.name);
  const rules = Array.isArray(route.spec?.rules) ? route.spec.rules : [];
  const out: CompiledRules = { routes: [], backends: [], unsupported: [], ruleCount: rules.length };
  const refProblems: Array<{ reason: (typeof REF_PRIORITY)[number]; message: string }> = [];
  rules.forEach((rule, i) => {
    if (!rule || typeof rule !== 'object') return;
    try {
      const filters = (Array.isArray(rule.filters) ? rule.filters : []).map(filter);
      const timeouts = timeoutsOf(rule);
      // Collected aside: a rule dropped below leaves no backends or reference problems behind.
      const compiled: CompiledBackend[] = [];
      const problems: typeof refProblems = [];
      const backends = (Array.isArray(rule.backendRefs) ? rule.backendRefs : []).map((ref, k) => {
        if (Array.isArray(ref?.filters) && ref.filters.length > 0) throw new Unsupported("per-backend filters are not run by berth's edge");
        const b = backendOf(ref, namespace, `${object}/r${i}/b${k}`, res);
        if (b.problem) problems.push(b.problem);
        compiled.push(b.backend);
        return { backend: b.backend.id, weight: typeof ref?.weight === 'number' ? ref.weight : 1 };
      });
      const matches: HTTPRouteMatch[] = Array.isArray(rule.matches) && rule.matches.length > 0 ? rule.matches : [{}];
      const routes = matches.map((m, j) => {
        const r: EdgeRoute = { id: `${object}/r${i}/m${j}`, ...matchOf(m ?? {}), backends };
        if (filters.length > 0) r.filters = filters;
        if (timeouts) r.timeouts = timeouts;
        return { route: r, rule: i, match: j };
      });
      out.routes.push(...routes);
      out.backends.push(...compiled);
      refProblems.push(...problems);
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      out.unsupported.push(`spec.rules[${i}]: ${err.message}`);
    }
  });
  refProblems.sort((a, b) => REF_PRIORITY.indexOf(a.reason) - REF_PRIORITY.indexOf(b.reason));
  if (refProblems.length > 0) out.refs = { reason: refProblems[0]!.reason, messages: refProblems.map((p) => p.message) };
  return out;
}

function matchOf(m: HTTPRouteMatch): Pick<EdgeRoute, 'path' | 'method' | 'headers' | 'query'> {
  const type = m.path?.type ?? 'PathPrefix';
  if (type !== 'Exact' && type !== 'PathPrefix') throw new Unsupported(`${String(type)} path matches are not run by berth's edge (Exact and PathPrefix are)`);
  const out: Pick<EdgeRoute, 'path' | 'method' | 'headers' | 'query'> = { path: { type: type === 'Exact' ? 'Exact' : 'Prefix', value: typeof m.path?.value === 'string' && m.path.value !== '' ? m.path.value : '/' } };
  if (typeof m.method === 'string') out.method = m.method.toUpperCase();
  const headers = exactMatches(m.headers, 'header');
  if (headers.length > 0) out.headers = headers;
  const query = exactMatches(m.queryParams, 'query parameter');
  if (query.length > 0) out.query = query;
  return out;
}

function exactMatches(list: HTTPStringMatch[] | undefined, what: string): EdgeHeader[] {
  return (Array.isArray(list) ? list : []).map((h) => {
    if ((h?.type ?? 'Exact') !== 'Exact') throw new Unsupported(`${String(h?.type)} ${what} matches are not run by berth's edge (Exact is)`);
    return { name: String(h.name), value: String(h.value) };
  });
}

function filter(f: HTTPRouteFilter): EdgeFilter {
  switch (f?.type) {
    case 'RequestHeaderModifier': {
      const m = f.requestHeaderModifier ?? {};
      const out: EdgeFilter = { type: 'RequestHeaderModifier' };
      if (m.set?.length) out.set = m.set.map((h) => ({ name: h.name, value: h.value }));
      if (m.add?.length) out.add = m.add.map((h) => ({ name: h.name, value: h.value }));
      if (m.remove?.length) out.remove = [...m.remove];
      return out;
    }
    case 'RequestRedirect': {
      const r = f.requestRedirect ?? {};
      const statusCode = r.statusCode ?? 302;
      if (!REDIRECT_CODES.has(statusCode)) throw new Unsupported(`redirect status ${statusCode} is not one of 301, 302, 303, 307, 308`);
      const out: EdgeFilter = { type: 'RequestRedirect', statusCode: statusCode as 301 | 302 | 303 | 307 | 308 };
      if (r.scheme === 'http' || r.scheme === 'https') out.scheme = r.scheme;
      if (typeof r.hostname === 'string') out.hostname = r.hostname;
      if (typeof r.port === 'number') out.port = r.port;
      const path = pathModifier(r.path);
      if (path) out.path = path;
      return out;
    }
    case 'URLRewrite': {
      const r = f.urlRewrite ?? {};
      const out: EdgeFilter = { type: 'URLRewrite' };
      if (typeof r.hostname === 'string') out.hostname = r.hostname;
      const path = pathModifier(r.path);
      if (path) out.path = path;
      return out;
    }
    default:
      throw new Unsupported(`the ${String(f?.type)} filter is not run by berth's edge (RequestHeaderModifier, RequestRedirect and URLRewrite are)`);
  }
}

function pathModifier(p: HTTPPathModifier | undefined): EdgePathModifier | undefined {
  if (!p) return undefined;
  if (p.type === 'ReplaceFullPath') return { type: 'ReplaceFullPath', value: p.replaceFullPath ?? '/' };
  if (p.type === 'ReplacePrefixMatch') return { type: 'ReplacePrefixMatch', value: p.replacePrefixMatch ?? '/' };
  throw new Unsupported(`path modifier ${String(p.type)} is not run by berth's edge`);
}

/** GEP-2257 durations; `0s` disables a timeout, which is the edge's default for request. */
function timeoutsOf(rule: HTTPRouteRule): EdgeRoute['timeouts'] {
  const out: NonNullable<EdgeRoute['timeouts']> = {};
  const request = typeof rule.timeouts?.request === 'string' ? parseGoDuration(rule.timeouts.request) : undefined;
  const backend = typeof rule.timeouts?.backendRequest === 'string' ? parseGoDuration(rule.timeouts.backendRequest) : undefined;
  if (request !== undefined && request > 0) out.requestMs = request;
  if (backend !== undefined && backend > 0) out.backendRequestMs = backend;
  return out.requestMs === undefined && out.backendRequestMs === undefined ? undefined : out;
}

function backendOf(ref: HTTPBackendRef, namespace: string, refusedId: string, res: EdgeResources): { backend: CompiledBackend; problem?: { reason: (typeof REF_PRIORITY)[number]; message: string } } {
  const kind = ref?.kind ?? 'Service';
  const group = ref?.group ?? '';
  const ns = ref?.namespace ?? namespace;
  const name = String(ref?.name);
  const port = typeof ref?.port === 'number' ? ref.port : 0;
  // A refused reference gets an id of its own: it must not share a backend with a permitted one.
  const refused = (reason: (typeof REF_PRIORITY)[number], message: string) => ({
    backend: { id: refusedId, service: { namespace: ns, name, port: { number: port } }, invalid: message },
    problem: { reason, message },
  });
  if (kind !== 'Service' || group !== '') return refused('InvalidKind', `backend ${group || 'core'}/${String(kind)} ${name} is not a Service; berth's edge routes to Services only`);
  if (ns !== namespace) return refused('RefNotPermitted', `backend Service ${ns}/${name} is in another namespace; that needs a ReferenceGrant, which berth does not support`);
  const backend = res.serviceBackend(ns, name, port > 0 ? { number: port } : undefined);
  return backend.invalid ? { backend, problem: { reason: 'BackendNotFound', message: backend.invalid } } : { backend };
}
