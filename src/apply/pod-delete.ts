import type Dockerode from 'dockerode';
import type { ObservedPod } from '../plan/observed.js';
import type { LifecycleHandler } from '../model/types.js';
import { dockerError, isNotFound } from './docker.js';
import { L } from './labels.js';
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
}

/**
 * Graceful deletion as the kubelet does it: preStop hooks, then SIGTERM, then SIGKILL once
 * terminationGracePeriodSeconds (shared by the hooks and the stop) has passed; then the
 * sandbox and the pod's own volumes go. Containers are re-listed by label so deletion works
 * from any observation, stale or partial.
 */
export async function deletePod(ctx: PodContext, namespace: string, name: string, hooks: DeletePodHooks = {}, observed?: ObservedPod): Promise<void> {
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
  const deadline = ctx.clock.now() + grace * 1000;
  if (observed && hooks.beforeStop) await hooks.beforeStop(observed);
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
      const remaining = Math.max(0, Math.ceil((deadline - ctx.clock.now()) / 1000));
      await stopContainer(ctx, c, remaining);
    }),
  );
  // Containers that joined the sandbox's namespaces go before the sandbox that owns them:
  // removing both at once has left dockerd 20.10 counting an endpoint that no longer exists
  // ("network ... has active endpoints" forever after, until dockerd restarts).
  const sandboxes = others.filter((c) => c.Labels[L.role] === 'sandbox');
  if (observed && hooks.afterStop) await hooks.afterStop(observed);
  await Promise.all([...apps, ...others.filter((c) => c.Labels[L.role] !== 'sandbox')].map((c) => removeContainer(ctx, c)));
  await Promise.all(sandboxes.map((c) => removeContainer(ctx, c)));
  await removePodSafeMounts({ ...(ctx.safeMountRoot ? { root: ctx.safeMountRoot } : {}) }, app, namespace, name);
  await removePodVolumes(ctx, namespace, name);
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
    // 409 "removal already in progress" means someone else is finishing the job.
    if ((err as { statusCode?: number }).statusCode === 409) return;
    throw dockerError(err, `removing container ${c.Names[0]}`);
  }
}
