/**
 * HTTPRoutes attached to berth's Gateways, into the route table. A parentRef picks listeners
 * (by sectionName and port); a listener takes the route when it is accepted, allows the route's
 * kind and namespace, and its hostname intersects the route's hostnames (the more specific name
 * is the virtual host; Gateway API wildcards are suffix wildcards). Statuses follow the API:
 * `parents[]` with Accepted (NoMatchingParent, NotAllowedByListeners, NoMatchingListenerHostname,
 * UnsupportedValue) and ResolvedRefs (RefNotPermitted, InvalidKind, BackendNotFound), and each
 * listener's attachedRoutes.
 */
import type { HTTPRoute, ParentReference } from '../../model/types.js';
import type { EdgeCondition, EdgeNote, EdgeObjectStatus } from './compiled.js';
import type { GatewayResult, GatewayState, ListenerState } from './gateway-listeners.js';
import { GATEWAY_GROUP } from './gateway-listeners.js';
import { intersectHostnames, isWildcard, normalizeHost } from './hosts.js';
import type { CompiledRules } from './httproute-rules.js';
import { compileRules } from './httproute-rules.js';
import type { EdgeResources } from './resources.js';
import { namespaceOf, objectName } from './resources.js';
import type { TableBuilder } from './table.js';
import { CATCH_ALL_HOST } from './table.js';

type Parent = NonNullable<EdgeObjectStatus['parents']>[number];

const cond = (type: string, ok: boolean, reason: string, message: string): EdgeCondition => ({ type, status: ok ? 'True' : 'False', reason, message });

interface RouteContext {
  route: HTTPRoute;
  namespace: string;
  object: string;
  createdAt?: string;
  hostnames: string[];
  rules: CompiledRules;
}

export function compileHTTPRoutes(res: EdgeResources, gateways: GatewayResult, table: TableBuilder): { statuses: EdgeObjectStatus[]; notes: EdgeNote[] } {
  const statuses: EdgeObjectStatus[] = [];
  const notes: EdgeNote[] = [];
  /** Routes counted per listener, so a route attached twice (two parentRefs) counts once. */
  const counted = new Map<ListenerState, Set<string>>();
  for (const route of res.routes) {
    const namespace = namespaceOf(route);
    const object = objectName('HTTPRoute', namespace, route.metadata.name);
    const refs = (Array.isArray(route.spec?.parentRefs) ? route.spec.parentRefs : []).filter((p) => p && typeof p.name === 'string');
    const ours = refs.map((ref) => ({ ref, gateway: parentGateway(ref, namespace, gateways) })).filter((p): p is { ref: ParentReference; gateway: GatewayState } => p.gateway !== undefined);
    if (ours.length === 0) {
      statuses.push({ object, ours: false, conditions: [], hosts: [] });
      notes.push({ object, severity: 'info', reason: 'NotOurs', message: `not served by berth: ${notOursWhy(refs, namespace, gateways)}` });
      continue;
    }
    const ctx: RouteContext = {
      route,
      namespace,
      object,
      createdAt: res.createdAt(object),
      hostnames: [...new Set((Array.isArray(route.spec?.hostnames) ? route.spec.hostnames : []).filter((h) => typeof h === 'string').map(normalizeHost))],
      rules: compileRules(route, res),
    };
    const hosts = new Set<string>();
    const parents = ours.map(({ ref, gateway }) => attach(ctx, ref, gateway, table, hosts, counted));
    for (const p of parents)
      for (const c of p.conditions)
        if (c.status === 'False' || c.type === 'PartiallyInvalid') notes.push({ object, severity: 'warning', reason: 'RouteNotAccepted', message: `parent Gateway ${p.parentRef.namespace}/${p.parentRef.name}: ${c.message}` });
    const accepted = parents.find((p) => p.conditions[0]!.status === 'True') ?? parents[0]!;
    statuses.push({ object, ours: true, conditions: accepted.conditions.filter((c) => c.type !== 'PartiallyInvalid'), parents, hosts: [...hosts].sort() });
  }
  for (const [listener, routes] of counted) listener.attachedRoutes = routes.size;
  return { statuses, notes };
}

function parentGateway(ref: ParentReference, namespace: string, gateways: GatewayResult): GatewayState | undefined {
  if ((ref.kind ?? 'Gateway') !== 'Gateway' || (ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) return undefined;
  return gateways.gateways.get(`${ref.namespace ?? namespace}/${ref.name}`);
}

function notOursWhy(refs: ParentReference[], namespace: string, gateways: GatewayResult): string {
  if (refs.length === 0) return 'it has no parentRefs; attach it to a Gateway whose GatewayClass is berth\'s';
  const named = refs.map((r) => {
    const key = `${r.namespace ?? namespace}/${r.name}`;
    if ((r.kind ?? 'Gateway') !== 'Gateway') return `${String(r.kind)} ${key} (not a Gateway)`;
    return gateways.foreign.has(key) ? `Gateway ${key} (another controller's)` : `Gateway ${key} (not defined in this revision)`;
  });
  return `its parents are ${named.join(', ')}; attach it to a Gateway whose GatewayClass has controllerName berth.dev/gateway-controller`;
}

function attach(ctx: RouteContext, ref: ParentReference, gateway: GatewayState, table: TableBuilder, hosts: Set<string>, counted: Map<ListenerState, Set<string>>): Parent {
  const parentRef = { namespace: gateway.namespace, name: gateway.name, ...(ref.sectionName !== undefined ? { sectionName: ref.sectionName } : {}) };
  const resolved = ctx.rules.refs
    ? cond('ResolvedRefs', false, ctx.rules.refs.reason, `${ctx.rules.refs.messages.join('; ')} (its share of requests answers 500)`)
    : cond('ResolvedRefs', true, 'ResolvedRefs', 'every backend resolved');
  const refuse = (reason: string, message: string): Parent => ({ parentRef, conditions: [cond('Accepted', false, reason, message), resolved] });

  const selected = gateway.listeners.filter((l) => (ref.sectionName === undefined || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port));
  const which = [ref.sectionName !== undefined ? `named ${ref.sectionName}` : '', ref.port !== undefined ? `on port ${ref.port}` : ''].filter(Boolean).join(' ');
  if (selected.length === 0) return refuse('NoMatchingParent', `the Gateway has no listener${which ? ` ${which}` : ''}`);
  const accepted = selected.filter((l) => l.accepted);
  if (accepted.length === 0) return refuse('NoMatchingParent', `listener ${selected.map((l) => l.name).join(', ')} is not accepted: ${selected[0]!.conditions[0]!.message}`);
  const allowed = accepted.filter((l) => l.allowsHTTPRoute && l.allowsNamespace(ctx.namespace));
  if (allowed.length === 0) return refuse('NotAllowedByListeners', `listener ${accepted.map((l) => l.name).join(', ')} does not allow HTTPRoutes from namespace ${ctx.namespace} (allowedRoutes)`);
  const attachments = allowed
    .map((l) => ({ listener: l, hosts: effectiveHosts(l, ctx.hostnames) }))
    .filter((a) => a.hosts.length > 0);
  if (attachments.length === 0)
    return refuse('NoMatchingListenerHostname', `no hostname of the route (${ctx.hostnames.join(', ')}) intersects the listeners' (${allowed.map((l) => l.hostname ?? '*').join(', ')})`);
  const { rules } = ctx;
  if (rules.routes.length === 0 && rules.unsupported.length > 0) return refuse('UnsupportedValue', `no rule can be served: ${rules.unsupported.join('; ')}`);

  for (const b of rules.backends) table.backend(b);
  for (const { listener, hosts: names } of attachments) {
    if (!counted.has(listener)) counted.set(listener, new Set());
    counted.get(listener)!.add(ctx.object);
    for (const host of names) {
      const wildcard = isWildcard(host) ? 'suffix' : undefined;
      hosts.add(host);
      gateway.hosts.add(host);
      if (host !== CATCH_ALL_HOST) {
        table.listen(host, wildcard, listener.protocol);
        if (listener.protocol === 'https' && listener.certificate) table.certificate(host, wildcard, listener.certificate, { object: gateway.object, createdAt: gateway.createdAt, redirect: false });
      }
      for (const r of rules.routes)
        table.route(host, wildcard, { route: r.route, object: ctx.object, namespacedName: `${ctx.namespace}/${ctx.route.metadata.name}`, createdAt: ctx.createdAt, rule: r.rule, match: r.match });
    }
  }
  const conditions = [cond('Accepted', true, 'Accepted', `attached to listener ${attachments.map((a) => a.listener.name).join(', ')}`), resolved];
  if (rules.unsupported.length > 0) conditions.push(cond('PartiallyInvalid', true, 'UnsupportedValue', `rules not served: ${rules.unsupported.join('; ')}`));
  return { parentRef, conditions };
}

/** The virtual hosts a route gets through a listener; '*' (the catch-all) when neither names one. */
function effectiveHosts(l: ListenerState, hostnames: string[]): string[] {
  if (hostnames.length === 0) return [l.hostname ?? CATCH_ALL_HOST];
  const out = new Set<string>();
  for (const h of hostnames) {
    const x = intersectHostnames(l.hostname, h);
    if (typeof x === 'string') out.add(x);
  }
  return [...out];
}
