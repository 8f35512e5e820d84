import type {
  AnyObject,
  Container,
  CronJob,
  DaemonSet,
  Deployment,
  JobSpec,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ReplicaSet,
  ReplicationController,
  Secret,
  Service,
  Volume,
} from './types.js';
import { setOwn } from './own.js';
import { defaultStatefulSet } from './statefulset-defaults.js';

/**
 * Kubernetes API defaults (pkg/apis/{core,apps,batch}/v1/defaults.go) for the fields berth
 * implements. Every object is defaulted once after validation, so the planner never reasons
 * about absent fields and a manifest that spells out a default diffs equal to one that omits it.
 *
 * Pure: returns a new object and never mutates its input.
 */
export function withDefaults<T extends AnyObject>(input: T): T {
  return applyDefaults(structuredClone(input));
}

/**
 * withDefaults without the copy: fills the defaults into `input` itself and returns it. Only for
 * callers that own the object outright: validation builds every object fresh from YAML, and
 * copying them all cost a tenth of `berth validate` on a large revision.
 */
export function applyDefaults<T extends AnyObject>(input: T): T {
  const obj = input as AnyObject;
  obj.metadata.labels ??= {};
  obj.metadata.annotations ??= {};
  switch (obj.kind) {
    case 'Namespace':
    case 'ConfigMap':
    case 'PersistentVolumeClaim':
      if (obj.kind === 'PersistentVolumeClaim') obj.spec.volumeMode ??= 'Filesystem';
      break;
    case 'Secret':
      defaultSecret(obj);
      break;
    case 'StorageClass':
      // The API server's defaults (pkg/apis/storage/v1/defaults.go).
      obj.reclaimPolicy ??= 'Delete';
      obj.volumeBindingMode ??= 'Immediate';
      break;
    case 'PersistentVolume':
      // A PersistentVolume written by hand is retained (pkg/apis/core/v1/defaults.go).
      obj.spec.persistentVolumeReclaimPolicy ??= 'Retain';
      obj.spec.volumeMode ??= 'Filesystem';
      break;
    case 'Service':
      defaultService(obj);
      break;
    case 'Pod':
      defaultPodSpec(obj.spec);
      break;
    case 'ReplicaSet':
      defaultReplicaSet(obj);
      break;
    case 'ReplicationController':
      defaultReplicationController(obj);
      break;
    case 'Deployment':
      defaultDeployment(obj);
      break;
    case 'Job':
      defaultJobSpec(obj.spec);
      break;
    case 'CronJob':
      defaultCronJob(obj);
      break;
    case 'PodDisruptionBudget':
      obj.spec ??= {};
      break;
    case 'DaemonSet':
      defaultDaemonSet(obj);
      break;
    case 'StatefulSet':
      defaultStatefulSet(obj, defaultPodTemplate);
      break;
  }
  return obj as T;
}

function defaultSecret(s: Secret): void {
  s.type ??= 'Opaque';
  // The API server folds stringData into data and drops it; doing the same makes a secret
  // written either way hash and diff identically.
  if (s.stringData) {
    s.data ??= {};
    for (const [k, v] of Object.entries(s.stringData)) setOwn(s.data, k, Buffer.from(v, 'utf8').toString('base64'));
    delete s.stringData;
  }
}

function defaultService(s: Service): void {
  const spec = s.spec;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && spec.externalTrafficPolicy === undefined)
    spec.externalTrafficPolicy = 'Cluster';
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
}

export function defaultPodTemplate(t: PodTemplateSpec): void {
  t.metadata ??= {};
  t.metadata.labels ??= {};
  t.metadata.annotations ??= {};
  defaultPodSpec(t.spec);
}

export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

function defaultContainer(c: Container): void {
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  if (c.livenessProbe) defaultProbe(c.livenessProbe);
  if (c.readinessProbe) defaultProbe(c.readinessProbe);
  if (c.startupProbe) defaultProbe(c.startupProbe);
  for (const h of [c.lifecycle?.preStop, c.lifecycle?.postStart]) {
    if (h?.httpGet) {
      h.httpGet.path ??= '/';
      h.httpGet.scheme ??= 'HTTP';
    }
  }
}

/** `:latest` or no tag means Always; a digest or any other tag means IfNotPresent. */
export function defaultPullPolicy(image: string): Container['imagePullPolicy'] {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return lastSegment.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Probe): void {
  p.initialDelaySeconds ??= 0;
  p.periodSeconds ??= 10;
  p.timeoutSeconds ??= 1;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
  // Kubernetes defaults service to "" (the server as a whole); a YAML `service:` (null) reads the same.
  if (p.grpc) p.grpc.service ??= '';
}

function defaultVolume(v: Volume): void {
  // core/v1 SetDefaults_Volume: a volume with no source is an emptyDir (`- name: scratch`, or
  // `emptyDir:` left empty, which reads as unset). Any other key is a source.
  if (Object.keys(v).every((k) => k === 'name')) v.emptyDir = {};
  if (v.configMap) v.configMap.defaultMode ??= 0o644;
  if (v.secret) v.secret.defaultMode ??= 0o644;
  if (v.downwardAPI) v.downwardAPI.defaultMode ??= 0o644;
  if (v.projected) v.projected.defaultMode ??= 0o644;
}

function defaultReplicaSet(rs: ReplicaSet): void {
  rs.spec.replicas ??= 1;
  rs.spec.minReadySeconds ??= 0;
  defaultPodTemplate(rs.spec.template);
}

function defaultReplicationController(rc: ReplicationController): void {
  const labels = rc.spec.template?.metadata?.labels ?? {};
  // core/v1 SetDefaults_ReplicationController: selector and labels fall back to the template's.
  if (!rc.spec.selector || Object.keys(rc.spec.selector).length === 0) rc.spec.selector = { ...labels };
  if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
  rc.spec.replicas ??= 1;
  rc.spec.minReadySeconds ??= 0;
  defaultPodTemplate(rc.spec.template);
}

function defaultDeployment(d: Deployment): void {
  const spec = d.spec;
  spec.replicas ??= 1;
  spec.minReadySeconds ??= 0;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.paused ??= false;
  spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  const strategy = spec.strategy as { type?: string; rollingUpdate?: Partial<{ maxSurge: string | number; maxUnavailable: string | number }> };
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate ??= {};
    strategy.rollingUpdate.maxSurge ??= '25%';
    strategy.rollingUpdate.maxUnavailable ??= '25%';
  }
  defaultPodTemplate(spec.template);
}

/** apps/v1 SetDefaults_DaemonSet: RollingUpdate, maxUnavailable 1, maxSurge 0, 10 revisions kept. */
function defaultDaemonSet(d: DaemonSet): void {
  const spec = d.spec;
  spec.minReadySeconds ??= 0;
  spec.revisionHistoryLimit ??= 10;
  spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } };
  const strategy = spec.updateStrategy as { type?: string; rollingUpdate?: Partial<{ maxSurge: string | number; maxUnavailable: string | number }> };
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate ??= {};
    strategy.rollingUpdate.maxSurge ??= 0;
    strategy.rollingUpdate.maxUnavailable ??= 1;
  }
  defaultPodTemplate(spec.template);
}

export function defaultJobSpec(spec: JobSpec): void {
  // batch/v1 SetDefaults_Job: both unset → 1/1; only parallelism set → completions stays unset
  // (work-queue job), which berth models as completions = parallelism.
  const p = spec.parallelism;
  const c = spec.completions;
  if (c === undefined && p === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  } else {
    spec.parallelism ??= 1;
    spec.completions ??= spec.parallelism;
  }
  spec.backoffLimit ??= 6;
  defaultPodTemplate(spec.template);
}

function defaultCronJob(cj: CronJob): void {
  const spec = cj.spec;
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  spec.jobTemplate ??= { spec: {} as JobSpec };
  defaultJobSpec(spec.jobTemplate.spec);
}

