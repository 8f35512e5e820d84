import type Dockerode from 'dockerode';
import type { ContainerPlan, PodPlan, VolumePlan } from '../diff/pod-plan.js';
import { expandSubPathExpr } from '../diff/pod-plan.js';
import type { ObservedPod } from '../diff/observed.js';
import type { Clock } from '../model/clock.js';
import { BerthError } from '../model/errors.js';
import type { LifecycleHandler, RestartPolicy } from '../model/types.js';
import type { DockerClient } from './docker.js';
import { dockerError, isNotFound } from './docker.js';
import type { EnsureImageResult } from './images/index.js';
import type { ImageCache } from './images/cache.js';
import { ensureImage } from './images/index.js';
import { packRootfs } from './images/rootfs.js';
import type { RootfsEntry } from './images/rootfs.js';
import { L, ownerLabels, parseJson } from './labels.js';
import { dockerNames, sandboxVolumePath, VOLUME_FILES_MARKER } from './names.js';
import type { EngineSecurity } from './container-security.js';
import { dockerUser, engineSecurityFrom, needsEngineSecurity, needsImageUser, securityHostConfig, verifyProfiles, verifyRunAsNonRoot } from './container-security.js';
import type { SafeMount } from './volumes/safe-mounts.js';
import { ensureSafeMounts, hostPathPrefix, isMountRefusal, makeSafeMount, removePodSafeMounts, SAFE_MOUNT_ROOT, safeMountTarget } from './volumes/safe-mounts.js';
import type { DataplaneState } from './services/dataplane-state.js';

export interface PodContext {
  docker: DockerClient;
  app: string;
  clock: Clock;
  /** Image pulls of this pass, so each image is pulled once however many pods use it. */
  pulls: Map<string, Promise<EnsureImageResult>>;
  /** Warnings for the event log (image pull fell back to a local copy, ...). */
  warn: (key: string, reason: string, message: string) => void;
  /** Pod DNS: search domains and servers of the namespace (services issue adds a resolver). */
  dns?: (namespace: string) => { servers: string[]; search: string[] };
  /** The app's data-plane memory (config writes, DNS addresses), from the composition root. */
  dataplane: DataplaneState;
  /** berth's own images (sandbox, data plane), made ready once per composition root. */
  images: ImageCache;
  /**
   * The host policy's hostPath prefixes, which hostPaths are resolved from (volumes/safe-mounts);
   * unknown (undefined), a hostPath is resolved from / without following any symlink.
   */
  hostPathPrefixes?: readonly string[];
  /** The host policy's allowedRegistries, which a pull from a registry on berth's host needs (images/registry-address). */
  allowedRegistries?: readonly string[];
  /** Where subPath/hostPath binds are made (SAFE_MOUNT_ROOT; tests may move it). */
  safeMountRoot?: string;
}

const pullGuard = (ctx: PodContext) => (ctx.allowedRegistries ? { allowedRegistries: ctx.allowedRegistries } : {});

/** The API takes VolumeOptions' other fields as optional; the typings do not. */
const NO_COPY = { NoCopy: true } as NonNullable<Dockerode.MountSettings['VolumeOptions']>;

const DOCKER_RESTART: Record<RestartPolicy, string> = { Always: 'unless-stopped', OnFailure: 'on-failure', Never: 'no' };

/** What creating a pod started: nothing when its containers were all refused (CreateContainerConfigError). */
export interface PodCreated {
  /** An app container of the pod was started (the pod's `Started` event says so). */
  started: boolean;
}

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
    await ensureSafeMounts({ docker: ctx.docker, root: ctx.safeMountRoot ?? SAFE_MOUNT_ROOT }, parseJson<SafeMount[]>(info.Config.Labels[L.safeMounts]) ?? []);
    await ctx.docker.api.getContainer(containerId).start();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 304) return; // already running
    throw dockerError(err, `starting container ${containerId.slice(0, 12)}`);
  }
}

function volumeName(app: string, pod: PodPlan, v: VolumePlan): string {
  if (v.type === 'pvc') return dockerNames.pvc(app, pod.namespace, v.claim);
  if (v.type === 'hostPath') return v.path;
  return dockerNames.podVolume(app, pod.namespace, pod.name, v.name);
}

/**
 * The Docker volumes of a pod that exists, read back by label: a pod made before the volume
 * names changed (apply/names.ts) keeps its volumes under the old names.
 */
async function existingVolumeNames(ctx: PodContext, pod: PodPlan): Promise<Map<string, string>> {
  const names = new Map(pod.volumes.map((v) => [v.name, volumeName(ctx.app, pod, v)]));
  let vols: Dockerode.VolumeInspectInfo[];
  try {
    vols = (await ctx.docker.api.listVolumes({ filters: { label: [`${L.managed}=true`, `${L.app}=${ctx.app}`, `${L.namespace}=${pod.namespace}`, `${L.name}=${pod.name}`, `${L.kind}=Pod`] } })).Volumes ?? [];
  } catch (err) {
    throw dockerError(err, `listing the volumes of pod ${pod.namespace}/${pod.name}`);
  }
  for (const v of vols) {
    const own = v.Labels?.[L.volume];
    const plan = pod.volumes.find((x) => x.name === own);
    if (plan && (plan.type === 'emptyDir' || plan.type === 'files')) names.set(plan.name, v.Name);
  }
  return names;
}

/** A pod whose mounts go through volumes/safe-mounts (a subPath, or any hostPath). */
function needsSafeMounts(pod: PodPlan): boolean {
  return [...pod.initContainers, ...pod.containers].some((c) => c.mounts.some((m) => m.subPath || m.subPathExpr || pod.volumes.find((v) => v.name === m.volume)?.type === 'hostPath'));
}

async function createPodVolumes(ctx: PodContext, pod: PodPlan): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await Promise.all(
    pod.volumes.map(async (v) => {
      const name = volumeName(ctx.app, pod, v);
      names.set(v.name, name);
      if (v.type !== 'emptyDir' && v.type !== 'files') return;
      const role = v.type === 'emptyDir' ? 'emptydir' : 'config';
      const driverOpts =
        v.type === 'emptyDir' && v.medium === 'memory'
          ? { type: 'tmpfs', device: 'tmpfs', o: `mode=1777${v.sizeBytes ? `,size=${v.sizeBytes}` : ''}` }
          : v.type === 'files' && v.secret
            ? // Secret files live in memory only: never written to the host's disk.
              { type: 'tmpfs', device: 'tmpfs', o: 'mode=0755' }
            : undefined;
      try {
        await ctx.docker.api.createVolume({
          Name: name,
          Labels: { ...ownerLabels(ctx.app, pod.namespace, 'Pod', pod.name, role), [L.controller]: pod.controller, [L.volume]: v.name },
          ...(driverOpts ? { Driver: 'local', DriverOpts: driverOpts } : {}),
        });
      } catch (err) {
        throw dockerError(err, `creating volume ${name}`);
      }
    }),
  );
  return names;
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

/**
 * The files of a pod's secret volumes again, into the running sandbox of an existing pod whose
 * tmpfs came back empty (apply/observe.ts finds them; the planner orders this before any of the
 * pod's containers is started or created, so their subPaths resolve against the files).
 */
export async function restoreVolumeFiles(ctx: PodContext, pod: PodPlan, sandboxId: string, volumes: readonly string[]): Promise<void> {
  const sandbox = ctx.docker.api.getContainer(sandboxId);
  try {
    await writeVolumeFiles(ctx, pod, sandbox, pod.volumes.filter((v) => volumes.includes(v.name)));
  } catch (err) {
    throw dockerError(err, `writing the secret volumes of pod ${pod.namespace}/${pod.name} again`);
  }
}

/**
 * configMap/secret files go in through the archive API (works whether berth runs on the host
 * or in a container), into the sandbox, which must be running: it holds a secret volume's tmpfs
 * mounted. Secret files are never world-readable and belong to the user the containers run as,
 * when they all agree on one; VOLUME_FILES_MARKER comes last, so a secret volume holding it
 * holds them all.
 */
async function writeVolumeFiles(ctx: PodContext, pod: PodPlan, sandbox: Dockerode.Container, volumes: readonly VolumePlan[]): Promise<void> {
  for (const v of volumes) {
    if (v.type !== 'files') continue;
    const users = new Set(
      pod.containers.filter((c) => c.mounts.some((m) => m.volume === v.name)).map((c) => c.securityContext.runAsUser ?? 0),
    );
    const uid = users.size === 1 ? [...users][0]! : 0;
    const gid = pod.containers.find((c) => c.securityContext.supplementalGroups?.length)?.securityContext.supplementalGroups?.[0] ?? 0;
    const entries: RootfsEntry[] = v.files.map((f) => ({
      type: 'file',
      path: f.path,
      content: Buffer.from(f.content, 'base64'),
      mode: v.secret ? f.mode & 0o770 : f.mode,
      uid,
      gid,
    }));
    if (v.secret) entries.push({ type: 'file', path: VOLUME_FILES_MARKER, content: Buffer.alloc(0), mode: 0o444, uid: 0, gid: 0 });
    if (entries.length === 0) continue;
    const tarball = await packRootfs(entries);
    await sandbox.putArchive(tarball, { path: sandboxVolumePath(v.name) });
  }
}

async function sandboxIp(ctx: PodContext, pod: PodPlan, sandbox: Dockerode.Container): Promise<string> {
  const info = await sandbox.inspect().catch((err: unknown) => {
    throw dockerError(err, `inspecting the sandbox of pod ${pod.namespace}/${pod.name}`);
  });
  return Object.values(info.NetworkSettings.Networks ?? {})[0]?.IPAddress ?? '';
}

interface ContainerMounts {
  mounts: Dockerode.MountSettings[];
  /** The subPath/hostPath binds made for it, kept on its label (startContainer remakes them). */
  safe: SafeMount[];
}

/** `env`: the container's environment as it is created (subPathExpr expands from it). */
type MountFor = (c: ContainerPlan, env: ReadonlyMap<string, string>) => Promise<ContainerMounts>;

/**
 * A container's mounts. Docker 20.10 has no volume sub-path mounts, so a subPath becomes a bind
 * mount; and a hostPath is one. Neither hands Docker a path inside the volume or below the
 * prefix (Docker would follow the symlinks a pod planted there, issue 11): each is resolved
 * inside its root and bound to a berth-owned path (volumes/safe-mounts.ts), when the container
 * is created.
 */
function mountResolver(ctx: PodContext, pod: PodPlan, volumes: Map<string, string>): MountFor {
  const root = ctx.safeMountRoot ?? SAFE_MOUNT_ROOT;
  return async (c, env) => {
    const mounts: Dockerode.MountSettings[] = [];
    const safe: SafeMount[] = [];
    for (const [i, m] of c.mounts.entries()) {
      const v = pod.volumes.find((x) => x.name === m.volume)!;
      const readOnly = m.readOnly || v.type === 'files' || (v.type === 'pvc' && v.readOnly);
      const where = `(container ${c.name} of pod ${pod.namespace}/${pod.name})`;
      const subPath = m.subPathExpr ? expandedSubPath(m.subPathExpr, env, `subPathExpr ${JSON.stringify(m.subPathExpr)} of volume ${JSON.stringify(v.name)} ${where}`) : m.subPath;
      if (!subPath && v.type !== 'hostPath') {
        // NoCopy: Docker fills an empty volume with what the image has at the mount path when the
        // container is created; a configMap/secret volume holds its keys and nothing else. (It
        // is empty then when its config has no keys, or still being written: containers may be
        // created while the sandbox starts.)
        mounts.push({ Type: 'volume', Source: volumes.get(v.name)!, Target: m.mountPath, ReadOnly: readOnly, ...(v.type === 'files' ? { VolumeOptions: NO_COPY } : {}) });
        continue;
      }
      const prefix = v.type === 'hostPath' && ctx.hostPathPrefixes ? hostPathPrefix(ctx.hostPathPrefixes, v.path) : undefined;
      // Validated against the policy, but this template may be older than today's policy
      // (a rollback, an undo): the mount is refused as validation would refuse it now.
      if (v.type === 'hostPath' && ctx.hostPathPrefixes && prefix === undefined)
        throw new BerthError('VOLUME_ERROR', `hostPath volume ${JSON.stringify(v.name)} ${where}: ${JSON.stringify(v.path)} is outside the paths this host's policy allows`, {
          reason: 'outside-prefixes',
          path: v.path,
          hint: 'allow it with --host-path-prefix <dir> (host policy hostPathPrefixes)',
        });
      const sm: SafeMount = {
        target: safeMountTarget(root, ctx.app, pod.namespace, pod.name, c.name, i),
        source:
          v.type === 'hostPath'
            ? {
                hostPath: v.path,
                prefix: prefix ?? null,
                ...(v.hostPathType ? { type: v.hostPathType } : {}),
                ...(subPath ? { subPath } : {}),
              }
            : { volume: volumes.get(v.name)!, subPath: subPath! },
        describe: subPath ? `subPath ${JSON.stringify(subPath)} of volume ${JSON.stringify(v.name)} ${where}` : `hostPath volume ${JSON.stringify(v.name)} ${where}`,
      };
      await makeSafeMount({ ...ctx, root }, sm);
      safe.push(sm);
      mounts.push({ Type: 'bind', Source: sm.target, Target: m.mountPath, ReadOnly: readOnly });
    }
    return { mounts, safe };
  };
}

/**
 * A subPathExpr expanded from the container's environment; one that cannot be (a variable
 * unset, a result leaving the volume) refuses the container, as the kubelet's
 * CreateContainerConfigError does, and is never mounted as the whole volume.
 */
function expandedSubPath(expr: string, env: ReadonlyMap<string, string>, describe: string): string {
  const r = expandSubPathExpr(expr, env);
  if ('error' in r) throw new BerthError('VOLUME_ERROR', `${describe} ${r.error}`, { reason: 'invalid-subpath', subPathExpr: expr });
  return r.subPath;
}

/** A container as created: `refused` when its settings cannot be honoured and it must never start. */
interface Created {
  container: Dockerode.Container;
  refused?: string;
}

async function createContainer(
  ctx: PodContext,
  pod: PodPlan,
  c: ContainerPlan,
  role: 'init' | 'container',
  sandboxId: string,
  podIp: string,
  mounts: MountFor,
): Promise<Created> {
  const name = role === 'init' ? dockerNames.initContainer(ctx.app, pod.namespace, pod.name, c.name) : dockerNames.container(ctx.app, pod.namespace, pod.name, c.name);
  const vars = new Map(c.env.map((e) => [e.name, 'value' in e ? e.value : podIp]));
  const env = [...vars].map(([k, v]) => `${k}=${v}`);
  const sc = c.securityContext;
  const imageUser = needsImageUser(sc) ? await imageUserOf(ctx, c.image) : undefined;
  const refused = verifyRunAsNonRoot(sc, imageUser) ?? (needsEngineSecurity(sc) ? verifyProfiles(sc, await engineSecurity(ctx)) : undefined);
  if (refused !== undefined) return { container: await createRefusedContainer(ctx, pod, c, role, name, sandboxId, { reason: refused, namesContainer: false }), refused };
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
  let resolved: ContainerMounts;
  try {
    resolved = await mounts(c, vars);
  } catch (err) {
    // A path leading out of its root is the kubelet's CreateContainerConfigError too ("subPath
    // ... must not escape the volume root"): nothing of it is mounted, the pod shows why it waits.
    if (isMountRefusal(err)) return { container: await createRefusedContainer(ctx, pod, c, role, name, sandboxId, { reason: err.message, namesContainer: true }), refused: err.message };
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
      Labels: labels,
      Tty: c.tty,
      OpenStdin: c.stdin,
      StopTimeout: pod.terminationGracePeriodSeconds,
      HostConfig: {
        NetworkMode: join,
        // Host namespaces only reach here when the host policy allowed them (allowHostNamespaces).
        IpcMode: pod.hostIPC ? 'host' : `container:${sandboxId}`,
        ...(pod.hostPID ? { PidMode: 'host' } : pod.shareProcessNamespace ? { PidMode: `container:${sandboxId}` } : {}),
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
      Labels: { ...podLabels(ctx, pod, role), [L.container]: c.name, [L.configError]: reason, [L.gracePeriod]: String(pod.terminationGracePeriodSeconds) },
      HostConfig: { NetworkMode: pod.hostNetwork ? 'host' : `container:${sandboxId}`, RestartPolicy: { Name: 'no' }, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
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

function podLabels(ctx: PodContext, pod: PodPlan, role: 'sandbox' | 'init' | 'container'): Record<string, string> {
  return {
    ...ownerLabels(ctx.app, pod.namespace, 'Pod', pod.name, role),
    [L.owner]: pod.owner,
    [L.controller]: pod.controller,
    [L.specHash]: pod.specHash,
    [L.podLabels]: JSON.stringify(pod.labels),
    [L.restartPolicy]: pod.restartPolicy,
  };
}

export interface DeletePodHooks {
  /** Runs after the pod left service endpoints and before its containers get SIGTERM (drain). */
  beforeStop?: (pod: ObservedPod) => Promise<void>;
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

async function removePodVolumes(ctx: PodContext, namespace: string, pod: string): Promise<void> {
  const { docker, app } = ctx;
  let vols: Dockerode.VolumeInspectInfo[];
  try {
    vols = (await docker.api.listVolumes({ filters: { label: [`${L.managed}=true`, `${L.app}=${app}`, `${L.namespace}=${namespace}`, `${L.name}=${pod}`, `${L.kind}=Pod`] } })).Volumes ?? [];
  } catch (err) {
    throw dockerError(err, `listing the volumes of pod ${namespace}/${pod}`);
  }
  await Promise.all(vols.map((v) => removeVolume(ctx, v.Name)));
}

export async function removeVolume(ctx: PodContext, name: string): Promise<void> {
  try {
    await ctx.docker.api.getVolume(name).remove();
  } catch (err) {
    if (isNotFound(err)) return;
    throw dockerError(err, `removing volume ${name}`);
  }
}
