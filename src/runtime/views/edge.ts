import { isIP } from 'node:net';
import { GATEWAY_CONTROLLER_NAME } from '../../model/edge.js';
import { ingressOwnership } from '../../plan/edge/classes.js';
import type { Certificate, ClusterIssuer, Gateway, GatewayClass, HTTPRoute, Ingress, IngressClass, Issuer, ParentReference } from '../../model/types.js';
import type { InventoryEntry } from '../store/index.js';
import type { ViewContext } from './context.js';
import { itemMeta, rfc3339 } from './meta.js';
import type { Condition, View } from './types.js';

// Views of the edge's kinds: the objects as applied, with the status their controllers would
// write. Nothing is served yet (the edge and the ACME controller are later steps), and the
// status says so in the API's own terms (Unknown/False with a reason) rather than pretending.

/** Said by every condition until the edge serves these objects. */
export const NOT_SERVED_YET = 'berth stores and shows this object; its edge serves it in a later step';
export const NOT_ISSUED_YET = 'berth stores and shows this object; it does not run ACME orders yet';

function metaOf(ctx: ViewContext, entry: InventoryEntry) {
  const o = entry.object as { kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> } };
  return itemMeta({ app: ctx.state.app, kind: o.kind, namespace: entry.namespace, name: o.metadata.name, createdAt: entry.appliedAt, labels: o.metadata.labels ?? {}, annotations: o.metadata.annotations ?? {}, generation: 1 });
}

function base(entry: InventoryEntry) {
  const o = entry.object as { metadata: { name: string; labels?: Record<string, string> } };
  return { key: entry.key, namespace: entry.namespace, name: o.metadata.name, labels: o.metadata.labels ?? {}, createdAt: entry.appliedAt };
}

function condition(type: string, status: Condition['status'], reason: string, message: string, since: number): Condition {
  return { type, status, lastTransitionTime: rfc3339(since), reason, message };
}

/**
 * An Ingress berth serves has the edge's address once the edge runs (its listen address, else
 * `localhost`, as a LoadBalancer Service shows), and the edge's ports; another class's has none.
 */
export function ingressView(ctx: ViewContext, entry: InventoryEntry): View {
  const ing = entry.object as Ingress;
  const classes = ctx.state.inventory.filter((e) => e.kind === 'IngressClass').map((e) => e.object as IngressClass);
  const edge = ctx.state.edge;
  const served = edge?.running === true && ingressOwnership(ing, classes).ours;
  const address = edge?.address ?? 'localhost';
  const loadBalancer = served ? { ingress: [isIP(address) ? { ip: address } : { hostname: address }] } : {};
  const ports = edge ? (ing.spec?.tls?.length ? `${edge.ports.http}, ${edge.ports.https}` : String(edge.ports.http)) : undefined;
  return { kind: 'Ingress', ...base(entry), ...(ports ? { ports } : {}), object: { apiVersion: ing.apiVersion, kind: 'Ingress', metadata: metaOf(ctx, entry), spec: ing.spec ?? {}, status: { loadBalancer } } };
}

export function ingressClassView(ctx: ViewContext, entry: InventoryEntry): View {
  const ic = entry.object as IngressClass;
  return { kind: 'IngressClass', ...base(entry), object: { apiVersion: ic.apiVersion, kind: 'IngressClass', metadata: metaOf(ctx, entry), spec: ic.spec ?? {} } };
}

export function gatewayClassView(ctx: ViewContext, entry: InventoryEntry): View {
  const gc = entry.object as GatewayClass;
  // A class of another controller is never accepted here: no such controller runs on this host.
  const ours = gc.spec.controllerName === GATEWAY_CONTROLLER_NAME;
  const accepted = ours
    ? condition('Accepted', 'Unknown', 'Pending', NOT_SERVED_YET, entry.appliedAt)
    : condition('Accepted', 'Unknown', 'Pending', `no controller named ${gc.spec.controllerName} runs on this host (berth's is ${GATEWAY_CONTROLLER_NAME})`, entry.appliedAt);
  return { kind: 'GatewayClass', ...base(entry), object: { apiVersion: gc.apiVersion, kind: 'GatewayClass', metadata: metaOf(ctx, entry), spec: gc.spec, status: { conditions: [accepted] } } };
}

/** Does this parentRef of a route in `routeNs` name the Gateway `ns/name` (and, with a sectionName, this listener)? */
export function refersTo(ref: ParentReference, routeNs: string, ns: string, name: string, listener?: string): boolean {
  const group = ref.group ?? 'gateway.networking.k8s.io';
  const kind = ref.kind ?? 'Gateway';
  if (group !== 'gateway.networking.k8s.io' || kind !== 'Gateway' || ref.name !== name || (ref.namespace ?? routeNs) !== ns) return false;
  return listener === undefined || ref.sectionName === undefined || ref.sectionName === listener;
}

export function gatewayView(ctx: ViewContext, entry: InventoryEntry): View {
  const gw = entry.object as Gateway;
  const routes = ctx.state.inventory.filter((e) => e.kind === 'HTTPRoute').map((e) => ({ ns: e.namespace, spec: (e.object as HTTPRoute).spec ?? {} }));
  const listeners = gw.spec.listeners.map((l) => ({
    name: l.name,
    // Routes naming the listener (or the whole Gateway); whether each is allowed is the edge's decision, later.
    attachedRoutes: routes.filter((r) => (r.spec.parentRefs ?? []).some((p) => refersTo(p, r.ns, entry.namespace, gw.metadata.name, l.name))).length,
    supportedKinds: l.protocol === 'HTTP' || l.protocol === 'HTTPS' ? [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }] : [],
    conditions: [condition('Programmed', 'Unknown', 'Pending', NOT_SERVED_YET, entry.appliedAt)],
  }));
  const status = {
    conditions: [condition('Accepted', 'Unknown', 'Pending', NOT_SERVED_YET, entry.appliedAt), condition('Programmed', 'Unknown', 'Pending', NOT_SERVED_YET, entry.appliedAt)],
    listeners,
  };
  return { kind: 'Gateway', ...base(entry), object: { apiVersion: gw.apiVersion, kind: 'Gateway', metadata: metaOf(ctx, entry), spec: gw.spec, status } };
}

export function httpRouteView(ctx: ViewContext, entry: InventoryEntry): View {
  const route = entry.object as HTTPRoute;
  const spec = route.spec ?? {};
  const parents = (spec.parentRefs ?? []).map((parentRef) => ({
    parentRef,
    controllerName: GATEWAY_CONTROLLER_NAME,
    conditions: [condition('Accepted', 'Unknown', 'Pending', NOT_SERVED_YET, entry.appliedAt)],
  }));
  return { kind: 'HTTPRoute', ...base(entry), object: { apiVersion: route.apiVersion, kind: 'HTTPRoute', metadata: metaOf(ctx, entry), spec, status: { parents } } };
}

export function issuerView(ctx: ViewContext, entry: InventoryEntry): View {
  const issuer = entry.object as Issuer | ClusterIssuer;
  const ready = issuer.spec.acme
    ? condition('Ready', 'Unknown', 'NoController', `${NOT_ISSUED_YET}: no ACME account is registered at ${issuer.spec.acme.server}`, entry.appliedAt)
    : condition('Ready', 'False', 'Unsupported', 'only ACME issuers (spec.acme) run on berth', entry.appliedAt);
  const object = { apiVersion: issuer.apiVersion, kind: issuer.kind, metadata: metaOf(ctx, entry), spec: issuer.spec, status: { conditions: [ready] } };
  return issuer.kind === 'Issuer' ? { kind: 'Issuer', ...base(entry), object: { ...object, kind: 'Issuer' } } : { kind: 'ClusterIssuer', ...base(entry), object: { ...object, kind: 'ClusterIssuer' } };
}

export function certificateView(ctx: ViewContext, entry: InventoryEntry): View {
  const cert = entry.object as Certificate;
  const ready = condition('Ready', 'False', 'NoController', `${NOT_ISSUED_YET}: Secret ${cert.spec.secretName} is not issued`, entry.appliedAt);
  return { kind: 'Certificate', ...base(entry), object: { apiVersion: cert.apiVersion, kind: 'Certificate', metadata: metaOf(ctx, entry), spec: cert.spec, status: { conditions: [ready] } } };
}
