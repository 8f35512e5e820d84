import { dockerError } from '../../apply/docker.js';
import type { ServiceProgress } from '../../apply/swarm/observe.js';
import { listServiceProgress } from '../../apply/swarm/observe.js';
import type { DesiredSwarmService } from '../../plan/swarm/workloads.js';
import type { SwarmDeps, SwarmOutcome, SwarmRequest } from './types.js';

const POLL_MS = 1_000;
/** How long an update may take to show in Swarm's UpdateStatus before berth takes it for one with nothing to roll. */
const UPDATE_NOTICE_MS = 5_000;

/** Swarm's words for an update that went back or stopped: the rollout failed. */
const FAILED_STATES: readonly string[] = ['rollback_completed', 'rollback_paused', 'paused'];
const MOVING_STATES: readonly string[] = ['updating', 'rollback_started'];

/**
 * Watches the services a pass created or updated until Swarm says each is done: its update
 * complete (not rolled back or paused) and as many tasks running as it wants. A Deployment that
 * is still updating when its progressDeadlineSeconds passes is rolled back to its previous spec,
 * as Kubernetes' deadline marks a rollout failed and berth rolls back on one host.
 */
export async function swarmRollouts(
  deps: SwarmDeps,
  req: SwarmRequest,
  services: readonly DesiredSwarmService[],
  changed: ReadonlySet<string>,
  /** Updated services' UpdateStatus.StartedAt before the update (absent: none yet): an update counts once Swarm has begun it. */
  updatedFrom: ReadonlyMap<string, string | undefined> = new Map(),
): Promise<Pick<SwarmOutcome, 'waits' | 'timedOut' | 'rolloutsFailed' | 'statuses'>> {
  const watched = services.filter((s) => changed.has(s.spec.Name) && !('ReplicatedJob' in s.spec.Mode));
  const started = deps.clock.now();
  const deadline = started + req.timeoutMs;
  const failed = new Set<string>();
  const rolledBack = new Set<string>();
  for (;;) {
    const progress = await readProgress(deps, req.app);
    const waits: SwarmOutcome['waits'] = [];
    for (const s of watched) {
      const p = progress.get(s.spec.Name);
      if (!p) {
        waits.push({ key: s.key, kind: 'rollout', blocking: true, message: `service ${s.spec.Name} is not there yet` });
        continue;
      }
      // Swarm begins an update (and counts a new service's tasks) a moment after the call
      // returns: until then the service still looks done. A change with nothing to roll (the
      // replica count alone) never begins one, so the wait for it is short.
      const young = deps.clock.now() - started < UPDATE_NOTICE_MS;
      if (young && updatedFrom.has(s.spec.Name) && p.UpdateStatus?.StartedAt === updatedFrom.get(s.spec.Name)) {
        waits.push({ key: s.key, kind: 'rollout', blocking: true, message: 'update not begun yet' });
        continue;
      }
      const state = p.UpdateStatus?.State;
      if (state && FAILED_STATES.includes(state)) {
        failed.add(s.key);
        continue;
      }
      const running = p.ServiceStatus?.RunningTasks ?? 0;
      // A replicated service wants its replicas even before Swarm has counted them; a global one
      // wants what Swarm counts, which is 0 only before it has looked at the nodes.
      const wanted = Math.max(p.ServiceStatus?.DesiredTasks ?? 0, 'Replicated' in s.spec.Mode ? s.spec.Mode.Replicated.Replicas : young ? 1 : 0);
      if ((state && MOVING_STATES.includes(state)) || running < wanted) {
        waits.push({ key: s.key, kind: 'rollout', blocking: true, message: `${running} tasks running, ${wanted} wanted${state ? `, update ${state}` : ''}${p.UpdateStatus?.Message ? ` (${p.UpdateStatus.Message})` : ''}` });
        const deadlineSeconds = s.kind === 'Deployment' ? progressDeadline(req, s.key) : undefined;
        if (deadlineSeconds !== undefined && state === 'updating' && !rolledBack.has(s.key) && deps.clock.now() - started > deadlineSeconds * 1000) {
          rolledBack.add(s.key);
          failed.add(s.key);
          await rollBack(deps, p);
        }
      }
    }
    const open = waits.filter((w) => !failed.has(w.key));
    const statuses = services.flatMap((s) => {
      const p = progress.get(s.spec.Name);
      // A service still waited for is not complete, whatever its last update says (the one just asked for may not show yet).
      const pending = open.some((w) => w.key === s.key) && !(p?.UpdateStatus?.State && MOVING_STATES.includes(p.UpdateStatus.State));
      const updateState = pending ? 'updating' : p?.UpdateStatus?.State;
      return s.role === 'workload' && p ? [{ key: s.key, kind: s.kind, running: p.ServiceStatus?.RunningTasks ?? 0, desired: p.ServiceStatus?.DesiredTasks ?? 0, ...(updateState ? { updateState } : {}) }] : [];
    });
    if (open.length === 0 || !req.waitForReady) return { waits: open, timedOut: false, rolloutsFailed: [...failed].sort(), statuses };
    req.onWaiting?.(open);
    if (deps.clock.now() >= deadline || req.signal?.aborted) return { waits: open, timedOut: true, rolloutsFailed: [...failed].sort(), statuses };
    await deps.clock.sleep(POLL_MS, req.signal);
  }
}

function progressDeadline(req: SwarmRequest, key: string): number | undefined {
  const w = req.desired.workloads.find((x) => x.key === key);
  return w?.kind === 'Deployment' ? w.progressDeadlineSeconds : undefined;
}

async function readProgress(deps: SwarmDeps, app: string): Promise<Map<string, ServiceProgress>> {
  return new Map((await listServiceProgress(deps.docker, app)).map((s) => [s.Spec?.Name ?? '', s]));
}

async function rollBack(deps: SwarmDeps, p: ServiceProgress): Promise<void> {
  deps.log.warn({ service: p.Spec?.Name }, 'swarm update missed its progress deadline; rolling back');
  try {
    const current = await deps.docker.api.getService(p.ID).inspect();
    await deps.docker.api.getService(p.ID).update({ _query: { version: current.Version?.Index ?? p.Version?.Index, rollback: 'previous' }, _body: current.Spec } as never);
  } catch (err) {
    deps.log.warn({ service: p.Spec?.Name, err: dockerError(err, 'rolling back') }, 'rolling back failed');
  }
}
