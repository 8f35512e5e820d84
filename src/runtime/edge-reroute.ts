import { executeEdgeAction } from '../apply/edge/execute.js';
import type { PodContext } from '../apply/pod.js';
import type { Clock } from '../model/clock.js';
import { edgeSettings } from '../model/policy.js';
import type { AnyObject, Resource } from '../model/types.js';
import type { CertificateRecord } from '../model/certificate-state.js';
import type { HashKey } from '../model/hash.js';
import type { InventoryEntry } from '../model/state.js';
import { issuedSecrets } from '../plan/certificate-secrets.js';
import type { DesiredState } from '../plan/desired.js';
import { buildDesiredState } from '../plan/desired.js';
import { compileRoutes } from '../plan/edge/compile.js';
import { planEdge, ROUTE_KINDS } from '../plan/edge/plan.js';
import { isEdgeAction } from '../plan/edge/action-text.js';
import type { EdgeAction } from '../plan/edge/actions.js';
import type { Action } from '../plan/actions.js';
import type { DockerClient } from '../apply/docker.js';
import type { ConfigWriter } from '../apply/services/config-writer.js';
import { observeEdges } from './edge.js';
import type { Logger } from './log.js';
import type { Store } from './store/index.js';
import { readLiveState } from './views/live.js';

/** Whether deleting objects of these kinds changes the app's routes. */
export function touchesRoutes(kinds: Iterable<string>): boolean {
  for (const k of kinds) if (ROUTE_KINDS.has(k) || k === 'Service' || k === 'Secret') return true;
  return false;
}

/**
 * The edge actions a deletion runs: only what routes less (a fragment written, or the edge and
 * its volume removed once no app routes there). Never a create, and never the replacement of an
 * edge that is stopped or of another layout: that delete would take every app's routes down
 * with nothing to make the edge again before the next pass.
 */
export function routesLess(a: Action): a is EdgeAction {
  return isEdgeAction(a) && (a.type === 'write-edge' || (a.type === 'delete-edge' && a.volume));
}

/**
 * What the app's routes are planned from after a deletion: its inventory, plus the Secrets of
 * its issued certificates as every pass adds them (runtime/pass), else a host served with an
 * ACME certificate would lose it (a TLS alert) until the next pass.
 */
export function appliedRoutes(inventory: readonly InventoryEntry[], certificates: readonly CertificateRecord[], hashKey: HashKey): { resources: Resource[]; desired: DesiredState } {
  const resources: Resource[] = inventory.map((e) => ({ key: e.key, object: e.object as AnyObject, source: { file: '(applied)', line: 0, column: 0 } }));
  return { resources, desired: buildDesiredState([...resources, ...issuedSecrets(resources, certificates)], { hashKey }) };
}

/**
 * After `berth delete` of an Ingress, an HTTPRoute, a Gateway or a Service they name: the app's
 * fragment on the edge is planned again from what the app now holds (its inventory, as the pass
 * would converge it) and written, so a deleted route stops being served without waiting for the
 * next apply. Only the edge's own actions run; everything else is the next pass's.
 */
export async function rerouteAfterDelete(deps: { docker: DockerClient; store: Store; clock: Clock; log: Logger; writer: ConfigWriter }, ctx: PodContext, app: string): Promise<void> {
  const state = await readLiveState(deps, { app });
  const { resources, desired } = appliedRoutes(state.inventory, deps.store.listCertificates(app), state.templateHashKey);
  const edge = edgeSettings(deps.store.getAppliedPolicy(app));
  const observed = { ...state.host, edges: await observeEdges(deps, app) };
  const compiled = compileRoutes(resources, { ports: { http: edge.httpPort, https: edge.httpsPort } });
  const step = planEdge(desired, observed, [], { edge, compiled });
  for (const a of step.actions.filter(routesLess)) {
    await executeEdgeAction(a, ctx);
    deps.log.info({ action: a.type, key: a.key }, 'edge routes updated after delete');
  }
}
