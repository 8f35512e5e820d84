/**
 * Docker object names. Docker names are global to the engine, so they carry the app: two apps
 * may both have a `default/web`.
 *
 * Disjoint by construction (issue 11: a pod `pvc` with a volume `data` and the claim `data` got
 * one Docker volume): every field is a Kubernetes name or the app (DNS labels and subdomains,
 * `[a-z0-9.-]`, never empty, never `_`), so `_` splits a name back into its fields unambiguously.
 * Within each Docker namespace (containers, volumes, networks) the kinds then differ by their
 * number of fields, and those that could share a count carry an empty field (`__`, which no
 * Kubernetes name can produce) followed by a fixed tag. `parseDockerName` is the inverse, and a
 * test proves it on every function here: no two kinds (or two objects of one kind) share a name.
 *
 * Names are for people and for Docker's uniqueness; berth reads its objects back by labels
 * (apply/observe.ts), so an object made under an older scheme keeps working and is removed by
 * label (see docs/security.md for which names changed).
 */
export const dockerNames = {
  network: (app: string, ns: string) => `berth_${app}_${ns}`,
  sandbox: (app: string, ns: string, pod: string) => `berth_${app}_${ns}_${pod}`,
  container: (app: string, ns: string, pod: string, container: string) => `berth_${app}_${ns}_${pod}_${container}`,
  initContainer: (app: string, ns: string, pod: string, container: string) => `berth_${app}_${ns}_${pod}__init_${container}`,
  serviceProxy: (app: string, ns: string, svc: string) => `berth_${app}_${ns}__svc_${svc}`,
  /** The NodePort fast path of a Service (a container of its own). */
  serviceHostRules: (app: string, ns: string, svc: string) => `berth_${app}_${ns}__svchost_${svc}`,
  /** The DNS server of a namespace. */
  dns: (app: string, ns: string) => `berth_${app}_${ns}__dns`,
  podVolume: (app: string, ns: string, pod: string, volume: string) => `berth_${app}_${ns}_${pod}__vol_${volume}`,
  pvc: (app: string, ns: string, claim: string) => `berth_${app}_${ns}_pvc_${claim}`,
};

export type DockerNameKind = keyof typeof dockerNames;

/** Which Docker namespace each kind's names live in (names only collide within one). */
export const DOCKER_NAMESPACE: Record<DockerNameKind, 'network' | 'container' | 'volume'> = {
  network: 'network',
  sandbox: 'container',
  container: 'container',
  initContainer: 'container',
  serviceProxy: 'container',
  serviceHostRules: 'container',
  dns: 'container',
  podVolume: 'volume',
  pvc: 'volume',
};

export interface ParsedDockerName {
  kind: DockerNameKind;
  /** The arguments the name was made from, in the order the function takes them. */
  args: string[];
}

const FIELD = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** The kind and arguments a berth name was made from, or undefined for any other name. */
export function parseDockerName(namespace: 'network' | 'container' | 'volume', name: string): ParsedDockerName | undefined {
  const f = name.split('_');
  if (f.shift() !== 'berth') return undefined;
  const shape = f.map((x) => (x === '' ? '' : '*')).join(',');
  const pick = (kind: DockerNameKind, ...at: number[]): ParsedDockerName | undefined => {
    const args = at.map((i) => f[i]!);
    return args.every((a) => FIELD.test(a)) ? { kind, args } : undefined;
  };
  switch (namespace) {
    case 'network':
      return shape === '*,*' ? pick('network', 0, 1) : undefined;
    case 'volume':
      if (shape === '*,*,*,,*,*' && f[4] === 'vol') return pick('podVolume', 0, 1, 2, 5);
      if (shape === '*,*,*,*' && f[2] === 'pvc') return pick('pvc', 0, 1, 3);
      return undefined;
    case 'container':
      if (shape === '*,*,*') return pick('sandbox', 0, 1, 2);
      if (shape === '*,*,*,*') return pick('container', 0, 1, 2, 3);
      if (shape === '*,*,*,,*,*' && f[4] === 'init') return pick('initContainer', 0, 1, 2, 5);
      if (shape === '*,*,,*,*' && f[3] === 'svc') return pick('serviceProxy', 0, 1, 4);
      if (shape === '*,*,,*,*' && f[3] === 'svchost') return pick('serviceHostRules', 0, 1, 4);
      if (shape === '*,*,,*' && f[3] === 'dns') return pick('dns', 0, 1);
      return undefined;
  }
}

/** Where a pod's configMap/secret volumes are mounted in its sandbox, to be filled via the archive API. */
export function sandboxVolumePath(volume: string): string {
  return `/.berth/volumes/${volume}`;
}

/**
 * Written into a secret (tmpfs) volume after its files, in the same archive: while it is there,
 * so are they. A tmpfs comes back empty each time Docker mounts it again (every container using
 * it had stopped: the sandbox restarted with its app containers, dockerd restarted, the host
 * rebooted), and then this is gone too, which the next pass sees (apply/observe.ts). Names
 * starting with `..` are berth's: keys and items paths may not (as the kubelet keeps `..data`).
 */
export const VOLUME_FILES_MARKER = '..berth-files';

