/**
 * Docker labels berth writes and reads back. Ownership is `berth.managed=true` plus
 * `berth.app=<app>`: berth lists, modifies and deletes only objects carrying both.
 */
export const L = {
  managed: 'berth.managed',
  app: 'berth.app',
  namespace: 'berth.namespace',
  kind: 'berth.kind',
  name: 'berth.name',
  owner: 'berth.owner',
  controller: 'berth.controller',
  specHash: 'berth.spec-hash',
  role: 'berth.role',
  container: 'berth.container',
  podLabels: 'berth.pod-labels',
  restartPolicy: 'berth.restart-policy',
  containers: 'berth.containers',
  initContainers: 'berth.init-containers',
  gracePeriod: 'berth.grace-period',
  preStop: 'berth.prestop',
  probes: 'berth.probes',
  ports: 'berth.ports',
  /** Why a container was not created as asked (CreateContainerConfigError); it is never started. */
  configError: 'berth.config-error',
  /** subPath/hostPath binds of a container, as volumes/safe-mounts.ts makes them (JSON). */
  safeMounts: 'berth.safe-mounts',
  /** On a pod's own Docker volume: the pod volume it realises (`spec.volumes[].name`). */
  volume: 'berth.volume',
  /**
   * On the stand-in of a container whose image could not be had (kubelet's ErrImagePull,
   * ErrImageNeverPull, InvalidImageName): JSON {reason, message, attempt, at}; never started,
   * retried with back-off (not InvalidImageName: nothing changes until the manifest does).
   */
  imagePull: 'berth.image-pull',
  /** On a pod's own Docker volume: a downwardAPI volume, whose files follow the pod's metadata. */
  downwardAPI: 'berth.downward-api',
  /** On a bare pod's containers: its template hash without labels and annotations (ObservedPod.inPlaceHash). */
  inPlaceHash: 'berth.in-place-hash',
  /**
   * On the one container of a single-container pod (plan/pod-shape.ts): `single`. It owns the
   * pod's network namespace itself, with an address berth claimed for the pod (apply/pod-ips.ts).
   */
  podShape: 'berth.pod-shape',
  /**
   * On a namespace network made by a berth that assigns pod addresses: the half of its subnet
   * reserved for them (CIDR); Docker allocates only from the other half (IPRange). A network
   * without it (made by an older berth) keeps making sandbox pods.
   */
  podRange: 'berth.pod-range',
} as const;

export type Role = 'sandbox' | 'container' | 'init' | 'proxy' | 'dns' | 'network' | 'pvc' | 'emptydir' | 'config' | 'keeper' | 'edge';

export function ownerLabels(app: string, namespace: string, kind: string, name: string, role: Role): Record<string, string> {
  return { [L.managed]: 'true', [L.app]: app, [L.namespace]: namespace, [L.kind]: kind, [L.name]: name, [L.role]: role };
}

/**
 * Whether a pod's container owns the pod's network namespace: its sandbox, or the one container
 * of a single-container pod. Everything that reads "the pod's IP" or counts pods asks this, not
 * `berth.role=sandbox`, so both pod shapes are seen.
 */
export function isPodOwner(labels: Record<string, string> | undefined): boolean {
  return labels?.[L.role] === 'sandbox' || (labels?.[L.role] === 'container' && labels[L.podShape] === 'single');
}

/** Docker list filter for everything this app owns (optionally narrowed further). */
export function ownedFilter(app: string, ...more: string[]): { label: string[] } {
  return { label: [`${L.managed}=true`, `${L.app}=${app}`, ...more] };
}

/** The ownership check every mutating call goes through. */
export function isOwned(labels: Record<string, string> | undefined, app: string): boolean {
  return labels?.[L.managed] === 'true' && labels[L.app] === app;
}

/** A JSON label value, or undefined when absent or not JSON (a label someone else edited). */
export function parseJson<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
