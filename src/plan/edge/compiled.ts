/**
 * The route table compiled from an app's manifests alone (compile.ts), before endpoints are known.
 * It has the edge fragment's shape (dataplane/edge-types.ts) with symbolic parts: backends name a
 * Service port by number or name, and certificates name a `kubernetes.io/tls` Secret. bind.ts turns
 * it into an EdgeConfig from the observed pods and Secrets; the offline diff and the views read it
 * as it is, so "what routes where" has one source. Virtual hosts and routes are already in
 * precedence order (the edge takes the first match). docs/ingress.md.
 */
import type { EdgeRoute, EdgeVirtualHost } from '../../dataplane/edge-types.js';

/** A Service port as a route names it. */
export interface CompiledBackend {
  /** Unique in the table and referenced by EdgeRoute.backends: `shop/web:80`, `shop/web:http`. */
  id: string;
  service: { namespace: string; name: string; port: { number: number } | { name: string } };
  /** Why it cannot be resolved from the manifests (no such Service or port): its share answers 500. */
  invalid?: string;
}

/** A TLS Secret a virtual host terminates with. */
export interface CompiledCertificate {
  /** Unique in the table and referenced by CompiledVirtualHost.certificate: `Secret/shop/web-tls`. */
  id: string;
  secret: { namespace: string; name: string };
}

export type CompiledVirtualHost = EdgeVirtualHost;

export interface CompiledEdge {
  /** Exact hosts first, then wildcards by length, longest first; unique by (host, wildcard). */
  virtualHosts: CompiledVirtualHost[];
  backends: CompiledBackend[];
  certificates: CompiledCertificate[];
  /** Ingress defaultBackend (and host-less rules): requests whose host no app claims. */
  catchAll?: { routes: EdgeRoute[] };
}

/** A Kubernetes-style condition computed for an edge object (never stored). */
export interface EdgeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** Status of one object as the compiler sees it: `Ingress/shop/web`, `HTTPRoute/shop/canary`. */
export interface EdgeObjectStatus {
  /** `Kind/namespace/name` (cluster-scoped: `Kind/name`). */
  object: string;
  /** Whether berth serves it (an Ingress of another class, or a route to another controller's Gateway: false). */
  ours: boolean;
  conditions: EdgeCondition[];
  /** HTTPRoute: one entry per parentRef, as `status.parents[]`. */
  parents?: Array<{ parentRef: { namespace: string; name: string; sectionName?: string }; conditions: EdgeCondition[] }>;
  /** Gateway: per listener, as `status.listeners[]`. */
  listeners?: Array<{ name: string; attachedRoutes: number; conditions: EdgeCondition[] }>;
  /** Hosts this object contributes to the table. */
  hosts: string[];
}

/** Something the user should know about the table (shown by apply, diff and describe). */
export interface EdgeNote {
  object: string;
  severity: 'info' | 'warning';
  /** The event reason it is reported with (planEdge): `NotOurs`, `RouteShadowed`, … */
  reason: string;
  message: string;
}

export interface CompileOptions {
  /** The edge's ports on this host: Gateway listeners on other ports are not programmed. */
  ports: { http: number; https: number };
  /** When an object was first applied (ISO time), for the Gateway API's "oldest route wins" tie-break. */
  createdAt?: (object: string) => string | undefined;
}

export interface CompileResult {
  edge: CompiledEdge;
  statuses: EdgeObjectStatus[];
  notes: EdgeNote[];
}
