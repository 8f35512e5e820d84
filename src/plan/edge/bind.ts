import type { EdgeBackend, EdgeConfig, EdgeEndpoint } from '../../dataplane/edge-types.js';
import type { Resource, Service } from '../../model/types.js';
import type { EndpointContext } from '../services.js';
import { serviceEndpoints } from '../services.js';
import type { BoundCertificates } from './certificates.js';
import type { CompiledBackend, CompiledEdge } from './compiled.js';

export interface BindContext {
  app: string;
  /** From plan/services.ts endpointContext: pods this plan deletes are out already, so they drain first. */
  endpoints: EndpointContext;
  /** The Services routes may name (the app's, as desired). */
  services: readonly Resource<Service>[];
  /** Pod names the edge has in rotation for this app now (readiness holds keep them as they are). */
  serving?: readonly string[];
  /** The TLS certificates made from Secrets (certificates.ts); absent: hosts get none. */
  certificates?: Pick<BoundCertificates, 'ids' | 'refs'>;
}

/**
 * The compiled route table (manifests only) made concrete: each backend gets the ready pods of
 * its Service, the same list the Service's own proxy gets (plan/services.ts serviceEndpoints),
 * with the target port resolved per pod (a named targetPort can differ between pods). A backend
 * that names no Service, or no port of it, stays in with `invalid`: its share answers 500, as
 * the Gateway API asks, instead of routing somewhere else. A host whose certificate could not be
 * made from its Secret has none (a TLS alert for its name, never another host's certificate).
 */
export function bindEndpoints(compiled: CompiledEdge, ctx: BindContext): EdgeConfig {
  return {
    app: ctx.app,
    virtualHosts: compiled.virtualHosts.map((vh) => {
      const { certificate, ...rest } = vh;
      const id = certificate === undefined ? undefined : ctx.certificates?.ids.get(certificate);
      return id === undefined ? rest : { ...rest, certificate: id };
    }),
    backends: compiled.backends.map((b) => bindBackend(b, ctx)),
    certificates: [...(ctx.certificates?.refs ?? [])],
    ...(compiled.catchAll ? { catchAll: compiled.catchAll } : {}),
  };
}

function bindBackend(b: CompiledBackend, ctx: BindContext): EdgeBackend {
  const { namespace, name } = b.service;
  const portText = 'number' in b.service.port ? String(b.service.port.number) : b.service.port.name;
  // An unresolvable reference has no port number; the edge never connects to it, and the
  // protocol wants one, so it names the lowest.
  const refused = (why: string, port = 'number' in b.service.port ? b.service.port.number : 1): EdgeBackend => ({ id: b.id, service: { namespace, name, port }, endpoints: [], invalid: why });
  if (b.invalid !== undefined) return refused(b.invalid);
  const svc = ctx.services.find((r) => r.object.metadata.name === name && (r.object.metadata.namespace ?? 'default') === namespace)?.object;
  if (!svc) return refused(`service ${namespace}/${name} does not exist`);
  if (svc.spec.type === 'ExternalName') return refused(`service ${namespace}/${name} is an ExternalName service; the edge routes to pods`);
  const port = (svc.spec.ports ?? []).find((p) => p.protocol === 'TCP' && ('number' in b.service.port ? p.port === b.service.port.number : p.name === b.service.port.name));
  if (!port) return refused(`service ${namespace}/${name} has no TCP port ${portText}`);
  const endpoints: EdgeEndpoint[] = [];
  for (const e of serviceEndpoints(ctx.endpoints, svc, ctx.serving)) {
    // A pod whose containers do not name the target port is no endpoint of this port (Kubernetes leaves it out).
    const target = typeof port.targetPort === 'number' ? port.targetPort : port.targetPort === undefined || port.targetPort === '' ? port.port : e.ports?.[port.name ?? ''];
    if (target === undefined) continue;
    endpoints.push({ name: e.name ?? e.ip, ip: e.ip, port: target, ready: e.ready });
  }
  return { id: b.id, service: { namespace, name, port: port.port }, endpoints };
}
