import type Dockerode from 'dockerode';
import type { ContainerPlan, PodPlan } from '../plan/pod-plan.js';
import type { RestartPolicy } from '../model/types.js';
import { dockerError } from './docker.js';
import { L } from './labels.js';
import { dockerNames } from './names.js';
import type { EngineSecurity } from './container-security.js';
import { dockerUser, engineSecurityFrom, needsEngineSecurity, needsImageUser, securityHostConfig, verifyProfiles, verifyRunAsNonRoot } from './container-security.js';
import { isMountRefusal } from './volumes/safe-mounts.js';
import type { PodContext } from './pod-context.js';
import { podLabels } from './pod-context.js';
import type { ContainerMounts, MountFor } from './pod-mounts.js';
import type { RuntimeValues } from './downward-volume.js';
import { podIdentity } from './pod-identity.js';

const DOCKER_RESTART: Record<RestartPolicy, string> = { Always: 'unless-stopped', OnFailure: 'on-failure', Never: 'no' };

/**
 * The namespace network and claimed address of a single-container pod's one container, which
 * owns the pod's namespaces itself (plan/pod-shape.ts) instead of joining a sandbox.
 */
export interface OwnNetwork {
  network: string;
  ip: string;
}

/** Labels, settings and network of the container that owns a single-container pod's namespaces. */
function owning(ctx: PodContext, pod: PodPlan, own: OwnNetwork) {
  const identity = podIdentity(ctx, pod);
  return {
    labels: { [L.podShape]: 'single', [L.containers]: JSON.stringify(pod.containers.map((c) => c.name)), [L.initContainers]: '[]' },
    config: identity.config,
    host: { NetworkMode: own.network, ...identity.host },
    networking: { EndpointsConfig: { [own.network]: { IPAMConfig: { IPv4Address: own.ip } } } },
  };
}

/** A container as created: `refused` when its settings cannot be honoured and it must never start. */
export interface Created {
  container: Dockerode.Container;
  refused?: string;
}

export async function createContainer(
  ctx: PodContext,
  pod: PodPlan,
  c: ContainerPlan,
  role: 'init' | 'container',
  sandboxId: string,
  fields: RuntimeValues,
  mounts: MountFor,
  own?: OwnNetwork,
): Promise<Created> {
  const name = role === 'init' ? dockerNames.initContainer(ctx.app, pod.namespace, pod.name, c.name) : dockerNames.container(ctx.app, pod.namespace, pod.name, c.name);
  const vars = new Map(c.env.map((e) => [e.name, 'value' in e ? e.value : fields[e.fieldRef]]));
  const env = [...vars].map(([k, v]) => `${k}=${v}`);
  const sc = c.securityContext;
  const imageUser = needsImageUser(sc) ? await imageUserOf(ctx, c.image) : undefined;
  const refused = verifyRunAsNonRoot(sc, imageUser) ?? (needsEngineSecurity(sc) ? verifyProfiles(sc, await engineSecurity(ctx)) : undefined);
  if (refused !== undefined) return { container: await createRefusedContainer(ctx, pod, c, role, name, sandboxId, { reason: refused, namesContainer: false }, own), refused };
  const user = dockerUser(sc, imageUser);
  const labels: Record<string, string> = {
    ...podLabels(ctx, pod, role),
    [L.container]: c.name,
    [L.gracePeriod]: String(pod.terminationGracePeriodSeconds),
  };
  if (c.lifecycle?.preStop) labels[L.preStop] = JSON.stringify(c.lifecycle.preStop);
  const probes = { readinessProbe: c.readinessProbe, livenessProbe: c.livenessProbe, startupProbe: c.startupProbe };
  if (probes.readinessProbe || probes.livenessProbe || probes.startupProbe) labels[L.probes] = JSON.stringify(probes);
  if (c.ports.length) labels[L.ports] = JSON.stringify(c.ports);
  const join = pod.hostNetwork ? 'host' : `container:${sandboxId}`;
  const owner = own ? owning(ctx, pod, own) : undefined;
  if (owner) Object.assign(labels, owner.labels);
  let resolved: ContainerMounts;
  try {
    resolved = await mounts(c, vars);
  } catch (err) {
    // A path leading out of its root is the kubelet's CreateContainerConfigError too ("subPath
    // ... must not escape the volume root"): nothing of it is mounted, the pod shows why it waits.
    if (isMountRefusal(err)) return { container: await createRefusedContainer(ctx, pod, c, role, name, sandboxId, { reason: err.message, namesContainer: true }, own), refused: err.message };
    throw err;
  }
  const { mounts: containerMounts, safe } = resolved;
  if (safe.length) labels[L.safeMounts] = JSON.stringify(safe);
  try {
    const container = await ctx.docker.api.createContainer({
      name,
      Image: c.image,
      ...(c.command ? { Entrypoint: c.command } : {}),
      ...(c.args ? { Cmd: c.args } : {}),
      Env: env,
      ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
      ...(user ? { User: user } : {}),
      ...owner?.config,
      Labels: labels,
      Tty: c.tty,
      OpenStdin: c.stdin,
      StopTimeout: pod.terminationGracePeriodSeconds,
      ...(owner ? { NetworkingConfig: owner.networking } : {}),
      HostConfig: {
        // Host namespaces only reach here when the host policy allowed them (allowHostNamespaces),
        // never for a single-container pod (plan/pod-shape.ts): it owns its namespaces.
        ...(owner
          ? owner.host
          : {
              NetworkMode: join,
              IpcMode: pod.hostIPC ? 'host' : `container:${sandboxId}`,
              ...(pod.hostPID ? { PidMode: 'host' } : pod.shareProcessNamespace ? { PidMode: `container:${sandboxId}` } : {}),
            }),
        RestartPolicy: role === 'init' ? { Name: 'no' } : { Name: DOCKER_RESTART[pod.restartPolicy] },
        Mounts: containerMounts,
        ...(c.resources.memoryLimit !== undefined ? { Memory: c.resources.memoryLimit } : {}),
        ...(c.resources.memoryRequest !== undefined ? { MemoryReservation: Math.min(c.resources.memoryRequest, c.resources.memoryLimit ?? Infinity) } : {}),
        ...(c.resources.cpuLimit !== undefined ? { NanoCpus: Math.round(c.resources.cpuLimit * 1e9) } : {}),
        // Kubernetes: cpu.shares = milliCPU * 1024 / 1000, at least 2.
        ...(c.resources.cpuRequest !== undefined ? { CpuShares: Math.max(2, Math.round(c.resources.cpuRequest * 1024)) } : {}),
        ...securityHostConfig(sc),
      },
    });
    return { container };
  } catch (err) {
    throw dockerError(err, `creating container ${c.name} of pod ${pod.namespace}/${pod.name}`);
  }
}

/**
 * kubelet's CreateContainerConfigError: the container cannot be created as asked (runAsNonRoot
 * on a root image, a profile the engine cannot enforce, a subPath or hostPath that leads out of
 * its root). What stands in its place is the pause
 * image under the container's name, never started, labelled with the reason: the pod shows why
 * it waits, the planner knows not to start it, and were anything to start it anyway, it runs
 * nothing of the image. The rest of the pod, and every other pod, goes on.
 */
async function createRefusedContainer(
  ctx: PodContext,
  pod: PodPlan,
  c: ContainerPlan,
  role: 'init' | 'container',
  name: string,
  sandboxId: string,
  refusal: { reason: string; namesContainer: boolean },
  own?: OwnNetwork,
): Promise<Dockerode.Container> {
  const { reason } = refusal;
  // The event is the pod's: it names the container, unless the reason does already (a mount's
  // says "(container c of pod ns/p)"). The label is the container's own: the reason alone.
  ctx.warn(`Pod/${pod.namespace}/${pod.name}`, 'Failed', refusal.namesContainer ? `Error: ${reason}` : `Error: ${reason} (container ${c.name})`);
  const image = await ctx.images.sandbox();
  try {
    return await ctx.docker.api.createContainer({
      name,
      Image: image,
      // The pod's grace period too: without it, deleting the pod waited out the default 30 s
      // on its other containers, whatever terminationGracePeriodSeconds said.
      // A single pod's stand-in is the pod (it carries the pod's labels and keeps its address
      // claimed), with no network: it never runs.
      Labels: { ...podLabels(ctx, pod, role), ...(own ? owning(ctx, pod, own).labels : {}), [L.container]: c.name, [L.configError]: reason, [L.gracePeriod]: String(pod.terminationGracePeriodSeconds) },
      HostConfig: { NetworkMode: own ? 'none' : pod.hostNetwork ? 'host' : `container:${sandboxId}`, RestartPolicy: { Name: 'no' }, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
    });
  } catch (err) {
    throw dockerError(err, `creating container ${c.name} of pod ${pod.namespace}/${pod.name}`);
  }
}

async function imageUserOf(ctx: PodContext, image: string): Promise<string> {
  try {
    const info = await ctx.docker.api.getImage(image).inspect();
    return info.Config?.User ?? '';
  } catch (err) {
    throw dockerError(err, `inspecting image ${image}`);
  }
}

async function engineSecurity(ctx: PodContext): Promise<EngineSecurity> {
  try {
    const info = (await ctx.docker.api.info()) as { SecurityOptions?: string[] };
    return engineSecurityFrom(info.SecurityOptions);
  } catch (err) {
    throw dockerError(err, 'reading the Docker engine\'s security options');
  }
}
