// Builders for the edge-values tests: manifests as objects, written as JSON (which is YAML), one
// field a line, and the same objects as resources for the route compiler.
import type { Resource } from '../../src/model/types.js';
import { res } from '../support/builders.js';

export type Obj = Record<string, any>;

export const SVC: Obj = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } };
export const GATEWAY_CLASS: Obj = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'berth' }, spec: { controllerName: 'berth.dev/gateway-controller' } };

export function gateway(listener: Obj = {}): Obj {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: { gatewayClassName: 'berth', listeners: [{ name: 'http', protocol: 'HTTP', port: 80, ...listener }] } };
}

export function ingress(path: Obj = {}, rule: Obj = {}, spec: Obj = {}): Obj {
  const backend = { service: { name: 'web', port: { number: 80 } } };
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' }, spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend, ...path }] }, ...rule }], ...spec } };
}

/** An HTTPRoute with one rule to web:80; `rule` adds matches, filters, timeouts (and may replace backendRefs). */
export function route(rule: Obj = {}, spec: Obj = {}): Obj {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { parentRefs: [{ name: 'gw' }], hostnames: ['api.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 80 }], ...rule }], ...spec } };
}

export const match = (m: Obj) => route({ matches: [m] });
export const headerModifier = (m: Obj) => route({ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: m }] });
export const redirect = (m: Obj) => route({ filters: [{ type: 'RequestRedirect', requestRedirect: m }], backendRefs: [] });
export const rewrite = (m: Obj) => route({ filters: [{ type: 'URLRewrite', urlRewrite: m }] });

export function text(docs: Obj[]): string {
  return docs.map((d) => JSON.stringify(d, null, 2)).join('\n---\n');
}

export function resources(docs: Obj[]): Resource[] {
  return docs.map((d) => res(structuredClone(d)));
}
