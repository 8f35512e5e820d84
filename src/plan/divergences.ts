import type { DeploymentOverride } from '../model/state.js';
import type { AnyObject, Resource } from '../model/types.js';
import type { ScaleDivergence } from './overrides.js';
import { scaleDivergences } from './overrides.js';
import type { Divergence } from './rollouts/state.js';

/** A Deployment `rollout pause` holds while its manifest does not pause it. */
export interface PauseDivergence {
  deployment: string;
  reason: 'paused';
  message: string;
}

/**
 * Every way the host runs something other than the source says on an operator's word (or after
 * a failed rollout), and that applying the same revision keeps: a pin by `rollout undo`, a
 * rollback, a count by `berth scale`, a `rollout pause`. A restart is none: its stamp is not in
 * the manifest, as kubectl's is not in the last-applied configuration Argo CD compares.
 */
export type AppDivergence = Divergence | ScaleDivergence | PauseDivergence;

/** The Deployments paused by `rollout pause`, by key. */
export function pauseOverrides(overrides: readonly DeploymentOverride[]): Set<string> {
  return new Set(overrides.filter((o) => o.kind === 'pause').map((o) => o.deployment));
}

/** A pause the manifest itself asks for (`spec.paused: true`) is the source's word: no divergence. */
export function pauseDivergences(resources: readonly Pick<Resource, 'key' | 'object'>[], paused: ReadonlySet<string>): PauseDivergence[] {
  const out: PauseDivergence[] = [];
  for (const r of resources) {
    const object = r.object as AnyObject & { spec?: { paused?: unknown } };
    if (!paused.has(r.key) || object.kind !== 'Deployment' || object.spec?.paused === true) continue;
    out.push({ deployment: r.key, reason: 'paused', message: 'paused by rollout pause (the manifest does not pause it) until rollout resume' });
  }
  return out;
}

/**
 * The one list of divergences the sync state is decided from (runtime/pass/status.ts), the
 * API's status shows and the live diff notes, so the three cannot disagree: each caller hands
 * in the rollout divergences of its effectiveDesired, the resources as applied (or applying)
 * and the overrides in force.
 */
export function appDivergences(input: {
  rollouts: readonly Divergence[];
  resources: readonly Resource[];
  /** Replica counts in force (plan/overrides.ts liftReplicaOverrides' `kept`). */
  replicas: ReadonlyMap<string, number>;
  paused: ReadonlySet<string>;
}): AppDivergence[] {
  return [...input.rollouts, ...scaleDivergences(input.resources, input.replicas), ...pauseDivergences(input.resources, input.paused)].sort(
    (a, b) => a.deployment.localeCompare(b.deployment) || a.reason.localeCompare(b.reason),
  );
}
