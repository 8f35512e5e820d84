import type { EdgeConfig } from '../../dataplane/edge-types.js';
import { configChecksum } from '../../dataplane/protocol.js';
import { specHash } from '../../model/hash.js';
import type { EdgeSettings } from '../../model/policy.js';
import type { Resource } from '../../model/types.js';
import type { Action } from '../actions.js';
import type { StepResult } from '../controllers/common.js';
import { emptyStep } from '../controllers/common.js';
import type { DesiredState } from '../desired.js';
import type { AppliedConfig, ObservedEdge, ObservedState } from '../observed.js';
import { endpointContext } from '../services.js';
import type { EdgeAction } from './actions.js';
import { bindEndpoints } from './bind.js';
import { bindCertificates } from './certificates.js';
import type { CompileResult } from './compiled.js';
import { edgeReadiness } from './listen.js';

/**
 * The edge, planned like the Services' proxies (plan/services.ts): pure, from the compiled route
 * table, the desired and observed state. One edge per host and port pair serves every app; this
 * app creates it when it has routes and none runs, writes its own fragment when it differs from
 * what the edge runs (by checksum: no store), and removes the edge, volume and all, when its
 * routes leave and no other app holds a host there any more. docs/ingress.md.
 */
export const EDGE_LAYOUT = 1;
/** The kinds whose objects make routes; kept (unpruned) ones go on routing, as an unpruned Service keeps its proxy. */
export const ROUTE_KINDS: ReadonlySet<string> = new Set(['Ingress', 'IngressClass', 'GatewayClass', 'Gateway', 'HTTPRoute']);

export function edgeName(edge: EdgeSettings): string {
  return `berth-edge-${edge.httpPort}-${edge.httpsPort}`;
}

export function edgeSpecHash(edge: EdgeSettings): string {
  return specHash({ layout: EDGE_LAYOUT, http: edge.httpPort, https: edge.httpsPort, address: edge.address ?? '' });
}

/** The key edge actions and events are filed under. */
export function edgeKey(name: string): string {
  return `Edge//${name}`;
}

/**
 * What routes are compiled from: the desired resources and, without --prune, the route objects
 * the revision dropped but the app still owns (orphans stay as they are until pruned).
 */
export function routeResources(desired: DesiredState, observed: ObservedState, prune: boolean): Resource[] {
  if (prune) return [...desired.resources];
  const kept = observed.inventory
    .filter((i) => ROUTE_KINDS.has(i.kind) && !desired.byKey.has(i.key))
    .map((i): Resource => ({ key: i.key, object: i.object as Resource['object'], source: { file: '(applied)', line: 0, column: 0 } }));
  return [...desired.resources, ...kept];
}

export interface EdgePlanInput {
  edge: EdgeSettings;
  compiled: CompileResult;
}

/**
 * @param pending actions planned so far in this step: pods they delete are out of every backend
 *   already, so the fragment without them is written (phase 0.7) before they stop (phase 1).
 */
export function planEdge(desired: DesiredState, observed: ObservedState, pending: readonly Action[], input: EdgePlanInput): StepResult {
  const out = emptyStep();
  const app = observed.app;
  const name = edgeName(input.edge);
  const hash = edgeSpecHash(input.edge);
  const key = edgeKey(name);
  const edges = observed.edges ?? [];
  const mine = edges.find((e) => e.name === name);
  const compiled = input.compiled.edge;
  const wanted = compiled.virtualHosts.length > 0 || compiled.catchAll !== undefined;
  const push = (a: EdgeAction) => out.actions.push(a);
  noteEvents(input.compiled, out);
  if (wanted) {
    const certificates = bindCertificates(compiled, desired.configs.secrets);
    const config = bindEndpoints(compiled, {
      app,
      endpoints: endpointContext(desired, observed, pending),
      services: desired.services,
      certificates,
      ...(mine?.config ? { serving: mine.config.serving } : {}),
    });
    const files = certificates.files;
    const plan = { name, ports: { http: input.edge.httpPort, https: input.edge.httpsPort }, ...(input.edge.address ? { address: input.edge.address } : {}), specHash: hash, layout: EDGE_LAYOUT, config, files };
    // A newer berth's edge (another app on the host upgraded first) is not replaced by this
    // older one: each would replace the other's on every pass, every app's routes down each time.
    const newer = mine !== undefined && mine.specHash !== hash && (mine.layout ?? 0) > EDGE_LAYOUT;
    if (!mine) push({ type: 'create-edge', key, edge: plan, reason: 'the app has routes and no edge runs on these ports' });
    else if (mine.state === 'exited' || mine.state === 'dead' || mine.state === 'created') push({ type: 'delete-edge', key, name, containerId: mine.containerId, volume: false, reason: `its container is ${mine.state}; replacing it` });
    else if (mine.specHash !== hash && !newer) push({ type: 'delete-edge', key, name, containerId: mine.containerId, volume: false, reason: 'its layout changed; replacing it' });
    else if (mine.config && !sameEdgeConfig(mine.config, config))
      push({ type: 'write-edge', key, name, containerId: mine.containerId, config, files, after: mine.config.generation, reason: routeChange(mine.config, config) });
    if (newer) out.events.push({ key, type: 'Warning', reason: 'EdgeNewer', message: `edge ${name} was made by a newer berth (edge layout ${mine.layout}, this berth's ${EDGE_LAYOUT}); it is kept and this app's routes are written into it: upgrade this app's berth` });
    if (mine) conflictEvents(mine, app, input.compiled, out);
    if (mine) problemEvents(mine, app, out);
    // Settled only once the edge applied the fragment and listens (plan/edge/listen.ts).
    if (mine && !out.actions.some((a) => a.key === key)) {
      const ready = edgeReadiness(mine, input.compiled, eventKey);
      out.waits.push(...ready.waits);
      out.events.push(...ready.events);
    }
  }
  for (const e of edges) {
    if (wanted && e.name === name) continue;
    // An edge this app has a fragment in but routes through no more (no routes left, or other ports).
    if (!e.config || e.config.generation === 0) continue;
    // Another app that holds a host, or waits for one this app held (a conflict), still routes
    // here: removing the edge would drop its fragment with the volume.
    const othersHold = Object.entries(e.apps ?? {}).some(([a, s]) => a !== app && (s.hosts.length > 0 || s.conflicts.length > 0));
    const empty = emptyFragment(app);
    if (e.apps !== undefined && !othersHold) push({ type: 'delete-edge', key: edgeKey(e.name), name: e.name, containerId: e.containerId, volume: true, reason: 'no app routes through it any more' });
    else if (!sameEdgeConfig(e.config, empty))
      push({ type: 'write-edge', key: edgeKey(e.name), name: e.name, containerId: e.containerId, config: empty, files: [], after: e.config.generation, reason: 'this app routes through it no more' });
  }
  return out;
}

/** The fragment of an app with no routes: it holds no host, so its hosts go free at once. */
export function emptyFragment(app: string): EdgeConfig {
  return { app, virtualHosts: [], backends: [], certificates: [] };
}

export function sameEdgeConfig(applied: AppliedConfig, config: EdgeConfig): boolean {
  return applied.checksum !== null && applied.checksum === configChecksum('edge', applied.generation, config);
}

/** `web-7d9f-x ready, web-5c2a-y out` for logs and events; else what changed in general. */
function routeChange(before: AppliedConfig, config: EdgeConfig): string {
  if (before.generation === 0) return 'first configuration';
  const after = [...new Set(config.backends.flatMap((b) => b.endpoints.filter((e) => e.ready).map((e) => e.name)))];
  const joined = after.filter((n) => !before.serving.includes(n));
  const left = before.serving.filter((n) => !after.includes(n));
  const parts = [...joined.map((n) => `${n} ready`), ...left.map((n) => `${n} out`)];
  return parts.length ? parts.join(', ') : 'routes changed';
}

/**
 * What the edge says is wrong for this app: a fragment it refused (it keeps serving the last good
 * one). A port it cannot listen on is edgeReadiness's (plan/edge/listen.ts): a wait and an event
 * on the app's route objects, where `describe` shows it.
 */
function problemEvents(edge: ObservedEdge, app: string, out: StepResult): void {
  const key = edgeKey(edge.name);
  for (const e of edge.apps?.[app]?.errors ?? []) out.events.push({ key, type: 'Warning', reason: 'EdgeRejected', message: `edge ${edge.name} refused this app's routes (${e.code}): ${e.message}; it serves the last ones it accepted` });
}

/**
 * A host another app already holds on this edge stays with that app (the edge decides, first
 * come); this app's objects that asked for it are told, on every pass until one side changes.
 */
function conflictEvents(edge: ObservedEdge, app: string, compiled: CompileResult, out: StepResult): void {
  for (const c of edge.apps?.[app]?.conflicts ?? []) {
    const objects = compiled.statuses.filter((s) => s.ours && s.hosts.includes(c.host)).map((s) => s.object);
    for (const object of objects.length ? objects : [edgeKey(edge.name)]) {
      out.events.push({ key: eventKey(object), type: 'Warning', reason: 'HostConflict', message: `host ${c.host} is held by app ${c.heldBy} on edge ${edge.name}; this app's routes for it are not served` });
    }
  }
}

/**
 * What the compiler noticed (an Ingress of another class, a route another one shadows, a backend
 * that does not resolve, a Gateway listener that cannot be programmed) becomes an event on the
 * object, as a Kubernetes controller reports it: `describe` shows it, apply and the daemon log it,
 * and a repeated one is counted, not repeated.
 */
function noteEvents(compiled: CompileResult, out: StepResult): void {
  for (const n of compiled.notes) out.events.push({ key: eventKey(n.object), type: n.severity === 'warning' ? 'Warning' : 'Normal', reason: n.reason, message: n.message });
}

/** The compiler names objects `Kind/ns/name`, or `Kind/name` when cluster-scoped; events key them `Kind//name`. */
function eventKey(object: string): string {
  const [kind, ns, name] = object.split('/');
  return name === undefined ? `${kind}//${ns}` : object;
}
