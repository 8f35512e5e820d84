import type { PodPlan } from '../plan/pod-plan.js';
import { podShape } from '../plan/pod-shape.js';
import { BerthError } from '../model/errors.js';
import { dockerError, isNotFound } from './docker.js';
import { ensureImage } from './images/index.js';
import type { PodContext, PodCreated } from './pod-context.js';
import { pullGuard } from './pod-context.js';
import { createContainer } from './pod-container.js';
import { uidOnly } from './downward-volume.js';
import { mountResolver } from './pod-mounts.js';
import { createPodVolumes } from './pod-volumes.js';
import { addressInUse, claimPodAddress, isAddressInUse, networkView } from './pod-ips.js';
import { failedToRun } from './pod-resume.js';
import { dockerNames } from './names.js';

/** Addresses tried for one pod when Docker says each is in use (a store that lost its claims). */
const ADDRESS_ATTEMPTS = 3;

/**
 * Creates a single-container pod (plan/pod-shape.ts) when it qualifies: its one container owns
 * the pod's namespaces, on the namespace network with the address claimed for the pod
 * (apply/pod-ips.ts), the network and address in the create call, then started. Undefined
 * when the pod needs a sandbox after all, with nothing made: the caller makes it the sandbox
 * way. That is also the way for a pod whose image cannot be had (its stand-in joins a sandbox,
 * and the sandbox path reports the failure) and for one whose network's pod range is full.
 */
export async function createSinglePod(ctx: PodContext, pod: PodPlan, hostExposed: boolean): Promise<PodCreated | undefined> {
  const made = await makeSinglePod(ctx, pod, hostExposed);
  // Made the sandbox way, the pod has no use for an address of the pod range: a claim it holds
  // (a pod remade under its name that now needs a sandbox, or one whose image is not to be had)
  // would otherwise stay, since its sandbox holds the pod's key on the network and
  // releaseForgotten keeps what a present pod holds.
  if (!made && ctx.podIps) ctx.podIps.book.releasePodIp(dockerNames.network(ctx.app, pod.namespace), `${pod.namespace}/${pod.name}`);
  return made;
}

async function makeSinglePod(ctx: PodContext, pod: PodPlan, hostExposed: boolean): Promise<PodCreated | undefined> {
  const ips = ctx.podIps;
  // podShape says no for a hostNetwork pod.
  if (!ips) return undefined;
  // What the pod alone decides first: a pod that needs a sandbox anyway costs no network read.
  if (podShape(pod, { hostExposed, podRange: true }).shape !== 'single') return undefined;
  const view = await networkView(ctx, ips, pod.namespace);
  if (podShape(pod, { hostExposed, podRange: view.range !== undefined }).shape !== 'single') return undefined;
  const spec = pod.containers[0]!;
  try {
    const r = await ensureImage(ctx.docker, ctx.clock, spec.image, spec.pullPolicy, ctx.pulls, pullGuard(ctx));
    if (r.warning) ctx.warn(pod.controller, 'ImagePullFallback', r.warning);
  } catch (err) {
    if (err instanceof BerthError && err.code === 'IMAGE_UNAVAILABLE') return undefined;
    throw err;
  }
  const mounts = mountResolver(ctx, pod, await createPodVolumes(ctx, pod));
  for (let attempt = 1; ; attempt++) {
    const ip = await claimPodAddress(ctx, ips, pod);
    if (ip === undefined) {
      ctx.warn(`Pod/${pod.namespace}/${pod.name}`, 'PodRangeFull', `every pod address of network ${view.name} is taken; the pod runs with a sandbox, whose address Docker assigns`);
      return undefined;
    }
    const { container, refused } = await createContainer(ctx, pod, spec, 'container', '', uidOnly(''), mounts, { network: view.name, ip });
    if (refused !== undefined) return { started: false };
    try {
      await container.start();
      return { started: true };
    } catch (err) {
      if (!isAddressInUse(err)) {
        if (await failedToRun(ctx, container)) return { started: false };
        throw dockerError(err, `starting container ${spec.name} of pod ${pod.namespace}/${pod.name}`);
      }
      // Held by a container the store did not know of: another address, a bounded number of times.
      await addressInUse(ctx, ips, pod, ip);
      await container.remove({ force: true }).catch((e: unknown) => {
        if (!isNotFound(e)) throw dockerError(e, `removing container ${spec.name} of pod ${pod.namespace}/${pod.name} after its address was refused`);
      });
      if (attempt >= ADDRESS_ATTEMPTS)
        throw new BerthError('DOCKER_ERROR', `pod ${pod.namespace}/${pod.name}: Docker refused ${attempt} addresses of network ${view.name} as already in use`, {
          pod: `${pod.namespace}/${pod.name}`,
          doing: `starting container ${spec.name} of pod ${pod.namespace}/${pod.name} on network ${view.name}`,
          hint: `containers berth does not know of hold addresses of its pod range; list them with: docker network inspect ${view.name}`,
        });
    }
  }
}
