import { BerthError } from '../../model/errors.js';
import { describeSwarmAction, planSwarm } from '../../plan/swarm/plan.js';
import { needsServiceProxy } from '../../plan/swarm/services.js';
import { executeSwarmPlan } from '../../apply/swarm/execute.js';
import { observeSwarm } from '../../apply/swarm/observe.js';
import { swarmRollouts } from './rollouts.js';
import { assertSwarmTarget } from './backend-guard.js';
import type { SwarmDeps, SwarmOutcome, SwarmRequest } from './types.js';

export type { SwarmDeps, SwarmOutcome, SwarmRequest } from './types.js';

/**
 * One pass on a Swarm: check the engine is a manager, plan the app's services against what
 * runs, make the changes, and (when asked) watch each changed service until Swarm reports its
 * update complete and every task it wants running: Swarm rolls the tasks itself, with the
 * update config the plan derived from the strategy (plan/swarm/workloads.ts).
 */
export async function convergeSwarm(deps: SwarmDeps, req: SwarmRequest): Promise<SwarmOutcome> {
  await assertSwarmTarget(deps.docker, req.app);
  const observed = await observeSwarm(deps.docker, req.app);
  const proxyImage = needsServiceProxy(req.desired.services) ? await deps.proxyImage() : 'none';
  const plan = planSwarm(req.app, req.desired, observed, proxyImage);
  const refused = plan.problems.filter((p) => !p.warning);
  if (refused.length > 0)
    // Validation refuses what the manifests alone decide (plan/swarm/check.ts); what is left
    // depends on the Swarm (a NodePort another service publishes). Nothing is changed.
    throw new BerthError('CONFLICT', `the revision cannot run on this Swarm: ${refused.map((p) => `${p.key.replace('//', '/')}: ${p.path}: ${p.message}`).join('; ')}`, { hint: 'change what the message names; nothing was changed on the Swarm' });
  const planned = plan.actions.map((a) => ({ action: a.type, key: a.key, text: describeSwarmAction(a) }));
  // A dry run (diff, `rollout status`) still reads where each service stands: one list call.
  if (req.dryRun) return { planned, results: [], ...(await swarmRollouts(deps, { ...req, waitForReady: false }, plan.services, new Set())) };
  const results = await executeSwarmPlan(deps.docker, deps.clock, plan.actions, observed);
  for (const r of results) {
    req.onAction?.(r);
    if (!r.ok) deps.log.warn({ action: r.text, err: r.error }, 'swarm action failed');
  }
  const changed = new Set(plan.actions.filter((a) => a.type === 'create-service' || a.type === 'update-service').map((a) => (a.type === 'create-service' || a.type === 'update-service' ? a.service.spec.Name : '')));
  const before = new Map(observed.services.map((o) => [o.name, o.updateStartedAt]));
  const updatedFrom = new Map(plan.actions.flatMap((a) => (a.type === 'update-service' ? [[a.service.spec.Name, before.get(a.service.spec.Name)] as const] : [])));
  const watch = await swarmRollouts(deps, req, plan.services, changed, updatedFrom);
  return { planned, results, ...watch };
}

