import type Dockerode from 'dockerode';
import type { DockerState, ObservedContainer, ObservedNetwork, ObservedPod, ObservedSandbox, ObservedState, ObservedVolume } from '../plan/observed.js';
import type { Probe, RestartPolicy, StringMap } from '../model/types.js';
import type { DockerClient } from './docker.js';
import { dockerError, endpointIpamAddress } from './docker.js';
import { isPodOwner, L, ownedFilter, parseJson } from './labels.js';
import { parseDockerName, sandboxVolumePath, VOLUME_FILES_MARKER } from './names.js';
import { observeServiceContainers } from './services/observe.js';
import { observeDownwardVersions } from './downward-volume.js';

export interface ObserveOptions {
  app: string;
  /**
   * Inspect containers beyond what planning needs (exit details of stopped containers):
   * `true` inspects all (`get`, `describe`: start times, restart counts); `'probed'` only
   * those with probes, whose start time the prober needs for initialDelaySeconds.
   */
  detail?: boolean | 'probed' | ContainerDetail;
  /**
   * Look into each running sandbox for the files of its secret volumes (one HEAD per volume),
   * so a pass can write them again when the tmpfs came back empty (ObservedPod.lostVolumes).
   */
  volumeFiles?: boolean;
  /**
   * Pods (`namespace/name`) whose containers are inspected whatever the list says: those Docker
   * just reported dying. dockerd 20.10 sends `die` before its list shows the container exited
   * (measured: a list made as the event arrived still said running; the inspect, which waits for
   * the container, said exited), so a pass set off by the event would find nothing to heal.
   */
  inspectPods?: ReadonlySet<string>;
}

/**
 * Inspects, beyond what planning needs, the containers it picks: a read that shows a few pods
 * (`describe pod web-1`), or no sandbox's start time (`get pods`), inspects only those.
 */
export type ContainerDetail = (c: { role: string; namespace: string; pod: string }) => boolean;

/** Probe specs of one running container, carried in its labels so any berth process can probe it. */
export interface ContainerProbes {
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
}

export interface ObservedHost extends Omit<ObservedState, 'inventory'> {
  /** Probe specs and ports by container id, for the prober. */
  probes: Map<string, ContainerProbes & { ports: unknown[] }>;
}

/**
 * Reads everything the app owns on Docker: three list calls, plus inspects only where the
 * list lacks what planning needs (exit details of stopped containers).
 */
export async function observeDocker(docker: DockerClient, options: ObserveOptions): Promise<ObservedHost> {
  const filters = ownedFilter(options.app);
  let containers: Dockerode.ContainerInfo[];
  let networks: Dockerode.NetworkInspectInfo[];
  let volumes: Dockerode.VolumeInspectInfo[];
  try {
    [containers, networks, volumes] = await Promise.all([
      docker.api.listContainers({ all: true, filters }),
      docker.api.listNetworks({ filters }),
      docker.api.listVolumes({ filters }).then((r) => r.Volumes ?? []),
    ]);
  } catch (err) {
    throw dockerError(err, 'listing containers, networks and volumes');
  }
  const detail = options.detail;
  const picked = (c: Dockerode.ContainerInfo) => typeof detail === 'function' && detail({ role: c.Labels[L.role] ?? '', namespace: c.Labels[L.namespace] ?? 'default', pod: c.Labels[L.name] ?? '' });
  const heard = (c: Dockerode.ContainerInfo) => options.inspectPods?.has(`${c.Labels[L.namespace] ?? 'default'}/${c.Labels[L.name] ?? ''}`) === true;
  const needsInspect = containers.filter((c) => options.detail === true || picked(c) || heard(c) || (options.detail === 'probed' && c.Labels[L.probes] !== undefined) || c.State !== 'running' || c.Labels[L.role] === 'init' || (c.Labels[L.restartPolicy] ?? 'Always') !== 'Always');
  const inspected = new Map<string, Dockerode.ContainerInspectInfo>();
  await Promise.all(
    needsInspect.map(async (c) => {
      try {
        inspected.set(c.Id, await docker.api.getContainer(c.Id).inspect());
      } catch (err) {
        // Removed between list and inspect: it simply is not there any more.
        if ((err as { statusCode?: number }).statusCode !== 404) throw dockerError(err, `inspecting container ${c.Names[0]}`);
      }
    }),
  );
  const host = assemble(options.app, containers, inspected, networks, volumes);
  if (options.volumeFiles) await Promise.all([findLostVolumes(docker, host.pods, volumes), findDownwardVersions(docker, host.pods, volumes)]);
  return host;
}

/**
 * A secret volume is a tmpfs the sandbox holds mounted. Docker mounts it afresh, empty, when a
 * container using it starts after all of them had stopped: the sandbox restarted with the app
 * containers down (dockerd restarted, the host rebooted, a restart by hand). Nothing else tells:
 * the containers run again and Docker's restart policy started them without berth. So each
 * running sandbox is asked, through the archive API, for the marker written after the files.
 * Volumes are recognised by their driver options, so pods made before the marker existed (whose
 * secret volumes were always empty) are found too.
 */
async function findLostVolumes(docker: DockerClient, pods: ObservedPod[], volumes: Dockerode.VolumeInspectInfo[]): Promise<void> {
  const byPod = new Map(pods.map((p) => [p.key, p]));
  await Promise.all(
    volumes.map(async (v) => {
      const labels = v.Labels ?? {};
      const name = labels[L.volume];
      if (labels[L.role] !== 'config' || labels[L.kind] !== 'Pod' || v.Options?.type !== 'tmpfs' || !name) return;
      const pod = byPod.get(`${labels[L.namespace] ?? 'default'}/${labels[L.name] ?? ''}`);
      if (pod?.sandbox?.state !== 'running') return;
      if (await sandboxHas(docker, pod.sandbox.id, `${sandboxVolumePath(name)}/${VOLUME_FILES_MARKER}`)) return;
      (pod.lostVolumes ??= []).push(name);
      pod.lostVolumes.sort();
    }),
  );
}

/** Where the downwardAPI volumes of each running bare pod point (its files follow its metadata; other pods' cannot change). */
async function findDownwardVersions(docker: DockerClient, pods: ObservedPod[], volumes: Dockerode.VolumeInspectInfo[]): Promise<void> {
  const byPod = new Map<string, string[]>();
  for (const v of volumes) {
    const labels = v.Labels ?? {};
    const name = labels[L.volume];
    if (labels[L.downwardAPI] !== 'true' || !name) continue;
    const key = `${labels[L.namespace] ?? 'default'}/${labels[L.name] ?? ''}`;
    byPod.set(key, [...(byPod.get(key) ?? []), name]);
  }
  await Promise.all(
    pods.map(async (pod) => {
      const names = byPod.get(pod.key);
      if (!names || pod.sandbox?.state !== 'running' || pod.inPlaceHash === undefined) return;
      // Unknown when Docker cannot say (the sandbox went away meanwhile): judged by the next pass.
      const versions = await observeDownwardVersions(docker, pod.sandbox.id, names).catch(() => undefined);
      if (versions) pod.downwardVersions = versions;
    }),
  );
}

async function sandboxHas(docker: DockerClient, sandboxId: string, path: string): Promise<boolean> {
  try {
    const res = (await docker.api.getContainer(sandboxId).infoArchive({ path })) as { resume?: () => void };
    res.resume?.();
    return true;
  } catch (err) {
    // 404 is the file missing, or the sandbox removed meanwhile (then the pod is gone by the
    // next observation and the write, if planned, fails harmlessly).
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw dockerError(err, `looking for the secret volume files in sandbox ${sandboxId.slice(0, 12)}`);
  }
}

function assemble(
  app: string,
  containers: Dockerode.ContainerInfo[],
  inspected: Map<string, Dockerode.ContainerInspectInfo>,
  networks: Dockerode.NetworkInspectInfo[],
  volumes: Dockerode.VolumeInspectInfo[],
): ObservedHost {
  const pods = new Map<string, ObservedPod>();
  const probes = new Map<string, ContainerProbes & { ports: unknown[] }>();
  const podFor = (c: Dockerode.ContainerInfo): ObservedPod => {
    const ns = c.Labels[L.namespace] ?? 'default';
    const name = c.Labels[L.name] ?? '';
    const key = `${ns}/${name}`;
    let pod = pods.get(key);
    if (!pod) {
      pod = {
        namespace: ns,
        name,
        key,
        owner: c.Labels[L.owner] ?? '',
        controller: c.Labels[L.controller] ?? '',
        specHash: c.Labels[L.specHash] ?? '',
        labels: parseJson<StringMap>(c.Labels[L.podLabels]) ?? {},
        restartPolicy: (c.Labels[L.restartPolicy] as RestartPolicy | undefined) ?? 'Always',
        createdAt: c.Created * 1000,
        initContainers: [],
        containers: [],
        expectedContainers: [],
        expectedInitContainers: [],
        ready: false,
        ...(c.Labels[L.inPlaceHash] ? { inPlaceHash: c.Labels[L.inPlaceHash] } : {}),
      };
      pods.set(key, pod);
    }
    return pod;
  };
  for (const c of containers) {
    const role = c.Labels[L.role];
    if (role !== 'sandbox' && role !== 'container' && role !== 'init') continue;
    const pod = podFor(c);
    const info = inspected.get(c.Id);
    if (role === 'sandbox') {
      const ip = Object.values(c.NetworkSettings?.Networks ?? {})[0]?.IPAddress || undefined;
      const sandbox: ObservedSandbox = { id: c.Id, dockerName: dockerName(c), state: (info?.State.Status ?? c.State) as DockerState, ...(ip ? { ip } : {}) };
      const started = info ? parseTime(info.State.StartedAt) : undefined;
      if (started !== undefined) sandbox.startedAt = started;
      pod.sandbox = sandbox;
      pod.createdAt = c.Created * 1000;
      pod.expectedContainers = parseJson<string[]>(c.Labels[L.containers]) ?? [];
      pod.expectedInitContainers = parseJson<string[]>(c.Labels[L.initContainers]) ?? [];
      // The sandbox carries the pod's identity; containers may be missing.
      pod.owner = c.Labels[L.owner] ?? pod.owner;
      pod.controller = c.Labels[L.controller] ?? pod.controller;
      pod.specHash = c.Labels[L.specHash] ?? pod.specHash;
      continue;
    }
    const oc = observedContainer(c, info, role);
    (role === 'init' ? pod.initContainers : pod.containers).push(oc);
    if (role === 'container' && isPodOwner(c.Labels)) observeSingleOwner(pod, c, oc);
    if (role === 'container') {
      const grace = Number(c.Labels[L.gracePeriod]);
      if (c.Labels[L.gracePeriod] !== undefined && Number.isFinite(grace)) pod.gracePeriodSeconds = Math.max(pod.gracePeriodSeconds ?? 0, grace);
      const p = parseJson<ContainerProbes>(c.Labels[L.probes]) ?? {};
      probes.set(c.Id, { ...p, ports: parseJson<unknown[]>(c.Labels[L.ports]) ?? [] });
    }
  }
  // A pod whose sandbox is gone still shows up through its containers; it knows no expectations.
  for (const pod of pods.values()) {
    if (!pod.sandbox) {
      pod.expectedContainers = pod.containers.map((c) => c.name);
      pod.expectedInitContainers = pod.initContainers.map((c) => c.name);
    }
    pod.containers.sort((a, b) => pod.expectedContainers.indexOf(a.name) - pod.expectedContainers.indexOf(b.name));
  }
  return {
    app,
    pods: [...pods.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    networks: networks
      .map((n): ObservedNetwork => ({ namespace: n.Labels?.[L.namespace] ?? '', id: n.Id, name: n.Name, ...networkDetail(n) }))
      .filter((n) => n.namespace !== ''),
    volumes: volumes
      .map((v): ObservedVolume | undefined => {
        const role = v.Labels?.[L.role];
        if (role !== 'pvc' && role !== 'emptydir' && role !== 'config') return undefined;
        const created = parseTime((v as { CreatedAt?: string }).CreatedAt);
        const parsed = role === 'pvc' ? parseDockerName('volume', v.Name) : undefined;
        const handle = parsed?.kind === 'pvc' ? parsed.args[2] : undefined;
        return { name: v.Name, namespace: v.Labels[L.namespace] ?? 'default', role, owner: v.Labels[L.name] ?? '', labels: v.Labels, ...(created !== undefined ? { createdAt: created } : {}), ...(handle !== undefined ? { handle } : {}) };
      })
      .filter((v): v is ObservedVolume => v !== undefined),
    ...observeServiceContainers(app, containers),
    probes,
  };
}

/**
 * A single-container pod (plan/pod-shape.ts): its one container owns the pod's namespaces, so it
 * stands where a sandbox does (`pod.sandbox`, shape `single`): the pod's identity, address and
 * start come from it. Its state is the container's; a stopped one keeps the pod (and its claimed
 * address, IPAMConfig) as a stopped app container of a sandbox pod would: assessPod judges it
 * as a container, not as a missing sandbox.
 */
function observeSingleOwner(pod: ObservedPod, c: Dockerode.ContainerInfo, oc: ObservedContainer): void {
  // Its one network, the namespace network: the address it has, or (stopped) the one it was made with.
  const network = Object.keys(c.NetworkSettings?.Networks ?? {})[0];
  const ip = network === undefined ? undefined : c.NetworkSettings.Networks[network]?.IPAddress || endpointIpamAddress(c, network);
  // The pod started when it was made: a restart of its container does not move its start.
  pod.sandbox = { id: c.Id, dockerName: oc.dockerName, state: oc.state, shape: 'single', startedAt: c.Created * 1000, ...(ip ? { ip } : {}) };
  pod.createdAt = c.Created * 1000;
  pod.expectedContainers = parseJson<string[]>(c.Labels[L.containers]) ?? [oc.name];
  pod.expectedInitContainers = [];
}

function observedContainer(c: Dockerode.ContainerInfo, info: Dockerode.ContainerInspectInfo | undefined, role: 'container' | 'init'): ObservedContainer {
  // The inspect is later than the list and its fields belong together: the list's state with
  // the inspect's exit code read `exited` + 0 (Completed) for a container started in between.
  const state = (info?.State.Status ?? c.State) as DockerState;
  const out: ObservedContainer = {
    id: c.Id,
    dockerName: dockerName(c),
    name: c.Labels[L.container] ?? '',
    role,
    image: c.Image,
    ...(c.ImageID ? { imageId: c.ImageID } : {}),
    state,
    restartCount: info?.RestartCount ?? 0,
    restarting: info?.State.Restarting ?? state === 'restarting',
  };
  const configError = c.Labels[L.configError];
  if (configError !== undefined) out.configError = configError;
  const imagePull = parseJson<ObservedContainer['imagePull']>(c.Labels[L.imagePull]);
  if (imagePull) out.imagePull = imagePull;
  const ports = parseJson<ObservedContainer['ports']>(c.Labels[L.ports]);
  if (ports?.length) out.ports = ports;
  if (info) {
    const started = parseTime(info.State.StartedAt);
    const finished = parseTime(info.State.FinishedAt);
    if (started !== undefined) out.startedAt = started;
    if (finished !== undefined) out.finishedAt = finished;
    out.dockerRestarts = info.RestartCount;
    if (state !== 'running') out.exitCode = info.State.ExitCode;
    if (info.State.OOMKilled) out.oomKilled = true;
    if (info.State.Error) out.error = info.State.Error;
    const policy = info.HostConfig?.RestartPolicy?.Name;
    if (policy !== undefined) out.dockerRestartPolicy = policy === '' ? 'no' : policy;
  } else if (state === 'exited') {
    const m = /Exited \((-?\d+)\)/.exec(c.Status);
    if (m) out.exitCode = Number(m[1]);
  }
  return out;
}

/** Creation time and gateway of a network, for `get ns` and a pod's hostIP. */
function networkDetail(n: Dockerode.NetworkInspectInfo): Pick<ObservedNetwork, 'createdAt' | 'gateway'> {
  const created = parseTime(n.Created);
  const gateway = n.IPAM?.Config?.find((c) => c.Gateway)?.Gateway;
  return { ...(created !== undefined ? { createdAt: created } : {}), ...(gateway ? { gateway } : {}) };
}

function dockerName(c: Dockerode.ContainerInfo): string {
  return (c.Names[0] ?? c.Id).replace(/^\//, '');
}

/** Docker reports "0001-01-01T00:00:00Z" for never. */
function parseTime(text: string | undefined): number | undefined {
  if (!text || text.startsWith('0001-')) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}
