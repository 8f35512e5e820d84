import type { Action } from '../plan/actions.js';
import { ACTION_PHASE } from '../plan/actions.js';
import { remadePods } from '../plan/terminating.js';
import type { ObservedPod } from '../plan/observed.js';
import { delay, NETWORK_REMOVE_BACKOFF } from '../model/backoff.js';
import { staleEndpoints } from '../dataplane/keeper-plan.js';
import { BerthError } from '../model/errors.js';
import { dockerError, isNotFound } from './docker.js';
import { isOwned, L, ownerLabels } from './labels.js';
import { dockerNames } from './names.js';
import type { DeletePodHooks, PodContext, PodCreated } from './pod.js';
import { createPod, createPodContainer, deletePod, removeVolume, restoreVolumeFiles, startContainer } from './pod.js';
import { beginPodTermination, finishPodTermination } from './pod-delete.js';
import { describeAction } from '../plan/action-text.js';
import { executeServiceAction } from './services/execute.js';
import { executeEdgeAction } from './edge/execute.js';
import { isEdgeAction } from '../plan/edge/action-text.js';
import { resumePod } from './pod-resume.js';
import { createNetwork } from './network.js';

// Callers that print what a pass did (apply --dry-run, the live diff) have long read it from here.
export { describeAction };

/**
 * Actions in flight at once. dockerd does the work and serialises some of it internally;
 * measured on a 2-core host, 16 beat 8 by ~20% on a 100-pod cold apply and 32 gained nothing.
 */
const DEFAULT_CONCURRENCY = 16;

export interface ActionResult {
  action: Action;
  ok: boolean;
  error?: BerthError;
  durationMs: number;
  /**
   * create-pod, create-container: false when no container was started, every one refused as
   * CreateContainerConfigError (or the init container the pod waits on): no `Started` (or
   * `Healed`) event then.
   */
  started?: boolean;
  /** delete-pod: only begun; the rest runs in the background (ExecuteOptions.background). */
  terminating?: boolean;
}

export interface ExecuteOptions {
  ctx: PodContext;
  /** Pods as observed when the plan was made (delete hooks need their IPs, repairs their sandbox). */
  pods: readonly ObservedPod[];
  hooks?: DeletePodHooks;
  /** Docker calls in flight at once; dockerd serialises some work, more does not help. */
  concurrency?: number;
  onResult?: (result: ActionResult) => void;
  signal?: AbortSignal;
  /**
   * Where the rest of a pod's termination runs once it has begun (runtime/terminations.ts): the
   * step goes on while the grace period runs out. Absent: the step waits for the pod to be gone.
   */
  background?: (pod: { namespace: string; name: string }, rest: (signalled: () => void, signal: AbortSignal) => Promise<void>) => void;
  /** Pods (`namespace/name`) the same step makes again: deleted in full first, whatever `background` says. */
  remade?: ReadonlySet<string>;
}

/**
 * Executes a plan phase by phase (ACTION_PHASE): networks and volumes first, pod deletions
 * before creations (so a replaced pod's name is free and capacity is released first), and
 * network/volume removal last, after the containers using them are gone. A failed action does
 * not stop the others; every action ends with a typed result.
 */
export async function executePlan(actions: readonly Action[], options: ExecuteOptions): Promise<ActionResult[]> {
  const results: ActionResult[] = [];
  // A pod made again under its own name in the same step (a bare Pod, a StatefulSet ordinal)
  // is deleted before it is made, grace period and all, as the phases always ordered it.
  const remade = remadePods(actions);
  if (remade.size > 0) options = { ...options, remade };
  const phases = [...new Set(actions.map((a) => ACTION_PHASE[a.type]))].sort((a, b) => a - b);
  for (const phase of phases) {
    if (options.signal?.aborted) break;
    const batch = actions.filter((a) => ACTION_PHASE[a.type] === phase);
    await runLimited(batch, options.concurrency ?? DEFAULT_CONCURRENCY, async (action) => {
      const started = options.ctx.clock.now();
      let result: ActionResult;
      try {
        const outcome = await executeAction(action, options);
        result = {
          action,
          ok: true,
          durationMs: options.ctx.clock.now() - started,
          ...(outcome && 'started' in outcome ? { started: outcome.started } : {}),
          ...(outcome && 'terminating' in outcome ? { terminating: true } : {}),
        };
      } catch (err) {
        const error = err instanceof BerthError ? err : dockerError(err, describeAction(action));
        result = { action, ok: false, error, durationMs: options.ctx.clock.now() - started };
      }
      results.push(result);
      options.onResult?.(result);
    });
  }
  return results;
}

async function executeAction(action: Action, options: ExecuteOptions): Promise<PodCreated | { terminating: true } | void> {
  const { ctx } = options;
  switch (action.type) {
    case 'create-network':
      return createNetwork(ctx, action.namespace);
    case 'delete-network':
      return deleteNetwork(ctx, action.id, action.namespace);
    case 'create-volume':
      return createClaimVolume(ctx, action.namespace, action.claim, action.handle ?? action.claim);
    case 'delete-volume':
      return removeVolume(ctx, action.volumeName);
    case 'create-pod':
      return createPod(ctx, action.pod, { hostExposed: action.hostExposed ?? false });
    case 'delete-pod': {
      const observed = options.pods.find((p) => p.namespace === action.namespace && p.name === action.name);
      const remade = options.remade?.has(`${action.namespace}/${action.name}`) ?? false;
      const hooks = { ...options.hooks, ...(action.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: action.gracePeriodSeconds } : {}), ...(remade ? { keepAddress: true } : {}) };
      // A pod with nothing left to wait for goes at once; the others finish in the background.
      if (!options.background || action.gracePeriodSeconds === 0 || remade) return deletePod(ctx, action.namespace, action.name, hooks, observed);
      const begun = await beginPodTermination(ctx, action.namespace, action.name, hooks, observed);
      options.background(action, (signalled, signal) => finishPodTermination(ctx, begun, hooks, { signalled, signal }));
      return { terminating: true };
    }
    case 'create-container': {
      const observed = options.pods.find((p) => p.namespace === action.pod.namespace && p.name === action.pod.name);
      if (!observed) throw new BerthError('INTERNAL', `pod ${action.pod.namespace}/${action.pod.name} vanished before its container could be recreated`);
      return createPodContainer(ctx, action.pod, action.container, observed);
    }
    case 'start-container':
      return startContainer(ctx, action.containerId);
    case 'restore-volume-files': {
      const sandbox = options.pods.find((p) => p.namespace === action.pod.namespace && p.name === action.pod.name)?.sandbox;
      if (!sandbox) throw new BerthError('INTERNAL', `pod ${action.pod.namespace}/${action.pod.name} vanished before its secret volumes could be written again`);
      return restoreVolumeFiles(ctx, action.pod, sandbox.id, action.volumes);
    }
    case 'update-volume-files': {
      const sandbox = options.pods.find((p) => p.namespace === action.pod.namespace && p.name === action.pod.name)?.sandbox;
      if (!sandbox) throw new BerthError('INTERNAL', `pod ${action.pod.namespace}/${action.pod.name} vanished before its downwardAPI volumes could be updated`);
      return restoreVolumeFiles(ctx, action.pod, sandbox.id, action.volumes);
    }
    case 'manage-restarts':
      return setRestartPolicy(ctx, action.containerId, action.take);
    case 'resume-pod': {
      const observed = options.pods.find((p) => p.namespace === action.pod.namespace && p.name === action.pod.name);
      if (!observed) throw new BerthError('INTERNAL', `pod ${action.pod.namespace}/${action.pod.name} vanished before it could be resumed`);
      return resumePod(ctx, action, observed);
    }
    default:
      return isEdgeAction(action) ? executeEdgeAction(action, ctx) : executeServiceAction(action, ctx);
  }
}

/** Docker restart policy for a container's pod restartPolicy, as createPod sets it. */
const DOCKER_POLICY: Record<string, string> = { Always: 'unless-stopped', OnFailure: 'on-failure', Never: 'no' };

/**
 * Docker fails an update while a crash-looping container's process has exited but dockerd has
 * not handled the exit yet: containerd answers "cannot update a stopped container" or "container
 * not running", which dockerd wraps as "Cannot update container <id>" (its only error of that
 * step). A window of milliseconds that a crash loop hits often; the update is tried again once
 * dockerd has caught up.
 */
const UPDATE_ATTEMPTS = 5;
const UPDATE_RETRY_MS = 100;

async function setRestartPolicy(ctx: PodContext, containerId: string, take: boolean): Promise<void> {
  const container = ctx.docker.api.getContainer(containerId);
  for (let attempt = 1; ; attempt++) {
    try {
      const info = await container.inspect();
      if (!isOwned(info.Config.Labels, ctx.app)) throw new BerthError('NOT_OWNED', `container ${info.Name} is not owned by berth app ${ctx.app}`);
      const name = take ? 'no' : (DOCKER_POLICY[info.Config.Labels[L.restartPolicy] ?? 'Always'] ?? 'unless-stopped');
      await container.update({ RestartPolicy: { Name: name } });
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (attempt < UPDATE_ATTEMPTS && /Cannot update container/.test((err as Error).message ?? '')) {
        await ctx.clock.sleep(UPDATE_RETRY_MS);
        continue;
      }
      throw err instanceof BerthError ? err : dockerError(err, `updating the restart policy of container ${containerId.slice(0, 12)}`);
    }
  }
}

async function deleteNetwork(ctx: PodContext, id: string, namespace: string): Promise<void> {
  const net = ctx.docker.api.getNetwork(id);
  for (let attempt = 0; ; attempt++) {
    try {
      const info = await net.inspect();
      if (!isOwned(info.Labels, ctx.app)) throw new BerthError('NOT_OWNED', `network ${info.Name} is not owned by berth app ${ctx.app}`, { network: info.Name });
      await net.remove();
      // Its pod addresses go with it: a network made again has a subnet of its own.
      ctx.podIps?.book.releaseNetworkPodIps(info.Name);
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      // dockerd 20.10 releases the endpoints of just-removed containers asynchronously and
      // meanwhile refuses the removal with "has active endpoints"; it clears within moments.
      if (attempt < NETWORK_REMOVE_BACKOFF.retries && /active endpoints/.test(String((err as { json?: { message?: string } }).json?.message ?? (err as Error).message))) {
        // After an engine restart an endpoint may outlive its container for good: cleared here.
        await removeStaleEndpoints(ctx, id);
        await ctx.clock.sleep(delay(NETWORK_REMOVE_BACKOFF, attempt + 1));
        continue;
      }
      throw err instanceof BerthError ? err : dockerError(err, `removing the network of namespace ${namespace}`);
    }
  }
}

/**
 * Endpoints of the network whose containers are gone (dataplane/keeper-plan.ts staleEndpoints),
 * removed by a forced disconnect by name, the one way dockerd 20.10 deletes them.
 */
async function removeStaleEndpoints(ctx: PodContext, networkId: string): Promise<void> {
  const net = ctx.docker.api.getNetwork(networkId);
  const [info, containers] = await Promise.all([net.inspect() as Promise<{ Containers?: Record<string, { Name?: string }> }>, ctx.docker.api.listContainers({ all: true })]);
  const existing = new Set(containers.flatMap((c) => [c.Id, ...c.Names.map((n) => n.replace(/^\//, ''))]));
  const endpoints = Object.entries(info.Containers ?? {}).map(([key, e]) => ({ key, name: e.Name ?? '' }));
  for (const name of staleEndpoints(endpoints, existing).filter((n) => n !== '')) await net.disconnect({ Container: name, Force: true }).catch(() => undefined);
}

/** `handle`: the claim field of the name; the claim's own name unless a retained volume of an earlier claim holds that. */
async function createClaimVolume(ctx: PodContext, namespace: string, claim: string, handle: string): Promise<void> {
  const name = dockerNames.pvc(ctx.app, namespace, handle);
  try {
    const existing = await ctx.docker.api.getVolume(name).inspect();
    if (!isOwned(existing.Labels ?? undefined, ctx.app))
      throw new BerthError('NOT_OWNED', `volume ${name} exists but was not created by berth app ${ctx.app}`, { volume: name });
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err instanceof BerthError ? err : dockerError(err, `inspecting volume ${name}`);
  }
  try {
    await ctx.docker.api.createVolume({ Name: name, Labels: { ...ownerLabels(ctx.app, namespace, 'PersistentVolumeClaim', claim, 'pvc'), [L.controller]: `PersistentVolumeClaim/${namespace}/${claim}` } });
  } catch (err) {
    throw dockerError(err, `creating volume ${name}`);
  }
}

async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
