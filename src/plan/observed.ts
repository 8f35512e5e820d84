import type { InventoryInput } from '../model/state.js';
import type { RestartPolicy, StringMap } from '../model/types.js';
import type { StorageBindings } from './volume-binding.js';

/**
 * What berth owns on the host right now, as read from Docker labels (apply/observe.ts) and
 * the store. Plain data: the planner reasons over it without touching Docker.
 */
export interface ObservedState {
  app: string;
  networks: ObservedNetwork[];
  volumes: ObservedVolume[];
  pods: ObservedPod[];
  services: ObservedService[];
  /** What this app applied last time (store inventory): the only basis for pruning. */
  inventory: InventoryItem[];
  /** Per-namespace DNS containers of the data plane (services). */
  dns?: ObservedDns[];
  /** This app's node ports as plan/node-ports.ts settled them (a dry run: as it would): Service key → port name → node port. */
  nodePorts?: Record<string, Record<string, number>>;
  /**
   * Pods whose readiness this process has not established yet (its prober only just started):
   * services keep them in or out of rotation as they are until it has (see runtime/services).
   */
  endpointHolds?: string[];
  /** Claims' bindings as runtime/volume-bindings.ts settled them; absent: every claim is its own Docker volume (plan/storage-plan.ts implicitBindings). */
  storage?: StorageBindings;
  /** The host's edge containers (every app's: they are shared), as runtime/edge.ts observes them. */
  edges?: ObservedEdge[];
}

/** An edge container (apply/edge/container.ts) as one app sees it. */
export interface ObservedEdge {
  containerId: string;
  name: string;
  state: DockerState;
  specHash: string;
  /** The edge layout of the berth that made it (its `berth.edge-layout` label); absent on edges made before the label. */
  layout?: number;
  ports: { http: number; https: number };
  /** This app's fragment as the edge runs it (or as this process last sent it); undefined when not read. */
  config?: AppliedConfig;
  /** Every app with a fragment in it, with the hosts it holds and those another app holds; undefined when the status was not read. */
  apps?: Record<string, { hosts: string[]; conflicts: Array<{ host: string; heldBy: string }>; errors?: Array<{ code: string; message: string }> }>;
  /** The edge's own problems (a port it cannot listen on), from its status. */
  errors?: Array<{ code: string; message: string }>;
  /** Its listeners as its status reports them (bound or failing, retried); undefined when the status was not read. */
  listening?: Array<{ name: string; port: number; state: 'listening' | 'failed'; error?: string }>;
  /** The generation of this app's fragment the edge has applied, from its status; undefined when not read. */
  acknowledged?: number;
}

/** An applied object as the planner reads it: the store's record without its bookkeeping times. */
export type InventoryItem = InventoryInput;

export interface ObservedNetwork {
  namespace: string;
  id: string;
  name: string;
  /** When Docker created it (ms); `get ns` AGE. */
  createdAt?: number;
  /** The host's address on this network (IPAM gateway); `get pods -o wide` hostIP. */
  gateway?: string;
}

export interface ObservedVolume {
  name: string;
  namespace: string;
  role: 'pvc' | 'emptydir' | 'config';
  /** claim name for PVCs, pod name for per-pod volumes */
  owner: string;
  labels: StringMap;
  /** When Docker created it (ms); `get pvc` AGE. */
  createdAt?: number;
  /** PVC volumes: the claim field of its name (apply/names.ts `pvc`), which a PersistentVolume's `handle` names. */
  handle?: string;
}

export type DockerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ObservedContainer {
  id: string;
  /** Docker container name without the leading '/' */
  dockerName: string;
  /** Kubernetes container name */
  name: string;
  role: 'container' | 'init';
  image: string;
  /** `sha256:…` of the image the container runs (`containerStatuses[].imageID`). */
  imageId?: string;
  state: DockerState;
  exitCode?: number;
  startedAt?: number;
  finishedAt?: number;
  /** Restarts Docker's restart policy performed plus restarts berth performed (store). */
  restartCount: number;
  /**
   * Docker's own RestartCount, when inspected. `docker start` and `docker restart` reset it to
   * 0, so whoever starts the container keeps these in the store first (plan/restart-records.ts).
   */
  dockerRestarts?: number;
  /** Docker's own crash-loop state: exited and about to be restarted by policy. */
  restarting: boolean;
  /** Docker's restart policy as set now (`unless-stopped`, `on-failure`, `no`), when inspected. */
  dockerRestartPolicy?: string;
  /** berth restarts this container itself with CrashLoopBackOff delays (see assessPod). */
  restartsManaged?: boolean;
  /** Restarts berth performed since it took over; the back-off doubles with each. */
  backoffRestarts?: number;
  /** Docker could not run it (RunContainerError): berth does not try again before this time (store). */
  backoffUntil?: number;
  oomKilled?: boolean;
  error?: string;
  /**
   * Why berth did not create the container as asked (kubelet's CreateContainerConfigError, e.g.
   * runAsNonRoot on a root image): what stands in its place is never started.
   */
  configError?: string;
  /** The container's image could not be had: what stands in its place is never started (plan/image-pull.ts). */
  imagePull?: ImagePullFailure;
  /** The container's `ports` (label), for Services' named targetPorts. */
  ports?: Array<{ name?: string; containerPort: number; protocol?: string; hostPort?: number }>;
}

/**
 * One failed attempt at an image (kubelet's ErrImagePull / ErrImageNeverPull; InvalidImageName
 * when the image is not a reference at all, never retried), as its stand-in's label keeps it.
 */
export interface ImagePullFailure {
  reason: 'ErrImagePull' | 'ErrImageNeverPull' | 'InvalidImageName';
  /** The image, as the pod asked for it. */
  image: string;
  /** Why the attempt failed (the pull error). */
  message: string;
  /** Attempts so far, this one included (1-based): the back-off doubles with each. */
  attempt: number;
  /** When this attempt failed (ms). */
  at: number;
}

/**
 * What owns the pod's namespaces: its sandbox, or (`shape: 'single'`, plan/pod-shape.ts) its one
 * container, which is then also among `containers`. The pod's address, uid and start are its.
 */
export interface ObservedSandbox {
  id: string;
  dockerName: string;
  state: DockerState;
  ip?: string;
  startedAt?: number;
  /** Set for a single-container pod: the owner is its app container, whose state is judged as a container's. */
  shape?: 'single';
}

export interface ObservedPod {
  namespace: string;
  name: string;
  /** `namespace/name` */
  key: string;
  owner: string;
  controller: string;
  specHash: string;
  labels: StringMap;
  restartPolicy: RestartPolicy;
  createdAt: number;
  sandbox?: ObservedSandbox;
  initContainers: ObservedContainer[];
  containers: ObservedContainer[];
  /** Names of the app containers the pod was created with (label), to spot removed ones. */
  expectedContainers: string[];
  expectedInitContainers: string[];
  /** The one readiness rule (plan/readiness.ts): prober, else the store's fresh record, else the kubelet default. */
  ready: boolean;
  /** Per expected app container, by the same rule (`containerStatuses[].ready`); set by runtime/observe.ts. */
  containersReady?: Record<string, boolean>;
  /** When the pod last became ready (ms), for minReadySeconds. */
  readySince?: number;
  /** Containers the prober reports unready, with the reason, for `describe`. */
  probeMessages?: Record<string, string>;
  /**
   * Secret volumes (tmpfs) of a running sandbox whose files are gone: Docker mounted the tmpfs
   * again, empty (apply/observe.ts). Observed only by passes that may write them again.
   */
  lostVolumes?: string[];
  /**
   * The version each downwardAPI volume of a running sandbox holds (where its `..data` points,
   * apply/downward-volume.ts), by volume name. Observed only by passes that may update them.
   */
  downwardVersions?: Record<string, string>;
  /**
   * The pod's template hash without the metadata Kubernetes changes in place (bare Pods only,
   * made by a berth that knows it): labels and annotations changes leave such a pod running.
   */
  inPlaceHash?: string;
  /** terminationGracePeriodSeconds its containers were made with (label); absent: Kubernetes' 30. */
  gracePeriodSeconds?: number;
  /**
   * Its termination began (the store's mark, plan/terminating.ts): it serves no traffic and no
   * controller counts it, while its name (and hostPorts) stay taken until it is gone; past
   * `deadline` (its grace period's end) any berth process kills and removes it.
   */
  terminating?: { since: number; deadline?: number };
}

export interface ObservedService {
  namespace: string;
  name: string;
  containerId: string;
  state: DockerState;
  specHash: string;
  ip?: string;
  nodePorts: Record<string, number>;
  /** The proxy's address on each namespace network it is attached to, by namespace. */
  networks?: Record<string, string>;
  /** What the proxy runs (or was last sent); undefined when not read (diff, get). */
  config?: AppliedConfig;
  /** The Service's host fast path (NodePort/LoadBalancer), when it has one. */
  hostRules?: { containerId: string; state: DockerState; specHash: string; config?: AppliedConfig; hostDir?: string };
  /** Where the proxy's config dir is on the engine's host (its volume), when the list says (apply/services/host-status.ts). */
  hostDir?: string;
}

/** The DNS container of one namespace. */
export interface ObservedDns {
  namespace: string;
  containerId: string;
  state: DockerState;
  specHash: string;
  ip?: string;
  config?: AppliedConfig;
  /** As ObservedService.hostDir. */
  hostDir?: string;
}

/**
 * A data-plane program's configuration as far as berth knows: the newer of what its
 * status.json says it applied and what this process wrote since. `checksum` is the protocol's
 * checksum of that generation (null when none).
 */
export interface AppliedConfig {
  generation: number;
  checksum: string | null;
  /** Endpoints (pod names) the config has in rotation. */
  serving: string[];
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/**
 * Kubernetes pod phase from container states. Init containers still to run → Pending; all app
 * containers exited and the policy will not restart them → Succeeded/Failed.
 */
export function podPhase(pod: ObservedPod): PodPhase {
  if (!pod.sandbox) return 'Unknown';
  const initsDone = pod.expectedInitContainers.every((n) => {
    const c = pod.initContainers.find((x) => x.name === n);
    return c !== undefined && c.state === 'exited' && c.exitCode === 0;
  });
  const initFailed = pod.initContainers.some((c) => c.state === 'exited' && c.exitCode !== 0);
  if (initFailed && pod.restartPolicy === 'Never') return 'Failed';
  if (!initsDone) return 'Pending';
  const cs = pod.expectedContainers.map((n) => pod.containers.find((c) => c.name === n));
  if (cs.some((c) => c === undefined || c.state === 'created')) return 'Pending';
  const containers = cs as ObservedContainer[];
  if (containers.some((c) => c.state === 'running' || c.state === 'restarting' || c.restarting || c.state === 'paused')) return 'Running';
  const allExited = containers.every((c) => c.state === 'exited' || c.state === 'dead');
  if (!allExited) return 'Unknown';
  const allOk = containers.every((c) => c.exitCode === 0);
  if (pod.restartPolicy === 'Always') return 'Running';
  if (pod.restartPolicy === 'OnFailure') return allOk ? 'Succeeded' : 'Running';
  return allOk ? 'Succeeded' : 'Failed';
}

/** True when the pod has everything it was created with and nothing needs berth to fix it. */
export function podIntact(pod: ObservedPod): boolean {
  return pod.sandbox !== undefined && pod.sandbox.state === 'running';
}
