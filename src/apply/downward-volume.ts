import type Dockerode from 'dockerode';
import type { RuntimeField } from '../model/downward.js';
import { podUid } from '../model/downward.js';
import type { ContainerPlan, VolumePlan } from '../plan/pod-plan.js';
import type { DockerClient } from './docker.js';
import { dockerError } from './docker.js';
import { packRootfs } from './images/rootfs.js';
import type { RootfsEntry } from './images/rootfs.js';
import { sandboxVolumePath, VOLUME_FILES_MARKER } from './names.js';

type FilesVolume = Extract<VolumePlan, { type: 'files' }>;

/**
 * downwardAPI and projected volumes laid out as the kubelet's atomic writer lays them out, so they can follow
 * a bare Pod's label and annotation changes while its containers run: the files live in
 * `..<version>/`, `..data` points there, and each name the pod sees (`labels`) is a symlink
 * into `..data`. An update writes the new version's directory first, then repoints `..data`:
 * a reader sees the old files or the new ones, never a mix.
 *
 * Docker's archive API is the only way in (berth may not run on the Docker host) and it has no
 * rename: `..data` is repointed by unlinking and linking it again in one extraction, so for that
 * instant a read can fail with ENOENT, where the kubelet's rename(2) leaves no gap. It cannot
 * delete either: the old version's directory is replaced by an empty file of its name.
 */
export async function writeDownwardVolume(sandbox: Dockerode.Container, v: FilesVolume, owner: { uid: number; gid: number }): Promise<void> {
  if (v.version === undefined) return;
  const root = sandboxVolumePath(v.name);
  const previous = await readDataVersion(sandbox, root);
  if (previous === v.version) return;
  const dir = `..${v.version}`;
  const entries: RootfsEntry[] = [{ type: 'directory', path: dir, mode: 0o755 }];
  for (const f of v.files) {
    const content = f.field === 'metadata.uid' ? Buffer.from(podUid(sandbox.id), 'utf8') : Buffer.from(f.content, 'base64');
    entries.push({ type: 'file', path: `${dir}/${f.path}`, content, mode: f.mode, uid: owner.uid, gid: owner.gid });
  }
  entries.push({ type: 'symlink', path: '..data', target: dir });
  // The names the pod sees point through ..data and stay as they are: the items (so the names)
  // only change with the pod's spec, which replaces the pod.
  if (previous === undefined) for (const top of new Set(v.files.map((f) => f.path.split('/')[0]!))) entries.push({ type: 'symlink', path: top, target: `..data/${top}` });
  else entries.push({ type: 'file', path: `..${previous}`, content: Buffer.alloc(0), mode: 0o600 });
  // A volume holding secrets is a tmpfs the sandbox keeps mounted: the marker, last, says it is
  // filled (apply/observe.ts finds one that came back empty and has it written again).
  if (v.secret) entries.push({ type: 'file', path: VOLUME_FILES_MARKER, content: Buffer.alloc(0), mode: 0o444, uid: 0, gid: 0 });
  await sandbox.putArchive(await packRootfs(entries), { path: root });
}

/** The version `..data` of a downwardAPI volume points at (the sandbox must run); undefined before the first write. */
export async function readDataVersion(sandbox: Dockerode.Container, root: string): Promise<string | undefined> {
  let res: { headers?: Record<string, string | string[] | undefined>; resume?: () => void };
  try {
    res = (await sandbox.infoArchive({ path: `${root}/..data` })) as typeof res;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw dockerError(err, `reading the downwardAPI volume of sandbox ${sandbox.id.slice(0, 12)}`);
  }
  res.resume?.();
  const header = res.headers?.['x-docker-container-path-stat'];
  if (typeof header !== 'string') return undefined;
  try {
    const stat = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { linkTarget?: string };
    const base = (stat.linkTarget ?? '').split('/').pop() ?? '';
    return base.startsWith('..') ? base.slice(2) : undefined;
  } catch {
    return undefined;
  }
}

/** The versions of a running pod's downwardAPI volumes, by volume name (apply/observe.ts). */
export async function observeDownwardVersions(docker: DockerClient, sandboxId: string, volumes: readonly string[]): Promise<Record<string, string>> {
  const sandbox = docker.api.getContainer(sandboxId);
  const out: Record<string, string> = {};
  await Promise.all(
    volumes.map(async (name) => {
      const version = await readDataVersion(sandbox, sandboxVolumePath(name));
      if (version !== undefined) out[name] = version;
    }),
  );
  return out;
}

/** The values of the fields only the running pod knows (RUNTIME_FIELDS), for its containers' env. */
export type RuntimeValues = Record<RuntimeField, string>;

/** Before the sandbox is asked (no container reads an address): the uid needs only its id. */
export function uidOnly(sandboxId: string): RuntimeValues {
  return { 'metadata.uid': podUid(sandboxId), 'status.podIP': '', 'status.podIPs': '', 'status.hostIP': '', 'status.hostIPs': '' };
}

/**
 * The pod's addresses as `get pod -o yaml` shows them: its IP on the namespace network, and the
 * host's address there (the network's gateway, runtime/views/pods.ts hostIP). On the host's
 * network the pod has the host's loopback, and the host address is the namespace network's still.
 */
export async function runtimeValues(docker: DockerClient, sandbox: Dockerode.Container, hostNetwork: boolean, namespaceNetwork: string): Promise<RuntimeValues> {
  let podIp = '127.0.0.1';
  let hostIp = '';
  try {
    const info = await sandbox.inspect();
    const net = Object.values(info.NetworkSettings.Networks ?? {})[0];
    if (!hostNetwork) podIp = net?.IPAddress ?? '';
    if (!hostNetwork) hostIp = net?.Gateway ?? '';
    else {
      const network = (await docker.api.getNetwork(namespaceNetwork).inspect().catch(() => undefined)) as Dockerode.NetworkInspectInfo | undefined;
      hostIp = network?.IPAM?.Config?.find((c) => c.Gateway)?.Gateway ?? '';
    }
  } catch (err) {
    throw dockerError(err, `reading the addresses of sandbox ${sandbox.id.slice(0, 12)}`);
  }
  // Kubernetes joins the lists with commas (one address each here: no IPv6 networks).
  return { 'metadata.uid': podUid(sandbox.id), 'status.podIP': podIp, 'status.podIPs': podIp, 'status.hostIP': hostIp, 'status.hostIPs': hostIp };
}

/** A container reading the pod's addresses (env fieldRef status.*), which only its running sandbox knows. */
export function needsRuntimeValues(c: ContainerPlan): boolean {
  return c.env.some((e) => 'fieldRef' in e && e.fieldRef !== 'metadata.uid');
}
