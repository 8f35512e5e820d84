/**
 * Kubernetes object shapes for the kinds berth supports, with Kubernetes field names.
 * schemas/ is the single definition of what a manifest may contain; these types describe the
 * validated, converted and defaulted objects the engine works on (see defaults.ts).
 */

export type IntOrString = number | string;
/** Label/annotation maps. */
export type StringMap = Record<string, string>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: StringMap;
  annotations?: StringMap;
}

export interface TypeMeta {
  apiVersion: string;
  kind: string;
}

export interface KubeObject extends TypeMeta {
  metadata: ObjectMeta;
}

// ---------------------------------------------------------------- selectors

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: StringMap;
  matchExpressions?: LabelSelectorRequirement[];
}

// ---------------------------------------------------------------- pods

export interface KeySelector {
  name: string;
  key: string;
  optional?: boolean;
}

export interface ObjectFieldSelector {
  apiVersion?: string;
  fieldPath: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: KeySelector;
    secretKeyRef?: KeySelector;
    fieldRef?: ObjectFieldSelector;
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  hostPort?: number;
  hostIP?: string;
}

export interface ResourceRequirements {
  limits?: StringMap;
  requests?: StringMap;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  /** subPath with `$(VAR)` from the container's environment, expanded when the container is created. */
  subPathExpr?: string;
}

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HTTPGetAction {
  path: string;
  port: IntOrString;
  host?: string;
  scheme: 'HTTP' | 'HTTPS';
  httpHeaders?: HTTPHeader[];
}

export interface TCPSocketAction {
  port: IntOrString;
  host?: string;
}

export interface ExecAction {
  command: string[];
}

export interface Probe {
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  exec?: ExecAction;
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
  terminationGracePeriodSeconds?: number;
}

export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  sleep?: { seconds: number };
}

export interface Lifecycle {
  preStop?: LifecycleHandler;
  postStart?: LifecycleHandler;
}

export interface Capabilities {
  add?: string[];
  drop?: string[];
}

export interface SecurityProfile {
  type: 'RuntimeDefault' | 'Unconfined' | 'Localhost';
  localhostProfile?: string;
}

export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: Capabilities;
  procMount?: 'Default' | 'Unmasked';
  seccompProfile?: SecurityProfile;
  appArmorProfile?: SecurityProfile;
}

export interface PodSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  fsGroup?: number;
  supplementalGroups?: number[];
  sysctls?: Array<{ name: string; value: string }>;
  seccompProfile?: SecurityProfile;
  appArmorProfile?: SecurityProfile;
}

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  ports?: ContainerPort[];
  resources?: ResourceRequirements;
  volumeMounts?: VolumeMount[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: Lifecycle;
  securityContext?: SecurityContext;
  imagePullPolicy: PullPolicy;
  stdin?: boolean;
  tty?: boolean;
}

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface Volume {
  name: string;
  emptyDir?: { medium?: '' | 'Memory'; sizeLimit?: string };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  configMap?: { name: string; items?: KeyToPath[]; defaultMode: number; optional?: boolean };
  secret?: { secretName: string; items?: KeyToPath[]; defaultMode: number; optional?: boolean };
  hostPath?: { path: string; type?: string };
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface HostAlias {
  ip: string;
  hostnames: string[];
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  restartPolicy: RestartPolicy;
  terminationGracePeriodSeconds: number;
  activeDeadlineSeconds?: number;
  hostname?: string;
  subdomain?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  dnsPolicy: 'ClusterFirst' | 'Default' | 'None' | 'ClusterFirstWithHostNet';
  securityContext?: PodSecurityContext;
  shareProcessNamespace?: boolean;
  hostAliases?: HostAlias[];
}

export interface PodTemplateSpec {
  metadata: { labels?: StringMap; annotations?: StringMap; name?: string };
  spec: PodSpec;
}

// ---------------------------------------------------------------- kinds

export interface Namespace extends KubeObject {
  kind: 'Namespace';
}

export interface ConfigMap extends KubeObject {
  kind: 'ConfigMap';
  data?: StringMap;
  binaryData?: StringMap;
  immutable?: boolean;
}

/** After defaulting, `stringData` is folded into `data` (base64) as the API server does. */
export interface Secret extends KubeObject {
  kind: 'Secret';
  type: string;
  data?: StringMap;
  stringData?: StringMap;
  immutable?: boolean;
}

export interface PersistentVolumeClaim extends KubeObject {
  kind: 'PersistentVolumeClaim';
  spec: {
    accessModes?: string[];
    resources?: { requests?: StringMap; limits?: StringMap };
    storageClassName?: string;
    volumeMode: 'Filesystem' | 'Block';
  };
}

export interface ServicePort {
  name?: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  targetPort: IntOrString;
  nodePort?: number;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface Service extends KubeObject {
  kind: 'Service';
  spec: {
    type: ServiceType;
    selector?: StringMap;
    ports?: ServicePort[];
    clusterIP?: string;
    externalName?: string;
    sessionAffinity: 'None' | 'ClientIP';
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    publishNotReadyAddresses?: boolean;
    externalTrafficPolicy?: 'Cluster' | 'Local';
    loadBalancerIP?: string;
  };
}

export interface Pod extends KubeObject {
  kind: 'Pod';
  spec: PodSpec;
}

export interface ReplicaSet extends KubeObject {
  kind: 'ReplicaSet';
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplateSpec;
    minReadySeconds: number;
  };
}

/** ReplicationController's selector is a plain equality map, not a LabelSelector. */
export interface ReplicationController extends KubeObject {
  kind: 'ReplicationController';
  spec: {
    replicas: number;
    selector: StringMap;
    template: PodTemplateSpec;
    minReadySeconds: number;
  };
}

export interface RollingUpdateDeployment {
  maxSurge: IntOrString;
  maxUnavailable: IntOrString;
}

export interface Deployment extends KubeObject {
  kind: 'Deployment';
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplateSpec;
    strategy: { type: 'RollingUpdate'; rollingUpdate: RollingUpdateDeployment } | { type: 'Recreate' };
    minReadySeconds: number;
    revisionHistoryLimit: number;
    progressDeadlineSeconds: number;
    paused: boolean;
  };
}

export interface JobSpec {
  parallelism: number;
  completions: number;
  backoffLimit: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  selector?: LabelSelector;
  template: PodTemplateSpec;
}

export interface Job extends KubeObject {
  kind: 'Job';
  spec: JobSpec;
}

export interface CronJob extends KubeObject {
  kind: 'CronJob';
  spec: {
    schedule: string;
    timeZone?: string;
    concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace';
    suspend: boolean;
    startingDeadlineSeconds?: number;
    successfulJobsHistoryLimit: number;
    failedJobsHistoryLimit: number;
    jobTemplate: { metadata?: { labels?: StringMap; annotations?: StringMap }; spec: JobSpec };
  };
}

export type AnyObject =
  | Namespace
  | ConfigMap
  | Secret
  | PersistentVolumeClaim
  | Service
  | Pod
  | ReplicaSet
  | ReplicationController
  | Deployment
  | Job
  | CronJob;

export type Kind = AnyObject['kind'];

/** Controllers whose pods come from a template. */
export type WorkloadObject = Pod | ReplicaSet | ReplicationController | Deployment | Job | CronJob;

// ---------------------------------------------------------------- resources

export interface SourceLocation {
  file: string;
  /** 1-based line of the document's first node. */
  line: number;
  column: number;
}

/**
 * A validated manifest document: converted from legacy apiVersions and defaulted.
 * `key` identifies it across revisions: `Kind/namespace/name` ('' namespace for cluster scope).
 */
export interface Resource<T extends AnyObject = AnyObject> {
  key: string;
  object: T;
  source: SourceLocation;
}

export function resourceKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}
