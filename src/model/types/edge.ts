import type { KubeObject, LabelSelector } from './meta.js';

// The edge's kinds, with their API field names: Ingress and IngressClass (networking.k8s.io/v1)
// and the Gateway API's GatewayClass, Gateway and HTTPRoute (gateway.networking.k8s.io/v1).
// schemas/ is the shape; manifests/checks/edge.ts holds the rules the API server's validation
// (or the Gateway API CRDs' CEL rules) would apply. Served by the edge (plan/edge/).

// ---------------------------------------------------------------- Ingress

export type IngressPathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface ServiceBackendPort {
  name?: string;
  number?: number;
}

export interface IngressBackend {
  /** Exactly one of service and resource; berth routes to Services only. */
  service?: { name: string; port?: ServiceBackendPort };
}

export interface HTTPIngressPath {
  /** Required unless pathType is ImplementationSpecific; starts with '/'. */
  path?: string;
  pathType: IngressPathType;
  backend: IngressBackend;
}

export interface IngressRule {
  /** Absent: the rule applies to every host. `*.example.com` matches exactly one label. */
  host?: string;
  http?: { paths: HTTPIngressPath[] };
}

export interface IngressTLS {
  hosts?: string[];
  /** Absent: a TLS entry without a certificate (SNI only in Kubernetes; berth needs one to serve it). */
  secretName?: string;
}

export interface Ingress extends KubeObject {
  kind: 'Ingress';
  spec?: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls?: IngressTLS[];
    rules?: IngressRule[];
  };
}

export interface IngressClass extends KubeObject {
  kind: 'IngressClass';
  spec?: { controller?: string };
}

// ---------------------------------------------------------------- Gateway API

/** A reference to a Gateway (or another parent) from a route. Defaults: group gateway.networking.k8s.io, kind Gateway, the route's namespace. */
export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface GatewayClass extends KubeObject {
  kind: 'GatewayClass';
  spec: { controllerName: string; description?: string };
}

export interface SecretObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  /** HTTP and HTTPS are served; TLS, TCP, UDP are API values the edge does not serve. */
  protocol: string;
  tls?: { mode?: 'Terminate' | 'Passthrough'; certificateRefs?: SecretObjectReference[] };
  allowedRoutes?: {
    namespaces?: { from?: 'All' | 'Same' | 'Selector' | 'None'; selector?: LabelSelector };
    kinds?: Array<{ group?: string; kind: string }>;
  };
}

export interface Gateway extends KubeObject {
  kind: 'Gateway';
  spec: { gatewayClassName: string; listeners: Listener[] };
}

export interface GatewayHTTPHeader {
  name: string;
  value: string;
}

export interface HTTPHeaderModifier {
  set?: GatewayHTTPHeader[];
  add?: GatewayHTTPHeader[];
  remove?: string[];
}

export interface HTTPPathModifier {
  type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export type HTTPRouteFilterType = 'RequestHeaderModifier' | 'ResponseHeaderModifier' | 'RequestMirror' | 'RequestRedirect' | 'URLRewrite' | 'ExtensionRef' | 'CORS' | 'ExternalAuth';

export interface HTTPRouteFilter {
  type: HTTPRouteFilterType;
  requestHeaderModifier?: HTTPHeaderModifier;
  responseHeaderModifier?: HTTPHeaderModifier;
  requestRedirect?: { scheme?: 'http' | 'https'; hostname?: string; path?: HTTPPathModifier; port?: number; statusCode?: number };
  urlRewrite?: { hostname?: string; path?: HTTPPathModifier };
}

export interface HTTPStringMatch {
  type?: 'Exact' | 'RegularExpression';
  name: string;
  value: string;
}

export interface HTTPRouteMatch {
  /** Default (the API's): PathPrefix `/`. */
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value?: string };
  headers?: HTTPStringMatch[];
  queryParams?: HTTPStringMatch[];
  method?: string;
}

export interface HTTPBackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  /** Default 1; 0 takes no traffic. */
  weight?: number;
  filters?: HTTPRouteFilter[];
}

export interface HTTPRouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
}

export interface HTTPRoute extends KubeObject {
  kind: 'HTTPRoute';
  spec?: { parentRefs?: ParentReference[]; hostnames?: string[]; rules?: HTTPRouteRule[] };
}
