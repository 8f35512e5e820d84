/**
 * The revision's objects the route compiler reads, indexed once. Input is validated, but the
 * compiler never trusts a field to be there: an odd object compiles to something or to nothing,
 * never to a crash.
 */
import type { Certificate, Gateway, GatewayClass, HTTPRoute, Ingress, IngressClass, Namespace, Resource, Secret, Service, StringMap } from '../../model/types.js';
import type { CompiledBackend, CompileOptions } from './compiled.js';

export class EdgeResources {
  readonly ingresses: Ingress[] = [];
  readonly ingressClasses: IngressClass[] = [];
  readonly gatewayClasses: GatewayClass[] = [];
  readonly gateways: Gateway[] = [];
  readonly routes: HTTPRoute[] = [];
  private readonly services = new Map<string, Service>();
  private readonly secrets = new Set<string>();
  private readonly namespaces = new Map<string, StringMap>();

  constructor(
    resources: readonly Resource[],
    readonly opts: CompileOptions,
  ) {
    const sorted = [...resources].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { object } of sorted) {
      if (!object || typeof object !== 'object' || !object.metadata) continue;
      switch (object.kind) {
        case 'Ingress':
          this.ingresses.push(object);
          break;
        case 'IngressClass':
          this.ingressClasses.push(object);
          break;
        case 'GatewayClass':
          this.gatewayClasses.push(object);
          break;
        case 'Gateway':
          this.gateways.push(object);
          break;
        case 'HTTPRoute':
          this.routes.push(object);
          break;
        case 'Service':
          this.services.set(`${namespaceOf(object)}/${object.metadata.name}`, object);
          break;
        case 'Secret':
          this.secrets.add(`${namespaceOf(object)}/${(object as Secret).metadata.name}`);
          break;
        case 'Certificate': {
          // A Secret a Certificate of the revision issues counts as present (ACME writes it).
          const name = (object as Certificate).spec?.secretName;
          if (typeof name === 'string') this.secrets.add(`${namespaceOf(object)}/${name}`);
          break;
        }
        case 'Namespace':
          this.namespaces.set(object.metadata.name, (object as Namespace).metadata.labels ?? {});
          break;
      }
    }
  }

  hasSecret(namespace: string, name: string): boolean {
    return this.secrets.has(`${namespace}/${name}`);
  }

  /** A namespace's labels, with the `kubernetes.io/metadata.name` label the API server adds. */
  namespaceLabels(namespace: string): StringMap {
    return { ...(this.namespaces.get(namespace) ?? {}), 'kubernetes.io/metadata.name': namespace };
  }

  createdAt(object: string): string | undefined {
    return this.opts.createdAt?.(object);
  }

  /** A Service port as a route names it, `invalid` when the manifests cannot resolve it. */
  serviceBackend(namespace: string, name: string, port: { number?: number; name?: string } | undefined): CompiledBackend {
    const ref = typeof port?.number === 'number' ? { number: port.number } : typeof port?.name === 'string' ? { name: port.name } : undefined;
    const id = `${namespace}/${name}:${ref ? ('number' in ref ? ref.number : ref.name) : ''}`;
    const backend: CompiledBackend = { id, service: { namespace, name, port: ref ?? { number: 0 } } };
    const svc = this.services.get(`${namespace}/${name}`);
    if (!ref) backend.invalid = `the backend names no port of Service ${namespace}/${name}`;
    else if (!svc) backend.invalid = `Service ${namespace}/${name} is not defined in this revision`;
    else if (svc.spec?.type === 'ExternalName') backend.invalid = `Service ${namespace}/${name} is an ExternalName Service; the edge routes to pods only`;
    else {
      const ports = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
      const found = ports.some((p) => ('number' in ref ? p?.port === ref.number : p?.name === ref.name));
      if (!found) {
        const offered = ports.map((p) => (p?.name ? `${p.name} (${p.port})` : String(p?.port))).join(', ') || 'none';
        backend.invalid = `Service ${namespace}/${name} has no port ${'number' in ref ? ref.number : `"${ref.name}"`} (its ports: ${offered})`;
      }
    }
    return backend;
  }
}

export function namespaceOf(object: { metadata?: { namespace?: string } }): string {
  return object.metadata?.namespace || 'default';
}

/** `Kind/namespace/name`, the form statuses and notes name objects by. */
export function objectName(kind: string, namespace: string | undefined, name: string): string {
  return namespace === undefined ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
}
