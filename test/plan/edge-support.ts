// Builders for the route compiler's tests, and a request router that runs the compiled table
// through the edge's own table (dataplane/edge-table.ts), so "what the compiler meant" and
// "what the edge does" are checked together.
import { createHash } from 'node:crypto';
import type { BackendSet } from '../../src/dataplane/edge-backends.js';
import { mergeFragments } from '../../src/dataplane/edge-table.js';
import type { EdgeConfig } from '../../src/dataplane/edge-types.js';
import { validateEdgeConfig } from '../../src/dataplane/edge-validate.js';
import type { Resource } from '../../src/model/types.js';
import { compileRoutes } from '../../src/plan/edge/compile.js';
import type { CompiledEdge, CompileOptions, CompileResult } from '../../src/plan/edge/compiled.js';
import { res } from '../support/builders.js';

export const PORTS = { http: 80, https: 443 };

export function compile(resources: Resource[], opts: Partial<CompileOptions> = {}): CompileResult {
  return compileRoutes(resources, { ports: PORTS, ...opts });
}

export function service(name: string, ports: Array<{ port: number; name?: string }> = [{ port: 80, name: 'http' }], namespace = 'default'): Resource {
  return res({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: ports.map((p) => ({ targetPort: 8080, ...p })) } });
}

export function secret(name: string, namespace = 'default'): Resource {
  return res({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace }, data: {} });
}

type Meta = { namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };

export function ingress(name: string, spec: Record<string, unknown>, meta: Meta = {}): Resource {
  return res({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default', ...meta }, spec });
}

export function ingressClass(name: string, controller: string, isDefault = false): Resource {
  const annotations = isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : undefined;
  return res({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, annotations }, spec: { controller } });
}

/** An Ingress path to a Service port (number, or name when a string). */
export function ipath(path: string | undefined, pathType: string, svc: string, port: number | string = 80): Record<string, unknown> {
  return { ...(path === undefined ? {} : { path }), pathType, backend: { service: { name: svc, port: typeof port === 'number' ? { number: port } : { name: port } } } };
}

export function rule(host: string | undefined, ...paths: Array<Record<string, unknown>>): Record<string, unknown> {
  return { ...(host === undefined ? {} : { host }), http: { paths } };
}

export interface Request {
  host?: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  query?: string;
}

/** The compiled table as a fragment the edge accepts (certificates get content-like ids). */
export function asFragment(edge: CompiledEdge, app = 'test'): EdgeConfig {
  const sha = (id: string) => `sha256:${createHash('sha256').update(id).digest('hex')}`;
  const certIds = new Map(edge.certificates.map((c) => [c.id, sha(c.id)]));
  return {
    app,
    virtualHosts: edge.virtualHosts.map((vh) => ({ ...vh, ...(vh.certificate ? { certificate: certIds.get(vh.certificate) } : {}) })),
    backends: edge.backends.map((b) => ({ id: b.id, service: { namespace: b.service.namespace, name: b.service.name, port: 'number' in b.service.port && b.service.port.number > 0 ? b.service.port.number : 80 }, endpoints: [], ...(b.invalid ? { invalid: b.invalid } : {}) })),
    certificates: edge.certificates.map((c) => ({ id: certIds.get(c.id)!, source: c.id })),
    ...(edge.catchAll ? { catchAll: edge.catchAll } : {}),
  };
}

/** Problems the edge's validator finds in the compiled table (none expected). */
export function fragmentProblems(edge: CompiledEdge): string[] {
  return validateEdgeConfig(asFragment(edge));
}

/** The id of the route the edge picks for a request, or undefined for a 404. */
export function routeFor(edge: CompiledEdge, req: Request): string | undefined {
  const { table } = mergeFragments([asFragment(edge)], {}, () => ({}) as BackendSet);
  const host = table.lookupHost(req.host ?? 'unknown.invalid');
  if (!host) return undefined;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
  return table.match(host, { method: req.method ?? 'GET', path: req.path, query: req.query ?? '', headers })?.route.id;
}

/** The backend (Service name) the request reaches through its route's first backend, or '404'. */
export function serviceFor(edge: CompiledEdge, req: Request): string {
  const id = routeFor(edge, req);
  if (id === undefined) return '404';
  const all = [...edge.virtualHosts.flatMap((v) => v.routes), ...(edge.catchAll?.routes ?? [])];
  const route = all.find((r) => r.id === id)!;
  const backend = edge.backends.find((b) => b.id === route.backends[0]?.backend);
  return backend?.service.name ?? '500';
}

export function gatewayClass(name: string, controllerName = 'berth.dev/gateway-controller'): Resource {
  return res({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name }, spec: { controllerName } });
}

export function gateway(name: string, listeners: Array<Record<string, unknown>>, meta: Meta & { className?: string } = {}): Resource {
  const { className, ...rest } = meta;
  return res({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name, namespace: 'default', ...rest }, spec: { gatewayClassName: className ?? 'berth', listeners } });
}

export function listener(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, protocol: 'HTTP', port: 80, ...extra };
}

export function httpRoute(name: string, spec: Record<string, unknown>, meta: Meta = {}): Resource {
  return res({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: 'default', ...meta }, spec: { parentRefs: [{ name: 'gw' }], ...spec } });
}

/** An HTTPRoute rule to one Service (port 80) with the given matches. */
export function hrule(svc: string, matches?: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(matches ? { matches } : {}), backendRefs: [{ name: svc, port: 80 }], ...extra };
}
