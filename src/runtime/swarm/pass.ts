import type { Resource } from '../../model/types.js';
import type { Problem } from '../../model/problem.js';
import type { HashKey } from '../../model/hash.js';
import type { DesiredState } from '../../plan/desired.js';
import { buildDesiredState } from '../../plan/desired.js';
import { swarmProblems } from '../../plan/swarm/check.js';
import type { DockerClient } from '../../apply/docker.js';
import type { Clock } from '../../model/clock.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { SwarmBackend } from '../compose.js';
import { appHashKeys } from '../host-key.js';
import type { ProgressEvent } from '../pass/reconcile.js';
import type { SwarmOutcome } from './converge.js';
import { convergeSwarm } from './converge.js';
import type { RolloutContext } from '../../plan/rollouts/effective.js';
import { effectiveDesired } from '../../plan/rollouts/effective.js';
import { rolloutProgress } from '../../plan/rollouts/progress.js';
import type { Divergence } from '../../plan/rollouts/state.js';
import { swarmRolloutFailures, swarmWorkloadStatuses } from '../../plan/swarm/rollout-status.js';
import { deploymentKeys, logRolloutEvents, readRolloutState } from '../rollout-state.js';
import { commitChanges } from '../commit.js';

/** Validation's answer with what Swarm cannot run added to its problems (plan/swarm/check.ts). */
export function withSwarmProblems<V extends { resources: Resource[]; problems: Problem[] }>(validated: V, app: string, hashKey: HashKey): V {
  const desired = buildDesiredState(validated.resources, { hashKey });
  const extra = swarmProblems(app, desired);
  return extra.length ? { ...validated, problems: [...validated.problems, ...extra] } : validated;
}

interface Deps {
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
}

interface Request {
  app: string;
  dryRun?: boolean;
  waitForReady: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  extraResources?: readonly Resource[];
}

/**
 * The converge step of a pass (runtime/pass/index.ts) when the app runs on a Swarm: the same
 * desired state, then the Swarm's executor and observer instead of the host's. No host node is
 * read: placement is the Swarm's, from the constraints the plan derived.
 */
export async function convergeOnSwarm(
  deps: Deps,
  req: Request,
  resources: readonly Resource[],
  backend: SwarmBackend,
  rollouts: RolloutContext = { sourceRevision: 'live' },
): Promise<{ desired: DesiredState; swarm: SwarmOutcome; ok: boolean; rolloutsFailed: string[]; divergences: Divergence[] }> {
  const all = req.extraResources?.length ? [...resources, ...req.extraResources] : resources;
  const base = buildDesiredState(all, { hashKey: appHashKeys(deps.store, req.app).template });
  // Undo pins, restart stamps, pauses and failed templates decide what runs, as on one host.
  const state = readRolloutState(deps.store, req.app, deploymentKeys(base));
  const effective = effectiveDesired(base, state, rollouts);
  const desired = effective.desired;
  const swarm = await convergeSwarm(
    { docker: deps.docker, clock: deps.clock, log: deps.log, proxyImage: backend.proxyImage },
    {
      app: req.app,
      desired,
      waitForReady: req.waitForReady,
      timeoutMs: req.timeoutMs,
      ...(req.dryRun ? { dryRun: true } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
      onAction: (r) => req.onProgress?.({ type: 'swarm-action', ok: r.ok, text: r.text }),
      onWaiting: (waits) => req.onProgress?.({ type: 'waiting', waits }),
    },
  );
  if (!req.dryRun) {
    // Rollout history from what Swarm reports, and a template Swarm rolled back marked failed.
    const progress = rolloutProgress(swarmWorkloadStatuses(swarm.statuses), desired, state, { ...rollouts, now: deps.clock.now(), divergences: effective.divergences });
    const begun = new Set(progress.changes.flatMap((c) => (c.type === 'begin-rollout' ? [c.deployment] : [])));
    const failures = swarmRolloutFailures(swarm.rolloutsFailed, desired, state, begun, rollouts.sourceRevision);
    const changes = [...effective.changes, ...progress.changes.filter((c) => !(c.type === 'finish-rollout' && swarm.rolloutsFailed.includes(c.deployment))), ...failures];
    commitChanges(deps.store, req.app, changes);
    logRolloutEvents(deps.log, changes);
  }
  const ok = swarm.results.every((r) => r.ok) && !swarm.timedOut && swarm.rolloutsFailed.length === 0;
  return { desired, swarm, ok, rolloutsFailed: swarm.rolloutsFailed, divergences: effective.divergences };
}
