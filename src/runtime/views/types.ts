import type { ContainerState, ContainerStatus } from '../../plan/container-status.js';
import type { Container, Kind, PodSpec, PodTemplateSpec, StringMap } from '../../model/types.js';
import type { PolicyRule, RoleRef, Subject } from '../../model/types.js';
import type { Certificate, Gateway, GatewayClass, HTTPRoute, Ingress, IngressClass, Issuer } from '../../model/types.js';

/**
 * Kubernetes-shaped objects of what runs, as the API server would return them, so scripts
 * written against `kubectl get -o json` work against `berth get -o json`. Field names and
 * nesting follow the Kubernetes API; values come from Docker and the store.
 */
export interface ItemMeta {
  name: string;
  namespace?: string;
  uid: string;
  /** RFC 3339, seconds precision, UTC (`2026-01-02T15:04:05Z`). */
  creationTimestamp: string;
  generation?: number;
  labels?: StringMap;
  annotations?: StringMap;
  ownerReferences?: OwnerReference[];
  /** Set while berth deletes the object (a pod stopping: STATUS `Terminating`). */
  deletionTimestamp?: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: true;
  blockOwnerDeletion: true;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: null;
  lastUpdateTime?: string;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

/** Decided by plan/container-status.ts, the one place that chooses kubelet's words. */
export type ContainerStateView = ContainerState;
export type ContainerStatusView = ContainerStatus;

export interface PodItem {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ItemMeta;
  /** The template's spec when berth knows it, else only what Docker tells (names, images). */
  spec: Omit<Partial<PodSpec>, 'containers' | 'initContainers'> & {
    containers: Array<Container | { name: string; image: string }>;
    initContainers?: Array<Container | { name: string; image: string }>;
    nodeName?: string;
  };
  status: {
    phase: string;
    conditions: Condition[];
    hostIP?: string;
    hostIPs?: Array<{ ip: string }>;
    podIP?: string;
    podIPs?: Array<{ ip: string }>;
    startTime?: string;
    initContainerStatuses?: ContainerStatusView[];
    containerStatuses: ContainerStatusView[];
    qosClass?: string;
  };
}

export interface ReplicaSetItem {
  apiVersion: string;
  kind: 'ReplicaSet' | 'ReplicationController';
  metadata: ItemMeta;
  spec: { replicas: number; minReadySeconds?: number; selector: unknown; template?: PodTemplateSpec };
  status: { replicas: number; fullyLabeledReplicas: number; readyReplicas: number; availableReplicas: number; observedGeneration: number };
}

export interface DeploymentItem {
  apiVersion: string;
  kind: 'Deployment';
  metadata: ItemMeta;
  spec: Record<string, unknown> & { replicas: number; template: PodTemplateSpec };
  status: {
    observedGeneration: number;
    replicas: number;
    updatedReplicas: number;
    readyReplicas: number;
    availableReplicas: number;
    unavailableReplicas: number;
    conditions: Condition[];
  };
}

export interface DaemonSetItem {
  apiVersion: string;
  kind: 'DaemonSet';
  metadata: ItemMeta;
  spec: Record<string, unknown> & { template: PodTemplateSpec; selector: unknown };
  status: {
    observedGeneration: number;
    currentNumberScheduled: number;
    desiredNumberScheduled: number;
    numberMisscheduled: number;
    numberReady: number;
    updatedNumberScheduled: number;
    numberAvailable: number;
    numberUnavailable: number;
  };
}

export interface StatefulSetItem {
  apiVersion: string;
  kind: 'StatefulSet';
  metadata: ItemMeta;
  spec: Record<string, unknown> & { replicas: number; template: PodTemplateSpec; serviceName: string };
  status: {
    observedGeneration: number;
    replicas: number;
    readyReplicas: number;
    currentReplicas: number;
    updatedReplicas: number;
    availableReplicas: number;
    currentRevision: string;
    updateRevision: string;
    collisionCount: number;
  };
}

export interface JobItem {
  apiVersion: string;
  kind: 'Job';
  metadata: ItemMeta;
  spec: Record<string, unknown> & { completions: number; parallelism: number; template?: PodTemplateSpec };
  status: {
    active: number;
    succeeded: number;
    failed: number;
    ready?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: Condition[];
  };
}

export interface CronJobItem {
  apiVersion: string;
  kind: 'CronJob';
  metadata: ItemMeta;
  spec: Record<string, unknown> & { schedule: string; suspend: boolean };
  status: { active?: Array<{ apiVersion: string; kind: 'Job'; name: string; namespace: string }>; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

export interface ServiceItem {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ItemMeta;
  spec: Record<string, unknown> & {
    type: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalName?: string;
    selector?: StringMap;
    ports?: Array<{ name?: string; protocol: string; port: number; targetPort: number | string; nodePort?: number }>;
  };
  status: { loadBalancer: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export interface ConfigMapItem {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ItemMeta;
  data?: StringMap;
  binaryData?: StringMap;
  immutable?: boolean;
}

export interface SecretItem {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ItemMeta;
  type: string;
  /** base64, as the API returns it (kubectl prints it too). */
  data?: StringMap;
  immutable?: boolean;
}

export interface PvcItem {
  apiVersion: 'v1';
  kind: 'PersistentVolumeClaim';
  metadata: ItemMeta;
  spec: Record<string, unknown> & { accessModes?: string[]; volumeName?: string; volumeMode?: string };
  status: { phase: 'Bound' | 'Pending' | 'Lost'; accessModes?: string[]; capacity?: StringMap };
}

export interface PvItem {
  apiVersion: 'v1';
  kind: 'PersistentVolume';
  metadata: ItemMeta;
  spec: {
    capacity: StringMap;
    accessModes: string[];
    persistentVolumeReclaimPolicy: string;
    storageClassName: string;
    volumeMode: string;
    claimRef?: { kind: 'PersistentVolumeClaim'; namespace: string; name: string };
    hostPath?: { path: string; type?: string };
    local?: { path: string };
    nodeAffinity?: unknown;
  };
  status: { phase: 'Available' | 'Bound' | 'Released'; message?: string };
}

export interface StorageClassItem {
  apiVersion: 'storage.k8s.io/v1';
  kind: 'StorageClass';
  metadata: ItemMeta;
  provisioner: string;
  parameters?: StringMap;
  reclaimPolicy: string;
  volumeBindingMode: string;
  allowVolumeExpansion?: boolean;
}

export interface NamespaceItem {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: ItemMeta;
  spec: { finalizers: string[] };
  status: { phase: 'Active' | 'Pending' };
}

// API-shaped items of the kinds that are stored and shown (ServiceAccount, RBAC) and of the
// PodDisruptionBudget, whose status berth computes as the disruption controller would.

export interface ServiceAccountItem {
  apiVersion: 'v1';
  kind: 'ServiceAccount';
  metadata: ItemMeta;
  automountServiceAccountToken?: boolean;
  secrets?: Array<{ name?: string; namespace?: string }>;
}

export interface RoleItem {
  apiVersion: string;
  kind: 'Role' | 'ClusterRole';
  metadata: ItemMeta;
  rules: PolicyRule[];
  aggregationRule?: Record<string, unknown>;
}

export interface RoleBindingItem {
  apiVersion: string;
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  metadata: ItemMeta;
  roleRef: RoleRef;
  subjects?: Subject[];
}

export interface PdbItem {
  apiVersion: string;
  kind: 'PodDisruptionBudget';
  metadata: ItemMeta;
  spec: Record<string, unknown> & { minAvailable?: number | string; maxUnavailable?: number | string };
  status: { currentHealthy: number; desiredHealthy: number; disruptionsAllowed: number; expectedPods: number; observedGeneration: number };
}

// API-shaped items of the edge's kinds (Ingress, Gateway API, cert-manager), as their API
// servers return them: the spec as applied and a status with their own controllers' field
// names. Until the edge and the ACME controller land, the status says nothing is served yet.

export interface IngressItem {
  apiVersion: string;
  kind: 'Ingress';
  metadata: ItemMeta;
  spec: NonNullable<Ingress['spec']>;
  status: { loadBalancer: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export interface IngressClassItem { apiVersion: string; kind: 'IngressClass'; metadata: ItemMeta; spec: NonNullable<IngressClass['spec']> }

export interface GatewayClassItem { apiVersion: string; kind: 'GatewayClass'; metadata: ItemMeta; spec: GatewayClass['spec']; status: { conditions: Condition[] } }

export interface GatewayItem {
  apiVersion: string;
  kind: 'Gateway';
  metadata: ItemMeta;
  spec: Gateway['spec'];
  status: {
    addresses?: Array<{ type: string; value: string }>;
    conditions: Condition[];
    listeners: Array<{ name: string; attachedRoutes: number; supportedKinds: Array<{ group: string; kind: string }>; conditions: Condition[] }>;
  };
}

export interface HTTPRouteItem {
  apiVersion: string;
  kind: 'HTTPRoute';
  metadata: ItemMeta;
  spec: NonNullable<HTTPRoute['spec']>;
  status: { parents: Array<{ parentRef: { group?: string; kind?: string; namespace?: string; name: string; sectionName?: string }; controllerName: string; conditions: Condition[] }> };
}

export interface IssuerItem { apiVersion: string; kind: 'Issuer' | 'ClusterIssuer'; metadata: ItemMeta; spec: Issuer['spec']; status: { conditions: Condition[] } }

export interface CertificateItem {
  apiVersion: string;
  kind: 'Certificate';
  metadata: ItemMeta;
  spec: Certificate['spec'];
  /** cert-manager's CertificateStatus fields berth has (times RFC 3339). */
  status: { conditions: Condition[]; notBefore?: string; notAfter?: string; renewalTime?: string; failedIssuanceAttempts?: number; lastFailureTime?: string };
}

export type EdgeItem = IngressItem | IngressClassItem | GatewayClassItem | GatewayItem | HTTPRouteItem | IssuerItem | CertificateItem;

export type KubeItem = PodItem | ReplicaSetItem | DeploymentItem | JobItem | CronJobItem | ServiceItem | ConfigMapItem | SecretItem | PvcItem | NamespaceItem | ServiceAccountItem | RoleItem | RoleBindingItem | PdbItem | DaemonSetItem | StatefulSetItem | PvItem | StorageClassItem | EdgeItem;

interface ViewBase {
  /** `Kind/namespace/name` ('' namespace for Namespaces). */
  key: string;
  namespace: string;
  name: string;
  labels: StringMap;
  createdAt: number;
}

/** One object as `get`/`describe` show it: the API-shaped object plus what only printers need. */
export type View =
  | (ViewBase & {
      kind: 'Pod';
      object: PodItem;
      /** kubectl's STATUS column (plan/container-status.ts podStatusWords): not an API field. */
      statusReason: string;
      /** Restart count summed over containers, and when the last restart happened. */
      restarts: { count: number; lastAt?: number };
      ready: boolean;
      /** `berth.controller` (top-level object, `Deployment/ns/web`) and `berth.owner` (direct owner) labels. */
      controller: string;
      owner: string;
    })
  | (ViewBase & {
      kind: 'Deployment';
      object: DeploymentItem;
      /** pod-template-hash of the current template: its ReplicaSet is `<name>-<hash>`. */
      templateHash?: string;
    })
  | (ViewBase & { kind: 'ReplicaSet'; object: ReplicaSetItem })
  | (ViewBase & { kind: 'ReplicationController'; object: ReplicaSetItem })
  | (ViewBase & { kind: 'Job'; object: JobItem })
  | (ViewBase & { kind: 'CronJob'; object: CronJobItem })
  | (ViewBase & { kind: 'Service'; object: ServiceItem })
  | (ViewBase & { kind: 'ConfigMap'; object: ConfigMapItem })
  | (ViewBase & { kind: 'Secret'; object: SecretItem })
  /** `reason`: why the claim is not Bound (plan/volume-binding.ts), for describe. */
  | (ViewBase & { kind: 'PersistentVolumeClaim'; object: PvcItem; reason?: string })
  | (ViewBase & { kind: 'Namespace'; object: NamespaceItem })
  | (ViewBase & { kind: 'ServiceAccount'; object: ServiceAccountItem })
  | (ViewBase & { kind: 'Role'; object: RoleItem })
  | (ViewBase & { kind: 'ClusterRole'; object: RoleItem })
  | (ViewBase & { kind: 'RoleBinding'; object: RoleBindingItem })
  | (ViewBase & { kind: 'ClusterRoleBinding'; object: RoleBindingItem })
  | (ViewBase & { kind: 'PodDisruptionBudget'; object: PdbItem })
  | (ViewBase & {
      kind: 'DaemonSet';
      object: DaemonSetItem;
      /** Why this host runs no daemon pod (empty when it runs one): not an API field, for describe. */
      unschedulable: string[];
      /** controller-revision-hash of the current template. */
      templateHash?: string;
    })

  /** `templateHash`: the update revision's pod-template hash (`controller-revision-hash`). */
  | (ViewBase & { kind: 'StatefulSet'; object: StatefulSetItem; templateHash?: string })
  /** `dockerVolume`: a provisioned volume's Docker volume name field, for describe. */
  | (ViewBase & { kind: 'PersistentVolume'; object: PvItem; dockerVolume?: string })
  /** `isDefault`: the class claims without storageClassName get (`get sc` prints "(default)"). */
  | (ViewBase & { kind: 'StorageClass'; object: StorageClassItem; isDefault: boolean })
  | (ViewBase & { kind: 'Ingress'; object: IngressItem; /** The edge's ports (`80, 443` with TLS); absent: kubectl's defaults. */ ports?: string })
  | (ViewBase & { kind: 'IngressClass'; object: IngressClassItem })
  | (ViewBase & { kind: 'GatewayClass'; object: GatewayClassItem })
  | (ViewBase & { kind: 'Gateway'; object: GatewayItem })
  | (ViewBase & { kind: 'HTTPRoute'; object: HTTPRouteItem })
  | (ViewBase & { kind: 'Issuer'; object: IssuerItem })
  | (ViewBase & { kind: 'ClusterIssuer'; object: IssuerItem })
  | (ViewBase & { kind: 'Certificate'; object: CertificateItem });

export type ViewOf<K extends Kind> = Extract<View, { kind: K }>;
