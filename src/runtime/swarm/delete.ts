import type { AnyObject, Resource } from '../../model/types.js';
import type { DeletePlan } from '../../plan/delete.js';
import type { StoreChange } from '../../plan/store-changes.js';
import type { SwarmBackend } from '../compose.js';
import { commitChanges } from '../commit.js';
import type { DockerClient } from '../../apply/docker.js';
import type { Clock } from '../../model/clock.js';
import type { BerthError } from '../../model/errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import { convergeOnSwarm } from './pass.js';

/**
 * `berth delete` on a Swarm: the store forgets the targets (the plan's changes, as on one host),
 * then the app's remaining objects are converged there, which removes the targets' services,
 * configs and networks as a pass removes what a revision dropped. Swarm stops the tasks with
 * their grace periods itself. A removal that fails is retried by the next pass, which still
 * finds the Swarm object without an inventory entry.
 */
export async function deleteOnSwarm(
  deps: { docker: DockerClient; store: Store; clock: Clock; log: Logger },
  req: { app: string; verify: boolean; signal?: AbortSignal },
  plan: DeletePlan,
  backend: SwarmBackend,
): Promise<{ targets: Array<{ target: DeletePlan['targets'][number]['target']; key: string; found: boolean; ok: boolean; errors: BerthError[] }>; leftovers: string[]; otherErrors: BerthError[] }> {
  const changes = plan.changes.map(({ onSuccessOf: _, ...c }) => c as StoreChange);
  commitChanges(deps.store, req.app, changes);
  const resources: Resource[] = deps.store.getInventory(req.app).map((e) => ({ key: e.key, object: e.object as AnyObject, source: { file: '(applied)', line: 0, column: 0 } }));
  const result = await convergeOnSwarm(deps, { app: req.app, waitForReady: req.verify, timeoutMs: 5 * 60_000, ...(req.signal ? { signal: req.signal } : {}) }, resources, backend);
  const failed = result.swarm.results.filter((r) => !r.ok);
  const targets = plan.targets.map((t) => {
    const errors = failed.filter((r) => r.action.key === t.key || r.action.key.startsWith(`${t.key}/`)).flatMap((r) => (r.error ? [r.error] : []));
    return { target: t.target, key: t.key, found: t.found, ok: t.found && errors.length === 0, errors };
  });
  const served = new Set(targets.flatMap((t) => t.errors));
  return { targets, leftovers: [], otherErrors: failed.flatMap((r) => (r.error && !served.has(r.error) ? [r.error] : [])) };
}
