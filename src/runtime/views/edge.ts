import { isIP } from 'node:net';
import { BUILTIN_INGRESS_CLASS, GATEWAY_CONTROLLER_NAME, INGRESS_CONTROLLER_NAME } from '../../model/edge.js';
import { DEFAULT_CLASS_ANNOTATION, ingressOwnership } from '../../plan/edge/classes.js';
import { compileRoutes } from '../../plan/edge/compile.js';
import type { EdgeCondition, EdgeObjectStatus } from '../../plan/edge/compiled.js';
import { DEFAULT_EDGE } from '../../model/policy.js';
import type { Certificate, ClusterIssuer, Gateway, GatewayClass, HTTPRoute, Ingress, IngressClass, Issuer, ParentReference } from '../../model/types.js';
import type { InventoryEntry } from '../store/index.js';
import type { AnyObject } from '../../model/types.js';
import { resourceKey } from '../../model/types.js';
import { certificateStatus, issuerReady } from '../../plan/certificate-status.js';
import { impliedCertificates } from '../../plan/ingress-certificates.js';
import { issuedSecrets } from '../../plan/certificate-secrets.js';
import type { ViewContext } from './context.js';
import { createdOf, generationOf, itemMeta, rfc3339 } from './meta.js';
import type { Condition, View } from './types.js';

// Views of the edge's kinds: the objects as applied, with the status their controllers would
// write. Ingress and Gateway API objects are served (their status is the route compiler's, and
// Programmed once the edge runs); Certificates and Issuers show what the ACME controller recorded.

function metaOf(ctx: ViewContext, entry: InventoryEntry) {
  const o = entry.object as { kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> } };
  return itemMeta({ app: ctx.state.app, kind: o.kind, namespace: entry.namespace, name: o.metadata.name, createdAt: createdOf(entry), labels: o.metadata.labels ?? {}, annotations: o.metadata.annotations ?? {}, generation: generationOf(entry), incarnation: entry.createdAt });
}

function base(entry: InventoryEntry) {
  const o = entry.object as { metadata: { name: string; labels?: Record<string, string> } };
  return { key: entry.key, namespace: entry.namespace, name: o.metadata.name, labels: o.metadata.labels ?? {}, createdAt: createdOf(entry) };
}

function condition(type: string, status: Condition['status'], reason: string, message: string, since: number): Condition {
  return { type, status, lastTransitionTime: rfc3339(since), reason, message };
}

/** The edge runs and listens on its ports (`listening` unset: not read, as views built without it). */
function serving(ctx: ViewContext): boolean {
  return ctx.state.edge?.running === true && ctx.state.edge.listening !== false;
}

/**
 * An Ingress berth serves has the edge's address once the edge runs and listens (its listen address, else
 * `localhost`, as a LoadBalancer Service shows), and the edge's ports; another class's has none.
 */
export function ingressView(ctx: ViewContext, entry: InventoryEntry): View {
  const ing = entry.object as Ingress;
  const classes = ctx.state.inventory.filter((e) => e.kind === 'IngressClass').map((e) => e.object as IngressClass);
  const edge = ctx.state.edge;
  const served = serving(ctx) && ingressOwnership(ing, classes).ours;
  const address = edge?.address ?? 'localhost';
  const loadBalancer = served ? { ingress: [isIP(address) ? { ip: address } : { hostname: address }] } : {};
  const ports = edge ? (ing.spec?.tls?.length ? `${edge.ports.http}, ${edge.ports.https}` : String(edge.ports.http)) : undefined;
  return { kind: 'Ingress', ...base(entry), ...(ports ? { ports } : {}), object: { apiVersion: ing.apiVersion, kind: 'Ingress', metadata: metaOf(ctx, entry), spec: ing.spec ?? {}, status: { loadBalancer } } };
}

/** Marks the IngressClass berth shows without the revision defining it (`-o yaml`). */
export const BUILTIN_ANNOTATION = 'berth.dev/builtin';

/**
 * The class berth serves without any IngressClass in the revision (plan/edge/classes.ts), shown
 * as the IngressClass object a cluster's controller installs (k3s's `traefik`): `get ingressclass`
 * is how users find the class name. The default class too, as the compiler treats it, while no
 * class of the revision is marked default. A revision IngressClass named `berth` replaces it.
 * Dated like the app's oldest object: it has served the app since then.
 */
export function builtinIngressClassEntry(ctx: ViewContext): InventoryEntry | undefined {
  const classes = ctx.state.inventory.filter((e) => e.kind === 'IngressClass');
  if (classes.some((e) => (e.object as IngressClass).metadata?.name === BUILTIN_INGRESS_CLASS)) return undefined;
  const isDefault = !classes.some((e) => (e.object as IngressClass).metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  const annotations = { [BUILTIN_ANNOTATION]: 'true', ...(isDefault ? { [DEFAULT_CLASS_ANNOTATION]: 'true' } : {}) };
  const object = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: BUILTIN_INGRESS_CLASS, annotations }, spec: { controller: INGRESS_CONTROLLER_NAME } };
  const appliedAt = ctx.state.inventory.length ? Math.min(...ctx.state.inventory.map((e) => e.appliedAt)) : ctx.state.now;
  return { key: resourceKey('IngressClass', '', BUILTIN_INGRESS_CLASS), kind: 'IngressClass', namespace: '', name: BUILTIN_INGRESS_CLASS, specHash: '', object, sourceRevision: '', appliedAt };
}

export function ingressClassView(ctx: ViewContext, entry: InventoryEntry): View {
  const ic = entry.object as IngressClass;
  return { kind: 'IngressClass', ...base(entry), object: { apiVersion: ic.apiVersion, kind: 'IngressClass', metadata: metaOf(ctx, entry), spec: ic.spec ?? {} } };
}

/**
 * The statuses the route compiler gives the app's edge objects (plan/edge/compile.ts), against the
 * edge ports of the app's applied policy: the views say what the edge is told, from one source.
 */
function routeStatuses(ctx: ViewContext): ReadonlyMap<string, EdgeObjectStatus> {
  // Every Gateway, GatewayClass and HTTPRoute view asks: the table is compiled once per context.
  return (ctx.memo.routeStatuses ??= compiledRouteStatuses(ctx));
}

function compiledRouteStatuses(ctx: ViewContext): Map<string, EdgeObjectStatus> {
  const ports = ctx.state.edge?.ports ?? { http: DEFAULT_EDGE.httpPort, https: DEFAULT_EDGE.httpsPort };
  const createdAt = (object: string) => {
    const [kind, a, b] = object.split('/');
    const e = ctx.entries.get(b === undefined ? `${kind}//${a}` : object);
    return e ? rfc3339(e.appliedAt) : undefined;
  };
  return new Map(compileRoutes(ctx.desired.resources, { ports, createdAt }).statuses.map((s) => [s.object, s]));
}

function conditions(list: readonly EdgeCondition[], since: number): Condition[] {
  return list.map((c) => condition(c.type, c.status, c.reason, c.message, since));
}

/** Programmed, as the Gateway API means it: accepted, and the edge that serves it runs. */
function programmed(ctx: ViewContext, accepted: boolean, since: number): Condition {
  const edge = ctx.state.edge;
  if (!accepted) return condition('Programmed', 'False', 'Invalid', 'not accepted', since);
  if (edge?.running && edge.listening === false) return condition('Programmed', 'False', 'Pending', `the edge runs but cannot listen on its ports ${edge.ports.http}/${edge.ports.https}; see its EdgeListenFailed events`, since);
  if (edge?.running) return condition('Programmed', 'True', 'Programmed', `served by the edge on ports ${edge.ports.http}/${edge.ports.https}`, since);
  return condition('Programmed', 'False', 'Pending', "the edge of this host's ports is not running", since);
}

export function gatewayClassView(ctx: ViewContext, entry: InventoryEntry): View {
  const gc = entry.object as GatewayClass;
  const status = routeStatuses(ctx).get(`GatewayClass/${gc.metadata.name}`);
  // A class of another controller is never accepted here: no such controller runs on this host.
  const accepted = status?.ours
    ? conditions(status.conditions, entry.appliedAt)
    : [condition('Accepted', 'Unknown', 'Pending', `no controller named ${gc.spec.controllerName} runs on this host (berth's is ${GATEWAY_CONTROLLER_NAME})`, entry.appliedAt)];
  return { kind: 'GatewayClass', ...base(entry), object: { apiVersion: gc.apiVersion, kind: 'GatewayClass', metadata: metaOf(ctx, entry), spec: gc.spec, status: { conditions: accepted } } };
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
  const status = routeStatuses(ctx).get(`Gateway/${entry.namespace}/${gw.metadata.name}`);
  const since = entry.appliedAt;
  const routes = ctx.state.inventory.filter((e) => e.kind === 'HTTPRoute').map((e) => ({ ns: e.namespace, spec: (e.object as HTTPRoute).spec ?? {} }));
  const listeners = gw.spec.listeners.map((l) => {
    const compiled = status?.listeners?.find((x) => x.name === l.name);
    const own = compiled ? conditions(compiled.conditions, since) : [condition('Accepted', 'Unknown', 'Pending', 'not served by berth', since)];
    return {
      name: l.name,
      // The compiler counts the routes it attached; a Gateway not ours counts those naming it.
      attachedRoutes: compiled?.attachedRoutes ?? routes.filter((r) => (r.spec.parentRefs ?? []).some((p) => refersTo(p, r.ns, entry.namespace, gw.metadata.name, l.name))).length,
      supportedKinds: l.protocol === 'HTTP' || l.protocol === 'HTTPS' ? [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }] : [],
      conditions: [...own, programmed(ctx, own.some((c) => c.type === 'Accepted' && c.status === 'True'), since)],
    };
  });
  const own = status?.ours ? conditions(status.conditions, since) : [condition('Accepted', 'Unknown', 'Pending', 'its GatewayClass is not served by berth', since)];
  const accepted = own.some((c) => c.type === 'Accepted' && c.status === 'True');
  const address = ctx.state.edge?.address ?? 'localhost';
  const served = accepted && serving(ctx);
  const result = {
    ...(served ? { addresses: [{ type: isIP(address) ? 'IPAddress' : 'Hostname', value: address }] } : {}),
    conditions: [...own, programmed(ctx, accepted, since)],
    listeners,
  };
  return { kind: 'Gateway', ...base(entry), object: { apiVersion: gw.apiVersion, kind: 'Gateway', metadata: metaOf(ctx, entry), spec: gw.spec, status: result } };
}

export function httpRouteView(ctx: ViewContext, entry: InventoryEntry): View {
  const route = entry.object as HTTPRoute;
  const spec = route.spec ?? {};
  const status = routeStatuses(ctx).get(`HTTPRoute/${entry.namespace}/${route.metadata.name}`);
  const parents = (spec.parentRefs ?? []).map((parentRef, i) => ({
    parentRef,
    controllerName: GATEWAY_CONTROLLER_NAME,
    conditions: status?.parents?.[i] ? conditions(status.parents[i].conditions, entry.appliedAt) : [condition('Accepted', 'Unknown', 'Pending', 'not served by berth', entry.appliedAt)],
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
