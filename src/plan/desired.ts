import type {
  AnyObject,
  ConfigMap,
  CronJob,
  DaemonSet,
  Deployment,
  Job,
  PersistentVolumeClaim,
  Pod,
  PodTemplateSpec,
  ReplicaSet,
  ReplicationController,
  Resource,
  Secret,
  Service,
  StatefulSet,
} from '../model/types.js';
import { resourceKey } from '../model/types.js';
import { resolveFenceposts } from '../model/int-or-string.js';
import type { HashKey } from '../model/hash.js';
import type { ConfigIndex, TemplateContext, TemplatePlan } from './pod-plan.js';
import { planTemplate } from './pod-plan.js';
import type { NodeFacts } from './downward-plan.js';
import type { DaemonSetWorkload } from './daemonset-desired.js';
import { daemonSetTemplate, daemonSetWorkload } from './daemonset-desired.js';
import type { StatefulSetWorkload } from './controllers/statefulset-workload.js';
import { statefulSetWorkload } from './controllers/statefulset-workload.js';

/**
 * The revision's resources reshaped for planning: namespaces to exist, claims to exist,
 * config content by name, and one Workload per pod-producing object with its template
 * resolved and hashed.
 */
export interface DesiredState {
  resources: readonly Resource[];
  byKey: ReadonlyMap<string, Resource>;
  /** Every namespace something lives in, declared or implicit (`default`). Sorted. */
  namespaces: string[];
  configs: ConfigIndex;
  /** Key of the pod-template-hash (the host's, for this app); templates resolved later reuse it. */
  hashKey: HashKey;
  claims: Resource<PersistentVolumeClaim>[];
  services: Resource<Service>[];
  workloads: Workload[];
  /** The host as a node, when the pass asked Docker (templates read it: plan/downward-plan.ts readsNode). */
  node?: NodeFacts;
}

interface WorkloadBase {
  /** resource key, also the pods' `controller` */
  key: string;
  namespace: string;
  name: string;
  template: TemplatePlan;
  podTemplate: PodTemplateSpec;
}

export type Workload =
  | (WorkloadBase & { kind: 'Pod' })
  | (WorkloadBase & { kind: 'ReplicaSet' | 'ReplicationController'; replicas: number; minReadySeconds: number })
  | (WorkloadBase & {
      kind: 'Deployment';
      replicas: number;
      strategy: 'RollingUpdate' | 'Recreate';
      maxSurge: number;
      maxUnavailable: number;
      minReadySeconds: number;
      progressDeadlineSeconds: number;
      revisionHistoryLimit: number;
      paused: boolean;
      /**
       * Paused only (plan/rollouts/effective.ts): the templates of its rollout history, hashed
       * as today, so the controller can scale the ReplicaSet that runs while the source's
       * template waits for a resume, as Kubernetes scales the old ReplicaSet of a paused one.
       */
      pausedTemplates?: readonly TemplatePlan[];
      changeCause?: string;
    })
  | (WorkloadBase & {
      kind: 'Job';
      completions: number;
      parallelism: number;
      backoffLimit: number;
      activeDeadlineSeconds?: number;
    })
  | DaemonSetWorkload
  | StatefulSetWorkload;

/** Workloads with numbered revisions, `rollout history|undo|restart` (plan/rollouts/). */
export type RolloutWorkload = Extract<Workload, { kind: 'Deployment' | 'DaemonSet' }>;

export function hasRollouts(w: Workload): w is RolloutWorkload {
  return w.kind === 'Deployment' || w.kind === 'DaemonSet';
}

export type WorkloadKind = Workload['kind'];

/** CronJobs produce Jobs over time; the daemon's scheduler turns them into Job workloads. */
export function cronJobs(desired: DesiredState): Resource<CronJob>[] {
  return desired.resources.filter((r): r is Resource<CronJob> => r.object.kind === 'CronJob');
}

export interface DesiredStateOptions {
  /**
   * Key of the pod-template-hash: runtime/host-key.ts derives it from the host's key for the
   * app. Passed in like the clock: the same template gets the same hash on the same host, and
   * a hash cannot be recomputed (nor a Secret in it guessed) without the key.
   */
  hashKey: HashKey;
  /** The host as a node (name, allocatable) for the downward API; read by the pass, like the clock passed in. */
  node?: NodeFacts;
}

export function buildDesiredState(resources: readonly Resource[], options: DesiredStateOptions): DesiredState {
  const byKey = new Map(resources.map((r) => [r.key, r]));
  const configMaps = new Map<string, ConfigMap>();
  const secrets = new Map<string, Secret>();
  const namespaces = new Set<string>();
  for (const r of resources) {
    const o = r.object;
    if (o.kind === 'Namespace') namespaces.add(o.metadata.name);
    else if (o.metadata.namespace) namespaces.add(o.metadata.namespace);
    if (o.kind === 'ConfigMap') configMaps.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
    if (o.kind === 'Secret') secrets.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
  }
  const configs: ConfigIndex = { configMaps, secrets };
  const ctx: TemplateContext = { configs, hashKey: options.hashKey, ...(options.node ? { node: options.node } : {}) };
  const workloads: Workload[] = [];
  for (const r of resources) {
    const w = workloadOf(r.object, ctx);
    if (w) workloads.push(w);
  }
  return {
    resources,
    byKey,
    namespaces: [...namespaces].sort(),
    configs,
    hashKey: options.hashKey,
    claims: resources.filter((r): r is Resource<PersistentVolumeClaim> => r.object.kind === 'PersistentVolumeClaim'),
    services: resources.filter((r): r is Resource<Service> => r.object.kind === 'Service'),
    workloads,
    ...(options.node ? { node: options.node } : {}),
  };
}

function workloadOf(o: AnyObject, ctx: TemplateContext): Workload | undefined {
  const ns = o.metadata.namespace ?? 'default';
  const name = o.metadata.name;
  const key = resourceKey(o.kind, ns, name);
  switch (o.kind) {
    case 'Pod': {
      const pod = o as Pod;
      const podTemplate: PodTemplateSpec = { metadata: { labels: pod.metadata.labels ?? {}, annotations: pod.metadata.annotations ?? {} }, spec: pod.spec };
      return { kind: 'Pod', key, namespace: ns, name, podTemplate, template: planTemplate(podTemplate, { namespace: ns, owner: key, controller: key, inPlaceMetadata: true }, ctx) };
    }
    case 'ReplicaSet':
    case 'ReplicationController': {
      const rs = o as ReplicaSet | ReplicationController;
      const podTemplate = rs.spec.template;
      return {
        kind: o.kind,
        key,
        namespace: ns,
        name,
        podTemplate,
        replicas: rs.spec.replicas,
        minReadySeconds: rs.spec.minReadySeconds,
        template: planTemplate(podTemplate, { namespace: ns, owner: key, controller: key }, ctx),
      };
    }
    case 'Deployment': {
      const d = o as Deployment;
      const rolling = d.spec.strategy.type === 'RollingUpdate' ? d.spec.strategy.rollingUpdate : undefined;
      const { surge, unavailable } = rolling ? resolveFenceposts(rolling.maxSurge, rolling.maxUnavailable, d.spec.replicas) : { surge: 0, unavailable: d.spec.replicas };
      const podTemplate = d.spec.template;
      const changeCause = d.metadata.annotations?.['kubernetes.io/change-cause'];
      return {
        kind: 'Deployment',
        key,
        namespace: ns,
        name,
        podTemplate,
        replicas: d.spec.replicas,
        strategy: d.spec.strategy.type,
        maxSurge: surge,
        maxUnavailable: unavailable,
        minReadySeconds: d.spec.minReadySeconds,
        progressDeadlineSeconds: d.spec.progressDeadlineSeconds,
        revisionHistoryLimit: d.spec.revisionHistoryLimit,
        paused: d.spec.paused,
        ...(changeCause ? { changeCause } : {}),
        template: deploymentTemplate(ns, name, key, podTemplate, ctx),
      };
    }
    case 'Job':
      return jobWorkload(o as Job, key, ctx);
    case 'DaemonSet':
      return daemonSetWorkload(o as DaemonSet, key, ctx);
    case 'StatefulSet':
      return statefulSetWorkload(o as StatefulSet, key, ctx);
    default:
      return undefined;
  }
}

type DeploymentWorkload = Extract<Workload, { kind: 'Deployment' }>;

function deploymentTemplate(ns: string, name: string, key: string, podTemplate: PodTemplateSpec, ctx: TemplateContext): TemplatePlan {
  return planTemplate(podTemplate, { namespace: ns, owner: `ReplicaSet/${ns}/${name}-{hash}`, controller: key, hashLabel: 'pod-template-hash' }, ctx);
}

/**
 * The same Deployment running another pod template: an earlier revision (`rollout undo`, an
 * automatic rollback) or the source's template with a restart stamp. Config references in
 * that template resolve against the revision's current ConfigMaps and Secrets, and it is
 * hashed under the same key (pass the DesiredState).
 */
export function withPodTemplate<W extends RolloutWorkload>(w: W, podTemplate: PodTemplateSpec, ctx: TemplateContext): W {
  const template = w.kind === 'DaemonSet' ? daemonSetTemplate(w.namespace, w.key, podTemplate, ctx) : deploymentTemplate(w.namespace, w.name, w.key, podTemplate, ctx);
  return { ...w, podTemplate, template };
}

export function jobWorkload(job: Job, key: string, ctx: TemplateContext): Workload {
  const ns = job.metadata.namespace ?? 'default';
  const podTemplate = job.spec.template;
  return {
    kind: 'Job',
    key,
    namespace: ns,
    name: job.metadata.name,
    podTemplate,
    completions: job.spec.completions,
    parallelism: job.spec.parallelism,
    backoffLimit: job.spec.backoffLimit,
    ...(job.spec.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: job.spec.activeDeadlineSeconds } : {}),
    template: planTemplate(podTemplate, { namespace: ns, owner: key, controller: key, extraLabels: { 'job-name': job.metadata.name } }, ctx),
  };
}
