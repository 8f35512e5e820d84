import type Dockerode from 'dockerode';
import type { PodPlan } from '../plan/pod-plan.js';
import type { ObservedPod } from '../plan/observed.js';
import { CLUSTER_DOMAIN } from '../plan/services.js';
import { BerthError } from '../model/errors.js';
import { dockerError } from './docker.js';
import { ensureImage } from './images/index.js';
import { L, parseJson } from './labels.js';
import { dockerNames, sandboxVolumePath } from './names.js';
import type { SafeMount } from './volumes/safe-mounts.js';
import { ensureSafeMounts, SAFE_MOUNT_ROOT } from './volumes/safe-mounts.js';
import type { PodContext, PodCreated } from './pod-context.js';
import { podLabels, pullGuard } from './pod-context.js';
import type { Created } from './pod-container.js';
import { createContainer } from './pod-container.js';
import { mountResolver, needsSafeMounts } from './pod-mounts.js';
import { createPodVolumes, existingVolumeNames, writeVolumeFiles } from './pod-volumes.js';

/**
 * Creates a pod: volumes, sandbox (owns network namespace, hostname, DNS), config files
 * written into their volumes through the archive API once the sandbox runs and before anything
 * reads them, init containers one by one to completion, then the app containers.
 */
export async function createPod(ctx: PodContext, pod: PodPlan): Promise<PodCreated> {
  const { docker, app } = ctx;
  const images = [...pod.initContainers, ...pod.containers];
  const [sandboxImage] = await Promise.all([
    ctx.images.sandbox(),
    ...images.map(async (c) => {
      const r = await ensureImage(docker, ctx.clock, c.image, c.pullPolicy, ctx.pulls, pullGuard(ctx));
      if (r.warning) ctx.warn(pod.controller, 'ImagePullFallback', r.warning);
    }),
  ]);
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
  const needsIp = [...pod.initContainers, ...pod.containers].some((c) => c.env.some((e) => 'fieldRef' in e));
  // subPath and hostPath mounts are resolved as each container is created, after the init
  // containers before it ran (they may have written the path) and once the sandbox holds the
  // pod's tmpfs volumes mounted on the host (else the path would be resolved on the empty disk
  // directory underneath).
  if (pod.initContainers.length === 0 && !needsIp && !needsSafeMounts(pod)) {
    const [created] = await Promise.all([Promise.all(pod.containers.map((c) => createContainer(ctx, pod, c, 'container', sandbox.id, '', mounts))), startSandbox]);
    return startAll(pod, created);
  }
  await startSandbox;
  const ip = pod.hostNetwork ? '127.0.0.1' : needsIp ? await sandboxIp(ctx, pod, sandbox) : '';
  for (const c of pod.initContainers) {
    const { container, refused } = await createContainer(ctx, pod, c, 'init', sandbox.id, ip, mounts);
    // The pod waits on this init container, as the kubelet's does: nothing after it is created.
    if (refused !== undefined) return { started: false };
    await container.start().catch((err: unknown) => {
      throw dockerError(err, `starting init container ${c.name} of pod ${pod.namespace}/${pod.name}`);
    });
    const result = (await container.wait()) as { StatusCode: number };
    if (result.StatusCode !== 0)
      throw new BerthError('DOCKER_ERROR', `init container ${c.name} of pod ${pod.namespace}/${pod.name} failed with exit code ${result.StatusCode}`, {
        pod: `${pod.namespace}/${pod.name}`,
        container: c.name,
        exitCode: result.StatusCode,
        hint: `see its output with: berth logs ${pod.name} -n ${pod.namespace} -c ${c.name}`,
      });
  }
  const created = await Promise.all(pod.containers.map((c) => createContainer(ctx, pod, c, 'container', sandbox.id, ip, mounts)));
  return startAll(pod, created);
}

async function startAll(pod: PodPlan, created: Created[]): Promise<PodCreated> {
  await Promise.all(
    created.map(({ container, refused }, i) =>
      refused !== undefined ? undefined : container.start().catch((err: unknown) => {
        throw dockerError(err, `starting container ${pod.containers[i]!.name} of pod ${pod.namespace}/${pod.name}`);
      }),
    ),
  );
  return { started: created.some((c) => c.refused === undefined) };
}

/** Re-creates one app container of an existing pod (it was removed by hand). */
export async function createPodContainer(ctx: PodContext, pod: PodPlan, name: string, observed: ObservedPod): Promise<PodCreated> {
  const spec = pod.containers.find((c) => c.name === name);
  if (!spec || !observed.sandbox) throw new BerthError('INTERNAL', `cannot recreate container ${name} of pod ${pod.namespace}/${pod.name}`);
  const r = await ensureImage(ctx.docker, ctx.clock, spec.image, spec.pullPolicy, ctx.pulls, pullGuard(ctx));
  if (r.warning) ctx.warn(pod.controller, 'ImagePullFallback', r.warning);
  const mounts = mountResolver(ctx, pod, await existingVolumeNames(ctx, pod));
  const { container, refused } = await createContainer(ctx, pod, spec, 'container', observed.sandbox.id, observed.sandbox.ip ?? '', mounts);
  if (refused !== undefined) return { started: false };
  await container.start().catch((err: unknown) => {
    throw dockerError(err, `starting container ${name} of pod ${pod.namespace}/${pod.name}`);
  });
  return { started: true };
}

export async function startContainer(ctx: PodContext, containerId: string): Promise<void> {
  try {
    // Its subPath/hostPath binds are gone after a reboot (tmpfs): made again, from its own
    // label, by the same safe resolution, before Docker is asked to bind them.
    const info = await ctx.docker.api.getContainer(containerId).inspect();
    await ensureSafeMounts({ docker: ctx.docker, root: ctx.safeMountRoot ?? SAFE_MOUNT_ROOT, ...(ctx.preparedRoots ? { preparedRoots: ctx.preparedRoots } : {}) }, parseJson<SafeMount[]>(info.Config.Labels[L.safeMounts]) ?? []);
    await ctx.docker.api.getContainer(containerId).start();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 304) return; // already running
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
  const dns = ctx.dns?.(pod.namespace);
  const network = pod.hostNetwork ? 'host' : dockerNames.network(ctx.app, pod.namespace);
  try {
    return await ctx.docker.api.createContainer({
      name: dockerNames.sandbox(ctx.app, pod.namespace, pod.name),
      Image: image,
      ...(pod.hostNetwork ? {} : { Hostname: pod.hostname }),
      // hostname + subdomain: the pod's FQDN `<host>.<subdomain>.<ns>.svc.<domain>` (`hostname -f`),
      // as the kubelet writes it into /etc/hosts; StatefulSet members find themselves by it.
      ...(pod.subdomain && !pod.hostNetwork ? { Domainname: `${pod.subdomain}.${pod.namespace}.svc.${CLUSTER_DOMAIN}` } : {}),
      Labels: labels,
      ExposedPorts: exposed,
      StopTimeout: 5,
      HostConfig: {
        NetworkMode: network,
        RestartPolicy: { Name: 'unless-stopped' },
        IpcMode: 'shareable',
        PortBindings: portBindings,
        ExtraHosts: pod.hostAliases.flatMap((a) => a.hostnames.map((h) => `${h}:${a.ip}`)),
        Sysctls: pod.sysctls,
        ...(dns && !pod.hostNetwork && pod.dnsPolicy !== 'Default' ? { Dns: dns.servers, DnsSearch: dns.search, DnsOptions: ['ndots:5'] } : {}),
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

async function sandboxIp(ctx: PodContext, pod: PodPlan, sandbox: Dockerode.Container): Promise<string> {
  const info = await sandbox.inspect().catch((err: unknown) => {
    throw dockerError(err, `inspecting the sandbox of pod ${pod.namespace}/${pod.name}`);
  });
  return Object.values(info.NetworkSettings.Networks ?? {})[0]?.IPAddress ?? '';
}
