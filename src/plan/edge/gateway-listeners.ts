/**
 * GatewayClasses and Gateways as berth's edge serves them. A Gateway's listeners are the edge's
 * own two ports: an HTTP listener must ask for the edge's http port and an HTTPS one for its
 * https port, else `Accepted=False, PortUnavailable` (the edge cannot open other ports for one
 * app). HTTPS terminates TLS with a `kubernetes.io/tls` Secret of the Gateway's namespace; there
 * is no ReferenceGrant on berth, so a Secret elsewhere is `RefNotPermitted`.
 */
import type { Gateway, Listener } from '../../model/types.js';
import { matches, selectorFromLabelSelector } from '../../model/selectors.js';
import { gatewayClassOwnership, gatewayOwnership } from './classes.js';
import type { CompiledCertificate, EdgeCondition, EdgeNote, EdgeObjectStatus } from './compiled.js';
import { normalizeHost } from './hosts.js';
import type { EdgeResources } from './resources.js';
import { namespaceOf, objectName } from './resources.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface ListenerState {
  name: string;
  /** Accepted and its references resolved well enough to serve (a missing Secret still serves http). */
  accepted: boolean;
  protocol: 'http' | 'https';
  port: number;
  hostname?: string;
  certificate?: CompiledCertificate;
  /** Whether HTTPRoutes may attach (allowedRoutes.kinds). */
  allowsHTTPRoute: boolean;
  allowsNamespace: (namespace: string) => boolean;
  conditions: EdgeCondition[];
  attachedRoutes: number;
}

export interface GatewayState {
  object: string;
  namespace: string;
  name: string;
  createdAt?: string;
  listeners: ListenerState[];
  /** Hosts attached routes contributed through this Gateway. */
  hosts: Set<string>;
}

export interface GatewayResult {
  /** Ours only, by `namespace/name`. */
  gateways: Map<string, GatewayState>;
  /** Gateways of another controller, by `namespace/name`: routes to them are not ours. */
  foreign: Set<string>;
  statuses: EdgeObjectStatus[];
  notes: EdgeNote[];
}

const cond = (type: string, ok: boolean, reason: string, message: string): EdgeCondition => ({ type, status: ok ? 'True' : 'False', reason, message });

export function compileGateways(res: EdgeResources): GatewayResult {
  const out: GatewayResult = { gateways: new Map(), foreign: new Set(), statuses: [], notes: [] };
  for (const cls of res.gatewayClasses) {
    const object = objectName('GatewayClass', undefined, cls.metadata.name);
    const own = gatewayClassOwnership(cls);
    if (own.ours) out.statuses.push({ object, ours: true, conditions: [cond('Accepted', true, 'Accepted', "served by berth's edge")], hosts: [] });
    else {
      out.statuses.push({ object, ours: false, conditions: [], hosts: [] });
      out.notes.push({ object, severity: 'info', reason: 'NotOurs', message: `not served by berth: ${own.why ?? ''}` });
    }
  }
  for (const gw of res.gateways) {
    const namespace = namespaceOf(gw);
    const object = objectName('Gateway', namespace, gw.metadata.name);
    const own = gatewayOwnership(gw, res.gatewayClasses);
    if (!own.ours) {
      out.foreign.add(`${namespace}/${gw.metadata.name}`);
      out.statuses.push({ object, ours: false, conditions: [], hosts: [] });
      out.notes.push({ object, severity: 'info', reason: 'NotOurs', message: `not served by berth: ${own.why ?? ''}` });
      continue;
    }
    const listeners = (Array.isArray(gw.spec?.listeners) ? gw.spec.listeners : []).filter((l) => l && typeof l === 'object').map((l) => listenerState(gw, l, res));
    for (const l of listeners) for (const c of l.conditions) if (c.status === 'False') out.notes.push({ object, severity: 'warning', reason: 'ListenerNotProgrammed', message: `listener ${l.name}: ${c.message}` });
    out.gateways.set(`${namespace}/${gw.metadata.name}`, { object, namespace, name: gw.metadata.name, createdAt: res.createdAt(object), listeners, hosts: new Set() });
  }
  return out;
}

/** The Gateway's status once routes have attached (attachedRoutes counts them). */
export function gatewayStatus(g: GatewayState): EdgeObjectStatus {
  const valid = g.listeners.filter((l) => l.accepted);
  const accepted =
    valid.length > 0 || g.listeners.length === 0
      ? cond('Accepted', true, 'Accepted', `${valid.length} of ${g.listeners.length} listeners accepted`)
      : cond('Accepted', false, 'ListenersNotValid', 'no listener can be served by the edge');
  return {
    object: g.object,
    ours: true,
    conditions: [accepted],
    listeners: g.listeners.map((l) => ({ name: l.name, attachedRoutes: l.attachedRoutes, conditions: l.conditions })),
    hosts: [...g.hosts].sort(),
  };
}

function listenerState(gw: Gateway, l: Listener, res: EdgeResources): ListenerState {
  const namespace = namespaceOf(gw);
  const name = typeof l.name === 'string' ? l.name : '';
  const protocol = l.protocol === 'HTTPS' ? 'https' : 'http';
  const state: ListenerState = {
    name,
    accepted: false,
    protocol,
    port: l.port,
    ...(typeof l.hostname === 'string' && l.hostname !== '' ? { hostname: normalizeHost(l.hostname) } : {}),
    allowsHTTPRoute: true,
    allowsNamespace: namespacePolicy(l, namespace, res),
    conditions: [],
    attachedRoutes: 0,
  };
  const edgePort = protocol === 'https' ? res.opts.ports.https : res.opts.ports.http;
  let accepted: EdgeCondition;
  if (l.protocol !== 'HTTP' && l.protocol !== 'HTTPS')
    accepted = cond('Accepted', false, 'UnsupportedProtocol', `protocol ${String(l.protocol)} is not served; berth's edge serves HTTP and HTTPS`);
  else if (l.port !== edgePort)
    accepted = cond('Accepted', false, 'PortUnavailable', `berth's edge serves ${l.protocol} on port ${edgePort} only (its host settings); this listener asks for port ${String(l.port)}`);
  else if (protocol === 'https' && (l.tls?.mode ?? 'Terminate') !== 'Terminate')
    accepted = cond('Accepted', false, 'UnsupportedValue', `tls.mode ${String(l.tls?.mode)} is not served; berth's edge terminates TLS (mode Terminate)`);
  else accepted = cond('Accepted', true, 'Accepted', `served on the edge's ${l.protocol} port ${edgePort}`);
  state.accepted = accepted.status === 'True';
  state.conditions.push(accepted);

  const refs: EdgeCondition[] = [];
  const kinds = Array.isArray(l.allowedRoutes?.kinds) ? l.allowedRoutes.kinds : undefined;
  if (kinds) {
    const other = kinds.filter((k) => k?.kind !== 'HTTPRoute' || (k.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP);
    state.allowsHTTPRoute = other.length < kinds.length;
    if (other.length > 0) refs.push(cond('ResolvedRefs', false, 'InvalidRouteKinds', `route kinds ${other.map((k) => String(k?.kind)).join(', ')} are not served; berth attaches HTTPRoutes only`));
  }
  if (protocol === 'https' && state.accepted) {
    const cert = certificate(l, namespace, res);
    if ('certificate' in cert) state.certificate = cert.certificate;
    if (cert.problem) refs.push(cert.problem);
  }
  state.conditions.push(refs[0] ?? cond('ResolvedRefs', true, 'ResolvedRefs', 'every reference resolved'));
  return state;
}

/** The first certificateRef, which must be a Secret of the Gateway's namespace. */
function certificate(l: Listener, namespace: string, res: EdgeResources): { certificate?: CompiledCertificate; problem?: EdgeCondition } {
  const refs = Array.isArray(l.tls?.certificateRefs) ? l.tls.certificateRefs : [];
  const ref = refs[0];
  if (!ref || typeof ref.name !== 'string') return { problem: cond('ResolvedRefs', false, 'InvalidCertificateRef', 'an HTTPS listener needs tls.certificateRefs naming a kubernetes.io/tls Secret') };
  if ((ref.kind ?? 'Secret') !== 'Secret' || (ref.group ?? '') !== '')
    return { problem: cond('ResolvedRefs', false, 'InvalidCertificateRef', `certificateRef ${ref.group || 'core'}/${String(ref.kind)} is not a Secret`) };
  const ns = ref.namespace ?? namespace;
  if (ns !== namespace)
    return { problem: cond('ResolvedRefs', false, 'RefNotPermitted', `Secret ${ns}/${ref.name} is in another namespace; that needs a ReferenceGrant, which berth does not support`) };
  const certificate: CompiledCertificate = { id: `Secret/${ns}/${ref.name}`, secret: { namespace: ns, name: ref.name } };
  // Served anyway: the Secret may still be issued (bind.ts loads it when it exists).
  if (!res.hasSecret(ns, ref.name))
    return { certificate, problem: cond('ResolvedRefs', false, 'InvalidCertificateRef', `Secret ${ns}/${ref.name} is not defined in this revision (nor a Certificate issuing it)`) };
  return { certificate };
}

/** allowedRoutes.namespaces: Same (the default), All, Selector (namespace labels) or None. */
function namespacePolicy(l: Listener, namespace: string, res: EdgeResources): (ns: string) => boolean {
  const policy = l.allowedRoutes?.namespaces;
  switch (policy?.from ?? 'Same') {
    case 'All':
      return () => true;
    case 'Selector': {
      const selector = selectorFromLabelSelector(policy?.selector);
      return (ns) => matches(selector, res.namespaceLabels(ns));
    }
    case 'None':
      return () => false;
    default:
      return (ns) => ns === namespace;
  }
}
