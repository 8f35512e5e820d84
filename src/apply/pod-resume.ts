import type Dockerode from 'dockerode';
import type { ContainerPlan, PodPlan } from '../plan/pod-plan.js';
import type { ImagePullFailure, ObservedPod } from '../plan/observed.js';
import { BerthError } from '../model/errors.js';
import { dockerError, isNotFound } from './docker.js';
import { ensureImage, forgetPull } from './images/index.js';
import { L } from './labels.js';
import { dockerNames } from './names.js';
import type { PodContext, PodCreated } from './pod-context.js';
import { podLabels, pullGuard } from './pod-context.js';
import type { Created } from './pod-container.js';
import { createContainer } from './pod-container.js';
import type { MountFor } from './pod-mounts.js';
import { mountResolver } from './pod-mounts.js';
import { existingVolumeNames } from './pod-volumes.js';
import type { RuntimeValues } from './downward-volume.js';
import { needsRuntimeValues, runtimeValues, uidOnly } from './downward-volume.js';

/**
 * A pod's creation after its sandbox runs, from a given init container on, and what resumes it
 * in place as the kubelet would instead of re-creating the pod:
 * - an image that cannot be had (kubelet's ErrImagePull, ErrImageNeverPull, InvalidImageName): a
 *   stand-in takes the container's place (the pause image under its name, never started, the
 *   failure in its `berth.image-pull` label), so the pod is there and says why; the planner
 *   retries the pull with back-off (plan/pod-resume.ts) and a success puts the real container in
 *   its place; an image that is not a reference at all is never retried;
 * - an init container that failed: the pod waits with it (Init:Error); under restartPolicy
 *   Always/OnFailure the planner runs it again with CrashLoopBackOff delays and, once it
 *   succeeds, the rest of the pod is created from there (Init:CrashLoopBackOff meanwhile).
 */

/** The pod's sandbox as the rest of its creation needs it. */
export interface SandboxRef {
  id: string;
  /** What the pod's containers read through the downward API that only its sandbox knows (uid, addresses). */
  fields: RuntimeValues;
  /** Settles once the sandbox runs with its volume files written: nothing of the pod starts before. */
  running?: Promise<void>;
}

/**
 * Makes sure each container's image is there; the ones that cannot be had, with why. Images are
 * pulled once per pass (ctx.pulls), so asking again for what createPod prefetched costs nothing.
 * Other failures (the engine unreachable) are the pass's and propagate.
 */
export async function imageFailures(
  ctx: PodContext,
  pod: PodPlan,
  containers: readonly ContainerPlan[],
  attemptOf: (name: string) => number = () => 1,
  o: { quiet?: boolean } = {},
): Promise<Map<string, ImagePullFailure>> {
  const out = new Map<string, ImagePullFailure>();
  await Promise.all(
    containers.map(async (c) => {
      try {
        const r = await ensureImage(ctx.docker, ctx.clock, c.image, c.pullPolicy, ctx.pulls, pullGuard(ctx));
        if (r.warning && !o.quiet) ctx.warn(pod.controller, 'ImagePullFallback', r.warning);
      } catch (err) {
        if (!(err instanceof BerthError) || err.code !== 'IMAGE_UNAVAILABLE') throw err;
        if (o.quiet) return;
        const invalid = err.data.invalidReference;
        if (invalid !== undefined) {
          out.set(c.name, invalidImageName(c.image, invalid, ctx.clock.now()));
          // The kubelet's events for a name it cannot parse: it never gets as far as a pull.
          const key = `Pod/${pod.namespace}/${pod.name}`;
          ctx.warn(key, 'InspectFailed', out.get(c.name)!.message);
          ctx.warn(key, 'Failed', 'Error: InvalidImageName');
          return;
        }
        const never = c.pullPolicy === 'Never';
        const message = never ? `Container image "${c.image}" is not present with pull policy of Never` : err.message;
        out.set(c.name, { reason: never ? 'ErrImageNeverPull' : 'ErrImagePull', image: c.image, message, attempt: attemptOf(c.name), at: ctx.clock.now() });
        // The kubelet's two events for a failed pull: the error, then the status word.
        const key = `Pod/${pod.namespace}/${pod.name}`;
        if (never) ctx.warn(key, 'ErrImageNeverPull', message);
        else ctx.warn(key, 'Failed', `Failed to pull image "${c.image}": ${err.message}`);
        ctx.warn(key, 'Failed', `Error: ${never ? 'ErrImageNeverPull' : 'ErrImagePull'}`);
      }
    }),
  );
  return out;
}

/**
 * The kubelet's InvalidImageName, in its words: it parses the name before anything else, and no
 * retry can change the outcome until the manifest names another image (plan/pod-resume.ts).
 */
export function invalidImageName(image: string, why: string, at: number): ImagePullFailure {
  return { reason: 'InvalidImageName', image, message: `Failed to apply default image tag "${image}": couldn't parse image reference "${image}": ${why}`, attempt: 1, at };
}

/**
 * Creates the init containers from index `from` on, each run to completion, then the app
 * containers; a container whose image failed gets its stand-in. Stops at an init container that
 * is refused, has no image or fails: the pod waits on it, as the kubelet's does.
 */
export async function finishPod(ctx: PodContext, pod: PodPlan, sandbox: SandboxRef, mounts: MountFor, from: number, attemptOf?: (name: string) => number): Promise<PodCreated> {
  const rest = [...pod.initContainers.slice(from), ...pod.containers];
  const failed = await imageFailures(ctx, pod, rest, attemptOf);
  if (from < pod.initContainers.length) await sandbox.running;
  for (const c of pod.initContainers.slice(from)) {
    const failure = failed.get(c.name);
    if (failure) {
      await createImageStandIn(ctx, pod, c, 'init', sandbox.id, failure);
      return { started: false };
    }
    const { container, refused } = await createContainer(ctx, pod, c, 'init', sandbox.id, sandbox.fields, mounts);
    if (refused !== undefined) return { started: false };
    if (!(await runInit(ctx, pod, c.name, container))) return { started: true };
  }
  const created = await Promise.all(
    pod.containers.map(async (c): Promise<Created> => {
      const failure = failed.get(c.name);
      if (!failure) return createContainer(ctx, pod, c, 'container', sandbox.id, sandbox.fields, mounts);
      return { container: await createImageStandIn(ctx, pod, c, 'container', sandbox.id, failure), refused: failure.message };
    }),
  );
  await sandbox.running;
  return startAll(ctx, pod, created);
}

export async function startAll(ctx: PodContext, pod: PodPlan, created: Created[]): Promise<PodCreated> {
  const ran = await Promise.all(
    created.map(async ({ container, refused }, i) => {
      if (refused !== undefined) return false;
      try {
        await container.start();
        return true;
      } catch (err) {
        if (await failedToRun(ctx, container)) return false;
        throw dockerError(err, `starting container ${pod.containers[i]!.name} of pod ${pod.namespace}/${pod.name}`);
      }
    }),
  );
  return { started: ran.some(Boolean) };
}

/**
 * The kubelet's RunContainerError: Docker created the container but could not run its process
 * (a command that is not in the image, a bad working directory), and recorded why on it
 * (State.Error). That is the container's state, shown by its pod and retried with the
 * CrashLoopBackOff delays (plan/controllers/common.ts), not an error of the pass: the rest of
 * the app goes on. The pod's event says why, as the kubelet's `Failed` does.
 */
export async function failedToRun(ctx: PodContext, container: Dockerode.Container): Promise<boolean> {
  const info = await container.inspect().catch(() => undefined);
  const error = info?.State.Error;
  const labels = info?.Config.Labels ?? {};
  if (!info || !error || info.State.Running || (labels[L.role] !== 'container' && labels[L.role] !== 'init')) return false;
  ctx.warn(`Pod/${labels[L.namespace] ?? 'default'}/${labels[L.name] ?? ''}`, 'Failed', `Error: failed to start container "${labels[L.container] ?? ''}": ${error}`);
  return true;
}

/** Runs an init container to its end: whether it succeeded. A failure is the pod's state, not an error of the pass. */
async function runInit(ctx: PodContext, pod: PodPlan, name: string, container: Dockerode.Container): Promise<boolean> {
  await container.start().catch((err: unknown) => {
    if ((err as { statusCode?: number }).statusCode === 304) return;
    throw dockerError(err, `starting init container ${name} of pod ${pod.namespace}/${pod.name}`);
  });
  const result = (await container.wait().catch((err: unknown) => {
    throw dockerError(err, `waiting for init container ${name} of pod ${pod.namespace}/${pod.name}`);
  })) as { StatusCode: number };
  if (result.StatusCode === 0) return true;
  ctx.warn(`Pod/${pod.namespace}/${pod.name}`, 'BackOff', `init container ${name} failed with exit code ${result.StatusCode}${pod.restartPolicy === 'Never' ? '' : '; it is run again after a back-off'} (see its output with: berth logs ${pod.name} -n ${pod.namespace} -c ${name})`);
  return false;
}

/** The pause image under the container's name, never started, with the failed attempt in its label. */
export async function createImageStandIn(ctx: PodContext, pod: PodPlan, c: ContainerPlan, role: 'init' | 'container', sandboxId: string, failure: ImagePullFailure): Promise<Dockerode.Container> {
  const name = role === 'init' ? dockerNames.initContainer(ctx.app, pod.namespace, pod.name, c.name) : dockerNames.container(ctx.app, pod.namespace, pod.name, c.name);
  const image = await ctx.images.sandbox();
  try {
    return await ctx.docker.api.createContainer({
      name,
      Image: image,
      Labels: { ...podLabels(ctx, pod, role), [L.container]: c.name, [L.imagePull]: JSON.stringify(failure), [L.gracePeriod]: String(pod.terminationGracePeriodSeconds) },
      HostConfig: { NetworkMode: pod.hostNetwork ? 'host' : `container:${sandboxId}`, RestartPolicy: { Name: 'no' }, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
    });
  } catch (err) {
    throw dockerError(err, `creating the stand-in of container ${c.name} of pod ${pod.namespace}/${pod.name}`);
  }
}

/** What resumes a pod in place: pull a container's image again, or run a failed init container again. */
export interface ResumeRequest {
  pod: PodPlan;
  container: string;
  step: 'pull' | 'restart-init';
}

export async function resumePod(ctx: PodContext, req: ResumeRequest, observed: ObservedPod): Promise<PodCreated> {
  const { pod } = req;
  const sandbox = observed.sandbox;
  if (!sandbox || sandbox.state !== 'running') throw new BerthError('INTERNAL', `the sandbox of pod ${pod.namespace}/${pod.name} is not running; the pod cannot be resumed`);
  const initIndex = pod.initContainers.findIndex((c) => c.name === req.container);
  const existing = (initIndex >= 0 ? observed.initContainers : observed.containers).find((c) => c.name === req.container);
  const sandboxContainer = ctx.docker.api.getContainer(sandbox.id);
  const fields = [...pod.initContainers, ...pod.containers].some(needsRuntimeValues)
    ? await runtimeValues(ctx.docker, sandboxContainer, pod.hostNetwork, dockerNames.network(ctx.app, pod.namespace))
    : uidOnly(sandbox.id);
  const ref: SandboxRef = { id: sandbox.id, fields };
  const mounts = mountResolver(ctx, pod, await existingVolumeNames(ctx, pod));
  if (req.step === 'restart-init') {
    if (initIndex < 0 || !existing) throw new BerthError('INTERNAL', `init container ${req.container} of pod ${pod.namespace}/${pod.name} is gone; the pod cannot be resumed`);
    if (!(await runInit(ctx, pod, req.container, ctx.docker.api.getContainer(existing.id)))) return { started: true };
    return finishPod(ctx, pod, ref, mounts, initIndex + 1);
  }
  const retried = [...pod.initContainers, ...pod.containers].find((c) => c.name === req.container);
  if (!retried) throw new BerthError('INTERNAL', `pod ${pod.namespace}/${pod.name} has no container ${req.container}`);
  const attemptOf = (name: string) => (name === req.container ? (existing?.imagePull?.attempt ?? 0) + 1 : 1);
  // Pulled again now (this pass may remember an earlier failure), then the stand-in makes way:
  // the name is the container's. What follows reads the outcome this pass remembers.
  forgetPull(ctx.pulls, retried.image, retried.pullPolicy);
  await imageFailures(ctx, pod, [retried], attemptOf, { quiet: true });
  if (existing) await removeStandIn(ctx, existing.id);
  if (initIndex >= 0) return finishPod(ctx, pod, ref, mounts, initIndex, attemptOf);
  const spec = retried;
  const failure = (await imageFailures(ctx, pod, [spec], attemptOf)).get(spec.name);
  if (failure) {
    await createImageStandIn(ctx, pod, spec, 'container', sandbox.id, failure);
    return { started: false };
  }
  return startAll(ctx, { ...pod, containers: [spec] }, [await createContainer(ctx, pod, spec, 'container', sandbox.id, ref.fields, mounts)]);
}

async function removeStandIn(ctx: PodContext, id: string): Promise<void> {
  try {
    await ctx.docker.api.getContainer(id).remove({ force: true });
  } catch (err) {
    if (!isNotFound(err)) throw dockerError(err, `removing the stand-in container ${id.slice(0, 12)}`);
  }
}
