import type Dockerode from 'dockerode';
import type { ObservedPod } from '../plan/observed.js';
import type { LifecycleHandler } from '../model/types.js';
import { dockerError, endpointIpamAddress, isNotFound } from './docker.js';
import { isPodOwner, L } from './labels.js';
import { dockerNames } from './names.js';
import { removePodSafeMounts } from './volumes/safe-mounts.js';
import type { PodContext } from './pod-context.js';
import { removePodVolumes } from './pod-volumes.js';

export interface DeletePodHooks {
  /** Runs after the pod left service endpoints and before its containers get SIGTERM (drain). */
  beforeStop?: (pod: ObservedPod) => Promise<void>;
  /**
   * Runs after the pod's containers stopped and before its sandbox (and with it its address) is
   * removed: the moment dockerd purges the host's conntrack entries of that address.
   */
  afterStop?: (pod: ObservedPod) => Promise<void>;
  /** Runs one preStop handler; exec via Docker, httpGet/tcpSocket against the pod IP. */
  runPreStop?: (containerId: string, podIp: string | undefined, handler: LifecycleHandler, timeoutMs: number) => Promise<void>;
  /** Overrides the pods' terminationGracePeriodSeconds (`berth delete --grace-period`). */
  gracePeriodSeconds?: number;
  /**
   * The pod is made again under its name in the same step (a bare Pod, a StatefulSet ordinal):
   * its claimed address stays its own (apply/pod-ips.ts), as the pod is the same pod.
   */
  keepAddress?: boolean;
}

/**
 * Graceful deletion as the kubelet does it: preStop hooks, then SIGTERM, then SIGKILL once
 * terminationGracePeriodSeconds (shared by the hooks and the stop) has passed; then the
 * sandbox and the pod's own volumes go. Containers are re-listed by label so deletion works
 * from any observation, stale or partial. Both halves, awaited: `berth delete` (kubectl delete
 * waits for the pod to be gone) and a pod past its grace period.
 */
export async function deletePod(ctx: PodContext, namespace: string, name: string, hooks: DeletePodHooks = {}, observed?: ObservedPod): Promise<void> {
  await finishPodTermination(ctx, await beginPodTermination(ctx, namespace, name, hooks, observed), hooks);
}

/** A termination whose first half ran: the pod's containers as listed then, and its grace period's end. */
export interface BegunTermination {
  namespace: string;
  name: string;
  apps: Dockerode.ContainerInfo[];
  others: Dockerode.ContainerInfo[];
  deadline: number;
  /** When this termination began: the pod's address claim is released only if made before. */
  begunAt: number;
  observed?: ObservedPod;
}

/**
 * The first half, quick: the pod leaves every endpoint and the edge (beforeStop, the drain) and
 * its grace period starts. What follows can run in the background (plan/terminating.ts).
 */
export async function beginPodTermination(ctx: PodContext, namespace: string, name: string, hooks: DeletePodHooks = {}, observed?: ObservedPod): Promise<BegunTermination> {
  const { docker, app } = ctx;
  let containers: Dockerode.ContainerInfo[];
  try {
    containers = await docker.api.listContainers({
      all: true,
      filters: { label: [`${L.managed}=true`, `${L.app}=${app}`, `${L.namespace}=${namespace}`, `${L.name}=${name}`, `${L.kind}=Pod`] },
    });
  } catch (err) {
    throw dockerError(err, `listing the containers of pod ${namespace}/${name}`);
  }
  const apps = containers.filter((c) => c.Labels[L.role] === 'container');
  const others = containers.filter((c) => c.Labels[L.role] !== 'container');
  const grace = hooks.gracePeriodSeconds ?? Math.max(0, ...apps.map((c) => Number(c.Labels[L.gracePeriod] ?? 30)));
  const begunAt = ctx.clock.now();
  const deadline = begunAt + grace * 1000;
  if (observed && hooks.beforeStop) await hooks.beforeStop(observed);
  return { namespace, name, apps, others, deadline, begunAt, ...(observed ? { observed } : {}) };
}

/** How often a termination looks whether the pod's containers have exited. */
const EXIT_POLL_MS = 250;

export interface FinishOptions {
  /** Called once every container got its stop signal (preStop hooks done): runtime/terminations.ts. */
  signalled?: () => void;
  /** Stops waiting for the deadline (the process hands the pod to another: runtime/terminations.ts). */
  signal?: AbortSignal;
}

/**
 * The second half: preStop hooks, then each container's stop signal (its image's STOPSIGNAL,
 * SIGTERM by default), then SIGKILL at the deadline for what still runs; then removal. The
 * signal is Docker's kill, which returns at once: nothing of the grace period waits on an open
 * request to dockerd, and the deadline is the store's to enforce for any process (`awaitPodTermination`).
 */
export async function finishPodTermination(ctx: PodContext, begun: BegunTermination, hooks: DeletePodHooks = {}, options: FinishOptions = {}): Promise<void> {
  const { namespace, name, apps, deadline, observed } = begun;
  const podIp = observed?.sandbox?.ip;
  await Promise.all(
    apps.map(async (c) => {
      const handler = c.State === 'running' && c.Labels[L.preStop] ? (JSON.parse(c.Labels[L.preStop]!) as LifecycleHandler) : undefined;
      if (handler && hooks.runPreStop) {
        try {
          await hooks.runPreStop(c.Id, podIp, handler, Math.max(0, deadline - ctx.clock.now()));
        } catch (err) {
          ctx.warn(`Pod/${namespace}/${name}`, 'FailedPreStopHook', `preStop hook of ${c.Labels[L.container]} failed: ${(err as Error).message}`);
        }
      }
      await signalContainer(ctx, c);
    }),
  );
  options.signalled?.();
  await untilExited(ctx, begun, deadline, options.signal);
  await removeTerminated(ctx, begun, hooks);
}

/** SIGKILL for whatever still runs, then the pod's containers, sandbox, mounts and volumes go. */
async function removeTerminated(ctx: PodContext, begun: BegunTermination, hooks: DeletePodHooks): Promise<void> {
  const { app } = ctx;
  const { namespace, name, apps, others, observed } = begun;
  await Promise.all(apps.map((c) => stopContainer(ctx, c, 0)));
  // Containers that joined the pod's network namespace go before the container that owns it:
  // removing both at once has left dockerd 20.10 counting an endpoint that no longer exists
  // ("network ... has active endpoints" forever after, until dockerd restarts). The owner is the
  // sandbox, or a single-container pod's one app container, which port-forward relays join
  // (apply/port-relay.ts): isPodOwner, not the sandbox role, says which.
  const containers = [...apps, ...others];
  if (observed && hooks.afterStop) await hooks.afterStop(observed);
  await Promise.all(containers.filter((c) => !isPodOwner(c.Labels)).map((c) => removeContainer(ctx, c)));
  await Promise.all(containers.filter((c) => isPodOwner(c.Labels)).map((c) => removeContainer(ctx, c)));
  await removePodSafeMounts({ ...(ctx.safeMountRoot ? { root: ctx.safeMountRoot } : {}) }, app, namespace, name);
  await removePodVolumes(ctx, namespace, name);
  // Last, once no container of the pod holds it: the address may go to another pod. Only the
  // claim this pod held: the removals above can take a while, and a pass may have re-created
  // the pod under its name meanwhile (a StatefulSet ordinal), whose claim (taken again, so
  // dated after this termination began) stays with it.
  if (!hooks.keepAddress && ctx.podIps) {
    const network = dockerNames.network(app, namespace);
    const ip = [...apps, ...others].filter((c) => isPodOwner(c.Labels)).map((c) => endpointIpamAddress(c, network)).find((a) => a !== undefined);
    ctx.podIps.book.releasePodIp(network, `${namespace}/${name}`, { before: begun.begunAt, ...(ip ? { ip } : {}) });
  }
}

/** Until no app container of the pod runs, or the deadline. */
async function untilExited(ctx: PodContext, pod: { namespace: string; name: string }, deadline: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    if (ctx.clock.now() >= deadline) return;
    let running: Dockerode.ContainerInfo[];
    try {
      running = await ctx.docker.api.listContainers({
        filters: { status: ['running', 'restarting', 'paused'], label: [`${L.managed}=true`, `${L.app}=${ctx.app}`, `${L.namespace}=${pod.namespace}`, `${L.name}=${pod.name}`, `${L.role}=container`] },
      });
    } catch (err) {
      throw dockerError(err, `listing the containers of pod ${pod.namespace}/${pod.name}`);
    }
    if (running.length === 0) return;
    await ctx.clock.sleep(Math.min(EXIT_POLL_MS, Math.max(0, deadline - ctx.clock.now())), signal);
  }
}

/**
 * The container's own stop signal, as `docker stop` would send it: Docker's kill with that signal
 * marks the container stopped on purpose, so no restart policy brings it back.
 */
async function signalContainer(ctx: PodContext, c: Dockerode.ContainerInfo): Promise<void> {
  if (c.State !== 'running' && c.State !== 'restarting' && c.State !== 'paused') return;
  const container = ctx.docker.api.getContainer(c.Id);
  try {
    const info = await container.inspect();
    if (!info.State.Running) return;
    // A paused process cannot handle the signal: SIGKILL at the deadline it is.
    if (info.State.Paused) return;
    await container.kill({ signal: (info.Config as { StopSignal?: string }).StopSignal || 'SIGTERM' });
  } catch (err) {
    const code = (err as { statusCode?: number }).statusCode;
    // 404: gone; 409: not running any more.
    if (code === 404 || code === 409) return;
    throw dockerError(err, `stopping container ${c.Names[0]}`);
  }
}

async function stopContainer(ctx: PodContext, c: Dockerode.ContainerInfo, seconds: number): Promise<void> {
  if (c.State !== 'running' && c.State !== 'restarting' && c.State !== 'paused') return;
  try {
    await ctx.docker.api.getContainer(c.Id).stop({ t: seconds });
  } catch (err) {
    const code = (err as { statusCode?: number }).statusCode;
    if (code === 304 || code === 404) return;
    throw dockerError(err, `stopping container ${c.Names[0]}`);
  }
}

async function removeContainer(ctx: PodContext, c: Dockerode.ContainerInfo): Promise<void> {
  try {
    // v: anonymous volumes of an image's VOLUME lines are part of the container's filesystem,
    // ephemeral as in Kubernetes; kept, every replacement would leak one. Named volumes (claims,
    // emptyDirs) are never removed by this flag.
    await ctx.docker.api.getContainer(c.Id).remove({ force: true, v: true });
  } catch (err) {
    if (isNotFound(err)) return;
    // 409 "removal already in progress": another berth process (the finisher a command left, a
    // pass adopting an overdue termination) removes it too. Returning at once would let the
    // sandbox go and the pod's name be taken again while this container still carries it.
    if ((err as { statusCode?: number }).statusCode === 409) return untilRemoved(ctx, c);
    throw dockerError(err, `removing container ${c.Names[0]}`);
  }
}

/** Waits for a removal someone else began to end (Docker answers 404 then). */
async function untilRemoved(ctx: PodContext, c: Dockerode.ContainerInfo): Promise<void> {
  for (let waited = 0; waited < REMOVAL_WAIT_MS; waited += REMOVAL_POLL_MS) {
    try {
      await ctx.docker.api.getContainer(c.Id).inspect();
    } catch (err) {
      if (isNotFound(err)) return;
      throw dockerError(err, `waiting for the removal of container ${c.Names[0]}`);
    }
    await ctx.clock.sleep(REMOVAL_POLL_MS);
  }
  throw dockerError(new Error('removal still in progress'), `waiting for the removal of container ${c.Names[0]}`);
}

const REMOVAL_POLL_MS = 100;
/** Docker removes a stopped container in well under a second; a minute means it is stuck. */
const REMOVAL_WAIT_MS = 60_000;

/**
 * A termination another process began (it exited or restarted: the store's mark says so, with
 * the deadline): nothing to run again (its preStop hooks and stop signal were that process's),
 * only the end to see to. The pod goes as soon as its containers have all exited, or at the
 * deadline with SIGKILL, as the kubelet would.
 */
export async function awaitPodTermination(ctx: PodContext, pod: ObservedPod, deadline: number, hooks: DeletePodHooks = {}, signal?: AbortSignal): Promise<void> {
  await untilExited(ctx, pod, deadline, signal);
  await deletePod(ctx, pod.namespace, pod.name, { ...hooks, gracePeriodSeconds: 0 }, pod);
}
