import type Dockerode from 'dockerode';
import type { PodPlan } from '../plan/pod-plan.js';
import type { ObservedPod } from '../plan/observed.js';
import { BerthError } from '../model/errors.js';
import { dockerError } from './docker.js';
import { L, parseJson } from './labels.js';
import { dockerNames, sandboxVolumePath } from './names.js';
import type { SafeMount } from './volumes/safe-mounts.js';
import { ensureSafeMounts, SAFE_MOUNT_ROOT } from './volumes/safe-mounts.js';
import type { PodContext, PodCreated } from './pod-context.js';
import { podLabels } from './pod-context.js';
import { createContainer } from './pod-container.js';
import { createImageStandIn, failedToRun, finishPod, imageFailures } from './pod-resume.js';
import { mountResolver, needsSafeMounts } from './pod-mounts.js';
import { createPodVolumes, existingVolumeNames, writeVolumeFiles } from './pod-volumes.js';
import { needsRuntimeValues, runtimeValues, uidOnly } from './downward-volume.js';
import { podIdentity } from './pod-identity.js';
import { createSinglePod } from './pod-single.js';

/**
 * Creates a pod: volumes, sandbox (owns network namespace, hostname, DNS), config files
 * written into their volumes through the archive API once the sandbox runs and before anything
 * reads them, init containers one by one to completion, then the app containers.
 */
export async function createPod(ctx: PodContext, pod: PodPlan, o: { hostExposed?: boolean } = {}): Promise<PodCreated> {
  // One container and no sandbox when the pod qualifies (plan/pod-shape.ts).
  const single = await createSinglePod(ctx, pod, o.hostExposed ?? false);
  if (single) return single;
  const { docker, app } = ctx;
  const images = [...pod.initContainers, ...pod.containers];
  // Pulled while the sandbox is made; a failure is the container's (its stand-in says why,
  // pod-resume.ts), asked again from this pass's pulls where the container is created.
  const [sandboxImage] = await Promise.all([ctx.images.sandbox(), imageFailures(ctx, pod, images, () => 1, { quiet: true })]);
  const volumes = await createPodVolumes(ctx, pod);
  const sandbox = await createSandbox(ctx, pod, sandboxImage, volumes);
  const mounts = mountResolver(ctx, pod, volumes);
  const startSandbox = (async () => {
    try {
      await sandbox.start();
    } catch (err) {
      throw dockerError(err, `starting the sandbox of pod ${pod.namespace}/${pod.name}`);
    }
    // After the start, not before: a secret volume is a tmpfs that Docker mounts for as long as
    // a container using it runs. Written into a stopped sandbox, the files went into a tmpfs
    // mounted for that one archive call, and the sandbox then started on a fresh, empty one.
    // Every app container is started (and every subPath resolved) only after this.
    try {
      await writeVolumeFiles(ctx, pod, sandbox, pod.volumes);
    } catch (err) {
      throw dockerError(err, `writing the configMap/secret volumes of pod ${pod.namespace}/${pod.name}`);
    }
  })();
  // The pod IP is known only once the sandbox runs; most pods never ask for it, and then app
  // containers are created while the sandbox starts (they only need its id), halving the
  // critical path of a cold apply.
  const needsIp = [...pod.initContainers, ...pod.containers].some(needsRuntimeValues);
  // subPath and hostPath mounts are resolved as each container is created, after the init
  // containers before it ran (they may have written the path) and once the sandbox holds the
  // pod's tmpfs volumes mounted on the host (else the path would be resolved on the empty disk
  // directory underneath).
  if (pod.initContainers.length === 0 && !needsIp && !needsSafeMounts(pod)) {
    const [created] = await Promise.all([finishPod(ctx, pod, { id: sandbox.id, fields: uidOnly(sandbox.id), running: startSandbox }, mounts, 0), startSandbox]);
    return created;
  }
  await startSandbox;
  const fields = needsIp ? await runtimeValues(ctx.docker, sandbox, pod.hostNetwork, dockerNames.network(ctx.app, pod.namespace)) : uidOnly(sandbox.id);
  return finishPod(ctx, pod, { id: sandbox.id, fields }, mounts, 0);
}

/** Re-creates one app container of an existing pod (it was removed by hand). */
export async function createPodContainer(ctx: PodContext, pod: PodPlan, name: string, observed: ObservedPod): Promise<PodCreated> {
  const spec = pod.containers.find((c) => c.name === name);
  if (!spec || !observed.sandbox) throw new BerthError('INTERNAL', `cannot recreate container ${name} of pod ${pod.namespace}/${pod.name}`);
  const failure = (await imageFailures(ctx, pod, [spec])).get(name);
  if (failure) {
    await createImageStandIn(ctx, pod, spec, 'container', observed.sandbox.id, failure);
    return { started: false };
  }
  const mounts = mountResolver(ctx, pod, await existingVolumeNames(ctx, pod));
  const sandbox = ctx.docker.api.getContainer(observed.sandbox.id);
  const fields = needsRuntimeValues(spec) ? await runtimeValues(ctx.docker, sandbox, pod.hostNetwork, dockerNames.network(ctx.app, pod.namespace)) : uidOnly(sandbox.id);
  const { container, refused } = await createContainer(ctx, pod, spec, 'container', observed.sandbox.id, fields, mounts);
  if (refused !== undefined) return { started: false };
  try {
    await container.start();
  } catch (err) {
    if (await failedToRun(ctx, container)) return { started: false };
    throw dockerError(err, `starting container ${name} of pod ${pod.namespace}/${pod.name}`);
  }
  return { started: true };
}

export async function startContainer(ctx: PodContext, containerId: string): Promise<PodCreated> {
  try {
    // Its subPath/hostPath binds are gone after a reboot (tmpfs): made again, from its own
    // label, by the same safe resolution, before Docker is asked to bind them.
    const info = await ctx.docker.api.getContainer(containerId).inspect();
    await ensureSafeMounts({ docker: ctx.docker, root: ctx.safeMountRoot ?? SAFE_MOUNT_ROOT, ...(ctx.preparedRoots ? { preparedRoots: ctx.preparedRoots } : {}) }, parseJson<SafeMount[]>(info.Config.Labels[L.safeMounts]) ?? []);
    await ctx.docker.api.getContainer(containerId).start();
    return { started: true };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 304) return { started: true }; // already running
    if (await failedToRun(ctx, ctx.docker.api.getContainer(containerId))) return { started: false };
    throw dockerError(err, `starting container ${containerId.slice(0, 12)}`);
  }
}

async function createSandbox(ctx: PodContext, pod: PodPlan, image: string, volumes: Map<string, string>): Promise<Dockerode.Container> {
  const labels = {
    ...podLabels(ctx, pod, 'sandbox'),
    [L.containers]: JSON.stringify(pod.containers.map((c) => c.name)),
    [L.initContainers]: JSON.stringify(pod.initContainers.map((c) => c.name)),
  };
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  const exposed: Record<string, object> = {};
  for (const c of pod.containers) {
    for (const p of c.ports) {
      if (!p.hostPort) continue;
      const k = `${p.containerPort}/${p.protocol.toLowerCase()}`;
      exposed[k] = {};
      (portBindings[k] ??= []).push({ HostIp: p.hostIP ?? '', HostPort: String(p.hostPort) });
    }
  }
  const identity = podIdentity(ctx, pod);
  const network = pod.hostNetwork ? 'host' : dockerNames.network(ctx.app, pod.namespace);
  try {
    return await ctx.docker.api.createContainer({
      name: dockerNames.sandbox(ctx.app, pod.namespace, pod.name),
      Image: image,
      ...identity.config,
      Labels: labels,
      ExposedPorts: exposed,
      StopTimeout: 5,
      HostConfig: {
        NetworkMode: network,
        RestartPolicy: { Name: 'unless-stopped' },
        IpcMode: 'shareable',
        PortBindings: portBindings,
        ...identity.host,
        // configMap/secret volumes are filled through the sandbox. tmpfs emptyDirs are held
        // mounted by it too: Docker unmounts a tmpfs volume (losing its content) when the last
        // container using it stops, and a Memory emptyDir must outlive container restarts, as
        // it must be mounted on the host while a subPath in it is resolved.
        Mounts: pod.volumes
          .filter((v) => v.type === 'files' || (v.type === 'emptyDir' && v.medium === 'memory'))
          .map((v) => ({ Type: 'volume' as const, Source: volumes.get(v.name)!, Target: sandboxVolumePath(v.name) })),
      },
    });
  } catch (err) {
    throw dockerError(err, `creating the sandbox of pod ${pod.namespace}/${pod.name}`);
  }
}
