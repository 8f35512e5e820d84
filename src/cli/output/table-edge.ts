import type { Condition, ViewOf } from '../../runtime/views/index.js';
import { age } from './age.js';

// `get` columns of the edge's kinds: kubectl's own for Ingress and IngressClass, the printer
// columns of the Gateway API and cert-manager CRDs for theirs.

const NONE = '<none>';

/** table.ts's Columns, restated: importing it would make the two files a cycle. */
interface Columns<V> {
  headers: string[];
  cells(v: V, now: number): string[];
  wideHeaders: string[];
  wideCells(v: V): string[];
}

/** kubectl's HOSTS cell: the rules' hosts, `*` for a rule without one, at most four then `+ N more...`. */
export function ingressHosts(v: ViewOf<'Ingress'>): string {
  const hosts = [...new Set((v.object.spec.rules ?? []).map((r) => r.host ?? '*'))];
  if (hosts.length === 0) return '*';
  return hosts.length > 4 ? `${hosts.slice(0, 4).join(',')} + ${hosts.length - 4} more...` : hosts.join(',');
}

function conditionStatus(conditions: readonly Condition[], type: string): string {
  return conditions.find((c) => c.type === type)?.status ?? '';
}

function conditionMessage(conditions: readonly Condition[], type: string): string {
  return conditions.find((c) => c.type === type)?.message ?? '';
}

const ingresses: Columns<ViewOf<'Ingress'>> = {
  headers: ['CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
  cells: (v, now) => [
    v.object.spec.ingressClassName ?? NONE,
    ingressHosts(v),
    (v.object.status.loadBalancer.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').join(','),
    v.ports ?? (v.object.spec.tls?.length ? '80, 443' : '80'),
    age(v.createdAt, now),
  ],
  wideHeaders: [],
  wideCells: () => [],
};

const ingressClasses: Columns<ViewOf<'IngressClass'>> = {
  headers: ['CONTROLLER', 'PARAMETERS', 'AGE'],
  cells: (v, now) => [v.object.spec.controller ?? '', NONE, age(v.createdAt, now)],
  wideHeaders: [],
  wideCells: () => [],
};

const gatewayClasses: Columns<ViewOf<'GatewayClass'>> = {
  headers: ['CONTROLLER', 'ACCEPTED', 'AGE'],
  cells: (v, now) => [v.object.spec.controllerName, conditionStatus(v.object.status.conditions, 'Accepted'), age(v.createdAt, now)],
  wideHeaders: ['DESCRIPTION'],
  wideCells: (v) => [v.object.spec.description ?? ''],
};

const gateways: Columns<ViewOf<'Gateway'>> = {
  headers: ['CLASS', 'ADDRESS', 'PROGRAMMED', 'AGE'],
  cells: (v, now) => [v.object.spec.gatewayClassName, v.object.status.addresses?.[0]?.value ?? '', conditionStatus(v.object.status.conditions, 'Programmed'), age(v.createdAt, now)],
  wideHeaders: [],
  wideCells: () => [],
};

const httpRoutes: Columns<ViewOf<'HTTPRoute'>> = {
  // The CRD prints the hostnames list as JSON does, e.g. ["shop.example.com"].
  headers: ['HOSTNAMES', 'AGE'],
  cells: (v, now) => [v.object.spec.hostnames?.length ? JSON.stringify(v.object.spec.hostnames) : '', age(v.createdAt, now)],
  wideHeaders: [],
  wideCells: () => [],
};

const issuers: Columns<ViewOf<'Issuer'> | ViewOf<'ClusterIssuer'>> = {
  headers: ['READY', 'AGE'],
  cells: (v, now) => [conditionStatus(v.object.status.conditions, 'Ready'), age(v.createdAt, now)],
  wideHeaders: ['STATUS'],
  wideCells: (v) => [conditionMessage(v.object.status.conditions, 'Ready')],
};

const certificates: Columns<ViewOf<'Certificate'>> = {
  headers: ['READY', 'SECRET', 'AGE'],
  cells: (v, now) => [conditionStatus(v.object.status.conditions, 'Ready'), v.object.spec.secretName, age(v.createdAt, now)],
  wideHeaders: ['ISSUER', 'STATUS'],
  wideCells: (v) => [v.object.spec.issuerRef.name, conditionMessage(v.object.status.conditions, 'Ready')],
};

export const EDGE_COLUMNS = {
  Ingress: ingresses,
  IngressClass: ingressClasses,
  GatewayClass: gatewayClasses,
  Gateway: gateways,
  HTTPRoute: httpRoutes,
  Issuer: issuers,
  ClusterIssuer: issuers,
  Certificate: certificates,
};
