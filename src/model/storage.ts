import type { Resource, StorageClass } from './types.js';

/**
 * Storage classes as berth provisions them. On one Docker host a dynamically provisioned
 * volume is a named Docker volume (what a claim always was here), so every provisioner berth
 * accepts means "a Docker volume on this host": its own, and those of the local provisioners
 * single-node Kubernetes distributions ship (k3s' local-path, Docker Desktop's, microk8s',
 * minikube's, OpenEBS local), so their manifests run unchanged. `kubernetes.io/no-provisioner`
 * provisions nothing: its claims bind static PersistentVolumes only, as in Kubernetes.
 */
export const LOCAL_PROVISIONER = 'berth.dev/local';
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
export const LOCAL_PROVISIONER_ALIASES: readonly string[] = [
  'rancher.io/local-path',
  'docker.io/hostpath',
  'microk8s.io/hostpath',
  'k8s.io/minikube-hostpath',
  'openebs.io/local',
];
export const ACCEPTED_PROVISIONERS: readonly string[] = [LOCAL_PROVISIONER, NO_PROVISIONER, ...LOCAL_PROVISIONER_ALIASES];

/** kubectl marks the default class with this annotation (and `get sc` prints "(default)"). */
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
/** The pre-GA spelling, still honoured by Kubernetes. */
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

/** The class every host has, as a cluster has the one its installer made. */
export const BUILTIN_CLASS_NAME = 'local';

export function provisions(provisioner: string): boolean {
  return provisioner === LOCAL_PROVISIONER || LOCAL_PROVISIONER_ALIASES.includes(provisioner);
}

export function isDefaultClass(sc: StorageClass): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

/** The host's own class, `local`, default unless the revision makes another class default. */
export function builtinStorageClass(isDefault: boolean): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: BUILTIN_CLASS_NAME, labels: {}, annotations: isDefault ? { [DEFAULT_CLASS_ANNOTATION]: 'true' } : {} },
    provisioner: LOCAL_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

/**
 * The classes claims bind against: the revision's, plus the built-in `local` unless the
 * revision defines a class of that name. The default is the revision's default class (the
 * first by name when it marks several, where Kubernetes takes the newest), else `local`.
 */
export function effectiveStorageClasses(declared: readonly StorageClass[]): { classes: StorageClass[]; defaultClass: string | undefined } {
  const userDefault = [...declared].filter(isDefaultClass).map((c) => c.metadata.name).sort()[0];
  const classes = [...declared];
  if (!declared.some((c) => c.metadata.name === BUILTIN_CLASS_NAME)) classes.push(builtinStorageClass(userDefault === undefined));
  classes.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  return { classes, defaultClass: userDefault ?? BUILTIN_CLASS_NAME };
}

export function storageClassesOf(resources: readonly Resource[]): StorageClass[] {
  return resources.flatMap((r) => (r.object.kind === 'StorageClass' ? [r.object] : []));
}

/**
 * What the store remembers of one PersistentVolume's binding (runtime/store/volume-bindings.ts).
 * A bound volume stays bound to its claim across passes and revisions, as in Kubernetes, where
 * the binding lives in the objects; here the manifests cannot hold it, so the store does.
 */
export interface VolumeBindingRecord {
  /** The PersistentVolume's name (`pvc-<uid>` for one berth provisioned). */
  volume: string;
  /** `namespace/name` of the claim; a Released volume keeps it, as its claimRef. */
  claim: string;
  phase: 'Bound' | 'Released';
  /** A volume berth provisioned: its shape, since no manifest describes it. */
  provisioned?: ProvisionedVolume;
  /** When it was bound (ms); `get pv` AGE of a provisioned volume. */
  boundAt: number;
}

export interface ProvisionedVolume {
  storageClassName: string;
  /** The claim's request, as written (`1Gi`). */
  capacity: string;
  accessModes: string[];
  reclaimPolicy: 'Delete' | 'Retain';
  /**
   * The Docker volume's name field (apply/names.ts `pvc`): the claim's name for its first
   * volume, so a claim made before PersistentVolumes existed keeps its data; with a suffix when
   * a retained volume of an earlier claim of that name still holds it.
   */
  handle: string;
}
