/**
 * One ordering for every route on a host, so the edge can take the first match. It is the Gateway
 * API's (HTTPRouteRule.Matches): an Exact path; the longest Prefix; a method match; the most
 * header matches; the most query matches; the oldest object; `namespace/name`; the first rule and
 * match in list order. The Ingress rule ("the longest matching path, then Exact over Prefix")
 * agrees: an Exact path that matches equals the request path, so no matching Prefix is longer.
 * Ingress defaultBackends come after everything (they answer what no rule matched).
 */
import type { EdgeRoute } from '../../dataplane/edge-types.js';

export interface RouteEntry {
  route: EdgeRoute;
  /** `Ingress/shop/web`. */
  object: string;
  /** `shop/web`: the Gateway API's alphabetical tie-break. */
  namespacedName: string;
  /** ISO time the object was first applied; unknown = newest (not applied yet). */
  createdAt?: string;
  rule: number;
  match: number;
  /** An Ingress defaultBackend: after every other route. */
  fallback?: boolean;
}

/** A Prefix's length as matching sees it: the trailing `/` is ignored (`/foo/` ≡ `/foo`). */
export function prefixLength(value: string): number {
  return value.replace(/\/+$/, '').length;
}

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareRoutes(a: RouteEntry, b: RouteEntry): number {
  return (
    cmp(a.fallback ? 1 : 0, b.fallback ? 1 : 0) ||
    cmp(a.route.path.type === 'Exact' ? 0 : 1, b.route.path.type === 'Exact' ? 0 : 1) ||
    cmp(prefixLength(b.route.path.value), prefixLength(a.route.path.value)) ||
    cmp(a.route.method === undefined ? 1 : 0, b.route.method === undefined ? 1 : 0) ||
    cmp(b.route.headers?.length ?? 0, a.route.headers?.length ?? 0) ||
    cmp(b.route.query?.length ?? 0, a.route.query?.length ?? 0) ||
    compareAge(a.createdAt, b.createdAt) ||
    cmp(a.namespacedName, b.namespacedName) ||
    cmp(a.object, b.object) ||
    cmp(a.rule, b.rule) ||
    cmp(a.match, b.match)
  );
}

/** Older first; an object with no time yet is the newest. */
function compareAge(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return cmp(Date.parse(a) || 0, Date.parse(b) || 0) || cmp(a, b);
}

/** Two routes that match exactly the same requests: the later one is never reached. */
export function sameMatch(a: EdgeRoute, b: EdgeRoute): boolean {
  const pathA = a.path.type === 'Prefix' ? a.path.value.replace(/\/+$/, '') : a.path.value;
  const pathB = b.path.type === 'Prefix' ? b.path.value.replace(/\/+$/, '') : b.path.value;
  return a.path.type === b.path.type && pathA === pathB && a.method === b.method && pairs(a.headers, true) === pairs(b.headers, true) && pairs(a.query, false) === pairs(b.query, false);
}

function pairs(list: Array<{ name: string; value: string }> | undefined, foldCase: boolean): string {
  return (list ?? [])
    .map((h) => `${foldCase ? h.name.toLowerCase() : h.name}=${h.value}`)
    .sort()
    .join('\n');
}
