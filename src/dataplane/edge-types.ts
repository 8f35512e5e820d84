/**
 * The edge's configuration fragment (one per app, envelope kind `edge`) and its status file.
 * The planner (src/plan/edge/) writes fragments already in precedence order, so the edge takes
 * the first match and needs no sorting or regexes on the request path. docs/ingress.md.
 *
 * Volume layout: `apps/<app>/config-<gen>.json`, `certs/sha256-<hex>.pem`, `status.json`,
 * `owners.json` (which app holds each host, so a restarted edge keeps the same winners).
 */

export interface EdgeHeader {
  name: string;
  value: string;
}

/** One app's fragment. */
export interface EdgeConfig {
  /** The app's name; must equal the `apps/<app>` directory it was found in. */
  app: string;
  /** Sorted by the planner: exact hosts, then wildcards by length, longest first. Hosts are unique. */
  virtualHosts: EdgeVirtualHost[];
  backends: EdgeBackend[];
  certificates: EdgeCertificateRef[];
  /** Ingress defaultBackend / host-less rules: requests whose host no app claims. One app holds it. */
  catchAll?: { routes: EdgeRoute[] };
}

export interface EdgeCertificateRef {
  /** `sha256:<hex>` of the file `certs/sha256-<hex>.pem` (key + chain PEM). */
  id: string;
  /** Where it came from, for status and messages: `Secret/shop/web-tls`. */
  source: string;
}

export interface EdgeVirtualHost {
  /** Lower-case: `shop.example.com`, or `*.example.com` with `wildcard` set. */
  host: string;
  /**
   * Only for `*.` hosts. `one-label`: Ingress (`*.x` matches `a.x`, not `a.b.x`);
   * `suffix`: Gateway API (`*.x` matches `a.x` and `a.b.x`, never `x`).
   */
  wildcard?: 'one-label' | 'suffix';
  listeners: Array<'http' | 'https'>;
  /** A certificate id of `certificates`; absent on https → TLS alert unrecognized_name. */
  certificate?: string;
  /** Plain-HTTP requests get a 308 to https (when a certificate is loaded). */
  redirectToHttps?: boolean;
  /** Precedence order: the edge takes the first match; a miss is a 404 (no fall-through to other hosts). */
  routes: EdgeRoute[];
}

export interface EdgeRoute {
  /** Stable, unique in the fragment: `Ingress/shop/web/r0/p1`, `HTTPRoute/shop/canary/r0/m0`. Names the counters. */
  id: string;
  /** Prefix is element-wise, a trailing `/` ignored: `/foo` matches `/foo`, `/foo/`, `/foo/bar`, not `/foobar`. */
  path: { type: 'Exact' | 'Prefix'; value: string };
  /** Upper-case HTTP method. */
  method?: string;
  /** Exact matches; header names case-insensitive. */
  headers?: EdgeHeader[];
  /** Exact matches on query parameters (names case-sensitive). */
  query?: EdgeHeader[];
  filters?: EdgeFilter[];
  /** Ids of `backends` with weights 0..1_000_000. None (or all weight 0) and no redirect → 500. */
  backends: Array<{ backend: string; weight: number }>;
  timeouts?: { requestMs?: number; backendRequestMs?: number };
}

export type EdgePathModifier = { type: 'ReplaceFullPath'; value: string } | { type: 'ReplacePrefixMatch'; value: string };

export type EdgeFilter =
  | { type: 'RequestHeaderModifier'; set?: EdgeHeader[]; add?: EdgeHeader[]; remove?: string[] }
  | { type: 'RequestRedirect'; scheme?: 'http' | 'https'; hostname?: string; port?: number; statusCode: 301 | 302 | 303 | 307 | 308; path?: EdgePathModifier }
  | { type: 'URLRewrite'; hostname?: string; path?: EdgePathModifier };

export interface EdgeBackend {
  /** Unique in the fragment: `shop/web:80`. */
  id: string;
  service: { namespace: string; name: string; port: number };
  /** Pod endpoints, target port resolved per pod; only ready ones receive requests. Names unique. */
  endpoints: EdgeEndpoint[];
  /** Unresolvable reference (why): its weighted share of requests answers 500. */
  invalid?: string;
}

export interface EdgeEndpoint {
  /** The pod's name: status and drain use it. */
  name: string;
  ip: string;
  port: number;
  ready: boolean;
}

// The status types live in protocol-types.ts (DataplaneStatus includes EdgeStatus; no import cycle).
export type { EdgeAppStatus, EdgeRouteStatus, EdgeStatus, EdgeStatusClass } from './protocol-types.js';
