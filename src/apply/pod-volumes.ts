import type Dockerode from 'dockerode';
import type { PodPlan, VolumePlan } from '../plan/pod-plan.js';
import { dockerError, isNotFound } from './docker.js';
import { writeDownwardVolume } from './downward-volume.js';
import { packRootfs } from './images/rootfs.js';
import type { RootfsEntry } from './images/rootfs.js';
import { L, ownerLabels } from './labels.js';
import { dockerNames, sandboxVolumePath, VOLUME_FILES_MARKER } from './names.js';
import type { PodContext } from './pod-context.js';

function volumeName(app: string, pod: PodPlan, v: VolumePlan): string {
  if (v.type === 'pvc') return dockerNames.pvc(app, pod.namespace, v.handle ?? v.claim);
  if (v.type === 'hostPath') return v.path;
  return dockerNames.podVolume(app, pod.namespace, pod.name, v.name);
}

/**
 * The Docker volumes of a pod that exists, read back by label: a pod made before the volume
 * names changed (apply/names.ts) keeps its volumes under the old names.
 */
export async function existingVolumeNames(ctx: PodContext, pod: PodPlan): Promise<Map<string, string>> {
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

export async function createPodVolumes(ctx: PodContext, pod: PodPlan): Promise<Map<string, string>> {
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
          Labels: {
            ...ownerLabels(ctx.app, pod.namespace, 'Pod', pod.name, role),
            [L.controller]: pod.controller,
            [L.volume]: v.name,
            ...(v.type === 'files' && v.version !== undefined ? { [L.downwardAPI]: 'true' } : {}),
          },
          ...(driverOpts ? { Driver: 'local', DriverOpts: driverOpts } : {}),
        });
      } catch (err) {
        throw dockerError(err, `creating volume ${name}`);
      }
    }),
  );
  return names;
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
    throw dockerError(err, `writing the volume files of pod ${pod.namespace}/${pod.name}`);
  }
}

/**
 * configMap/secret files go in through the archive API (works whether berth runs on the host
 * or in a container), into the sandbox, which must be running: it holds a secret volume's tmpfs
 * mounted. Secret files are never world-readable and belong to the user the containers run as,
 * when they all agree on one; VOLUME_FILES_MARKER comes last, so a secret volume holding it
 * holds them all.
 */
export async function writeVolumeFiles(ctx: PodContext, pod: PodPlan, sandbox: Dockerode.Container, volumes: readonly VolumePlan[]): Promise<void> {
  for (const v of volumes) {
    if (v.type !== 'files') continue;
    const users = new Set(
      pod.containers.filter((c) => c.mounts.some((m) => m.volume === v.name)).map((c) => c.securityContext.runAsUser ?? 0),
    );
    const uid = users.size === 1 ? [...users][0]! : 0;
    const gid = pod.containers.find((c) => c.securityContext.supplementalGroups?.length)?.securityContext.supplementalGroups?.[0] ?? 0;
    if (v.version !== undefined) {
      await writeDownwardVolume(sandbox, v, { uid, gid });
      continue;
    }
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

export async function removePodVolumes(ctx: PodContext, namespace: string, pod: string): Promise<void> {
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
