import { GATEWAY_CONTROLLER_NAME } from '../../model/edge.js';
import type { Certificate, ClusterIssuer, Gateway, GatewayClass, HTTPRoute, Ingress, IngressClass, Issuer, ParentReference } from '../../model/types.js';
import type { InventoryEntry } from '../store/index.js';
import type { AnyObject } from '../../model/types.js';
import { resourceKey } from '../../model/types.js';
import { certificateStatus, issuerReady } from '../../plan/certificate-status.js';
import { impliedCertificates } from '../../plan/ingress-certificates.js';
import { issuedSecrets } from '../../plan/certificate-secrets.js';
import type { ViewContext } from './context.js';
import { itemMeta, rfc3339 } from './meta.js';
import type { Condition, View } from './types.js';

// Views of the edge's kinds: the objects as applied, with the status their controllers would
// write. Nothing is served yet (the edge and the ACME controller are later steps), and the
// status says so in the API's own terms (Unknown/False with a reason) rather than pretending.

/** Said by every condition until the edge serves these objects. */
export const NOT_SERVED_YET = 'berth stores and shows this object; its edge serves it in a later step';

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

export function ingressView(ctx: ViewContext, entry: InventoryEntry): View {
  const ing = entry.object as Ingress;
  return { kind: 'Ingress', ...base(entry), object: { apiVersion: ing.apiVersion, kind: 'Ingress', metadata: metaOf(ctx, entry), spec: ing.spec ?? {}, status: { loadBalancer: {} } } };
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

/** Whether a berth daemon drives the app: only a daemon runs ACME orders. */
function ordersRun(ctx: ViewContext): boolean {
  return ctx.state.controller?.kind === 'daemon';
}

export function issuerView(ctx: ViewContext, entry: InventoryEntry): View {
  const issuer = entry.object as Issuer | ClusterIssuer;
  const acmeReady = issuerReady(issuer, ctx.state.acmeAccounts ?? [], entry.key, ordersRun(ctx));
  const ready = acmeReady
    ? condition('Ready', acmeReady.status, acmeReady.reason, acmeReady.message, entry.appliedAt)
    : condition('Ready', 'False', 'Unsupported', 'only ACME issuers (spec.acme) run on berth', entry.appliedAt);
  const object = { apiVersion: issuer.apiVersion, kind: issuer.kind, metadata: metaOf(ctx, entry), spec: issuer.spec, status: { conditions: [ready] } };
  return issuer.kind === 'Issuer' ? { kind: 'Issuer', ...base(entry), object: { ...object, kind: 'Issuer' } } : { kind: 'ClusterIssuer', ...base(entry), object: { ...object, kind: 'ClusterIssuer' } };
}

export function certificateView(ctx: ViewContext, entry: InventoryEntry): View {
  const cert = entry.object as Certificate;
  const objects = ctx.state.inventory.map((e) => e.object as AnyObject);
  const rec = (ctx.state.certificates ?? []).find((r) => r.key === entry.key);
  const s = certificateStatus(objects, cert, rec, ctx.state.now, ordersRun(ctx));
  const status = {
    conditions: s.conditions.map((c) => condition(c.type, c.status, c.reason, c.message, c.since ?? entry.appliedAt)),
    ...(s.notBefore !== undefined ? { notBefore: rfc3339(s.notBefore) } : {}),
    ...(s.notAfter !== undefined ? { notAfter: rfc3339(s.notAfter) } : {}),
    ...(s.renewalTime !== undefined ? { renewalTime: rfc3339(s.renewalTime) } : {}),
    ...(s.failedIssuanceAttempts !== undefined ? { failedIssuanceAttempts: s.failedIssuanceAttempts } : {}),
    ...(s.lastFailureTime !== undefined ? { lastFailureTime: rfc3339(s.lastFailureTime) } : {}),
  };
  return { kind: 'Certificate', ...base(entry), object: { apiVersion: cert.apiVersion, kind: 'Certificate', metadata: metaOf(ctx, entry), spec: cert.spec, status } };
}

/** The kubernetes.io/tls Secrets of issued certificates, as the pass generates them, dated by their certificate. */
export function generatedSecretEntries(ctx: ViewContext): InventoryEntry[] {
  const records = ctx.state.certificates ?? [];
  if (records.length === 0) return [];
  const resources = ctx.state.inventory.map((e) => ({ key: e.key, object: e.object as AnyObject, source: { file: '', line: 0, column: 0 } }));
  return issuedSecrets(resources, records).map((s) => {
    const rec = records.find((r) => r.secretName === s.object.metadata.name && r.key.split('/')[1] === s.object.metadata.namespace);
    const namespace = s.object.metadata.namespace ?? 'default';
    return { key: s.key, kind: 'Secret', namespace, name: s.object.metadata.name, specHash: '', object: s.object, sourceRevision: '', appliedAt: rec?.notBefore ?? ctx.state.now };
  });
}

/** The Certificates the app's Ingresses imply (cert-manager's ingress-shim), as entries dated like their Ingress. */
export function impliedCertificateEntries(ctx: ViewContext): InventoryEntry[] {
  const ingresses = new Map(ctx.state.inventory.filter((e) => e.kind === 'Ingress').map((e) => [e.key, e]));
  return impliedCertificates([...ingresses.values(), ...ctx.state.inventory.filter((e) => e.kind === 'Certificate')].map((e) => e.object as AnyObject)).certificates.map((cert) => {
    const ing = ingresses.get(cert.metadata.annotations?.['berth.dev/implied-by'] ?? '')!;
    const namespace = cert.metadata.namespace ?? 'default';
    return { ...ing, key: resourceKey('Certificate', namespace, cert.metadata.name), kind: 'Certificate', namespace, name: cert.metadata.name, object: cert };
  });
}
