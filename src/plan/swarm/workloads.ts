import type { DesiredState, Workload } from '../desired.js';
import type { PodPlan } from '../pod-plan.js';
import type { NodeSelectorRequirement, PodScheduling } from '../../model/types.js';
import { keyedDigest } from '../../model/hash.js';
import type { SwarmFileObject, SwarmMode, SwarmServiceSpec, SwarmTaskTemplate, SwarmUpdateConfig } from './types.js';
import { NS } from './types.js';
import type { SwarmProblem, TaskTemplateResult } from './container.js';
import { NODE_ID, TASK_SLOT, taskTemplate } from './container.js';
import type { ProxiedReadiness } from './readiness.js';
import { headlessAliases } from './dns-names.js';
import { ownerLabels, swarmNames, SWARM_LABELS } from './names.js';


/** One Swarm service berth wants, and what it was made from. */
export interface DesiredSwarmService {
  /** The Kubernetes object's resource key (`Deployment/shop/web`). */
  key: string;
  kind: string;
  namespace: string;
  name: string;
  role: 'workload' | 'service-proxy';
  spec: SwarmServiceSpec;
  /** The pod template's hash (workloads): task pods are named `<name>-<hash>-<slot>`. */
  templateHash?: string;
  /** Container ports, for the Services that select this workload's pods. */
  ports: TaskTemplateResult['ports'];
  podLabels: Record<string, string>;
  /** An httpGet or tcpSocket readiness probe, numeric port, for the proxies of the Services selecting it. */
  readiness?: ProxiedReadiness;
  /** A paused Deployment (its spec or `rollout pause`): the service that runs is not updated. */
  paused?: boolean;
}

export interface WorkloadServices {
  services: DesiredSwarmService[];
  files: SwarmFileObject[];
  problems: Array<SwarmProblem & { key: string }>;
}

/**
 * Every pod-producing object of the revision as Swarm services (SPEC §9): Deployments,
 * ReplicaSets and bare Pods as replicated services, DaemonSets as global ones, Jobs as
 * replicated jobs, StatefulSets as one service per ordinal (stable name, hostname and volume).
 * CronJobs are the daemon's to start as Jobs, as on one host.
 */
export function workloadServices(app: string, desired: DesiredState): WorkloadServices {
  const out: WorkloadServices = { services: [], files: [], problems: [] };
  for (const w of desired.workloads) {
    if (w.kind === 'StatefulSet') {
      for (let i = 0; i < w.replicas; i++) {
        const ordinal = w.ordinalStart + i;
        add(out, app, desired, w, `${w.name}-${ordinal}`, { Replicated: { Replicas: 1 } }, stopFirst(1, w.minReadySeconds), ordinal);
      }
      continue;
    }
    const slotName = `${w.name}-${w.template.hash}-${TASK_SLOT}`;
    switch (w.kind) {
      case 'Deployment':
        add(out, app, desired, w, slotName, { Replicated: { Replicas: w.replicas } }, w.strategy === 'Recreate' ? stopFirst(0, w.minReadySeconds) : rolling(w.maxSurge, w.maxUnavailable, w.minReadySeconds));
        break;
      case 'ReplicaSet':
      case 'ReplicationController':
        add(out, app, desired, w, slotName, { Replicated: { Replicas: w.replicas } }, rolling(1, 0, w.minReadySeconds));
        break;
      case 'DaemonSet':
        add(out, app, desired, w, `${w.name}-${w.template.hash}-${NODE_ID}`, { Global: {} }, w.maxSurge > 0 ? rolling(w.maxSurge, 0, w.minReadySeconds) : stopFirst(w.maxUnavailable, w.minReadySeconds));
        break;
      case 'Job':
        add(out, app, desired, w, `${w.name}-${TASK_SLOT}`, { ReplicatedJob: { MaxConcurrent: w.parallelism, TotalCompletions: w.completions } }, undefined);
        break;
      case 'Pod':
        add(out, app, desired, w, w.name, { Replicated: { Replicas: 1 } }, stopFirst(1, 0));
        break;
    }
  }
  return out;
}

function add(out: WorkloadServices, app: string, desired: Pick<DesiredState, 'services' | 'hashKey'>, w: Workload, podName: string, mode: SwarmMode, update: SwarmUpdateConfig | undefined, ordinal?: number): void {
  const pod: PodPlan = w.template.build(podName);
  const podLabels = { ...pod.labels };
  // A bare Pod's fields are under `spec`, a template's under `spec.template.spec` (a CronJob's deeper).
  const t = taskTemplate(app, pod, podLabels, desired.hashKey, w.kind === 'Pod' ? 'spec' : 'spec.template.spec');
  for (const p of t.problems) out.problems.push({ ...p, key: w.key });
  const placement = constraints(w.podTemplate.spec, out, w.key);
  const template: SwarmTaskTemplate = {
    ...t.template,
    RestartPolicy: restartPolicy(w, pod),
    ...(placement.length ? { Placement: { Constraints: placement } } : {}),
    Networks: [{ Target: swarmNames.network(app, w.namespace), Aliases: [...aliases(w, ordinal), ...headlessAliases(desired.services, w.namespace, podLabels)] }],
  };
  const name = swarmNames.workload(app, w.kind, w.namespace, w.name, ordinal);
  const base: Omit<SwarmServiceSpec, 'Labels'> = { Name: name, TaskTemplate: template, Mode: mode, ...(update ? { UpdateConfig: update, RollbackConfig: { ...update, FailureAction: 'pause' } } : {}), EndpointSpec: { Mode: 'dnsrr' } };
  const labels = {
    ...ownerLabels(app),
    [SWARM_LABELS.namespace]: w.namespace,
    [SWARM_LABELS.kind]: w.kind,
    [SWARM_LABELS.name]: w.name,
    [SWARM_LABELS.key]: w.key,
    [SWARM_LABELS.role]: 'workload',
    [SWARM_LABELS.templateHash]: w.template.hash,
    ...(ordinal === undefined ? {} : { [SWARM_LABELS.ordinal]: String(ordinal) }),
  };
  // Keyed: the spec's Env holds Secret values, and the label is shown by `docker service inspect`.
  const spec: SwarmServiceSpec = { ...base, Labels: { ...labels, [SWARM_LABELS.specHash]: keyedDigest(desired.hashKey, { base, labels }).toString('hex').slice(0, 16) } };
  for (const f of t.files) if (!out.files.some((x) => x.name === f.name)) out.files.push(f);
  out.services.push({ key: w.key, kind: w.kind, namespace: w.namespace, name: w.name, role: 'workload', spec, templateHash: w.template.hash, ports: t.ports, podLabels, ...(t.readiness ? { readiness: t.readiness } : {}), ...(w.kind === 'Deployment' && w.paused ? { paused: true } : {}) });
}

/** A StatefulSet's ordinal answers as `<pod>.<serviceName>` in its namespace, as on one host. */
function aliases(w: Workload, ordinal: number | undefined): string[] {
  if (w.kind !== 'StatefulSet' || ordinal === undefined) return [];
  const pod = `${w.name}-${ordinal}`;
  return w.serviceName ? [pod, `${pod}.${w.serviceName}`, `${pod}.${w.serviceName}.${w.namespace}.svc.cluster.local`] : [pod];
}

/**
 * A Deployment's strategy as Swarm's update config: with maxUnavailable 0 new tasks start
 * before old ones stop (start-first), maxSurge at a time; otherwise old ones stop first,
 * maxUnavailable at a time. Monitor is minReadySeconds: a task that fails within it fails the
 * update, which Swarm then rolls back; berth's own deadline and rollback sit on top.
 */
export function rolling(maxSurge: number, maxUnavailable: number, minReadySeconds: number): SwarmUpdateConfig {
  const surge = maxUnavailable === 0 || maxSurge > 0;
  return {
    Parallelism: Math.max(1, surge ? maxSurge : maxUnavailable),
    Delay: 0,
    FailureAction: 'rollback',
    Monitor: Math.max(1, minReadySeconds) * NS,
    MaxFailureRatio: 0,
    Order: surge ? 'start-first' : 'stop-first',
  };
}

/** Stop-first, `parallelism` at a time (0: all at once, as Recreate does). */
function stopFirst(parallelism: number, minReadySeconds: number): SwarmUpdateConfig {
  return { Parallelism: parallelism, Delay: 0, FailureAction: 'rollback', Monitor: Math.max(1, minReadySeconds) * NS, MaxFailureRatio: 0, Order: 'stop-first' };
}

function restartPolicy(w: Workload, pod: PodPlan): SwarmTaskTemplate['RestartPolicy'] {
  // Kubernetes retries a failed Job pod (a new pod under Never, the container under OnFailure)
  // up to backoffLimit times; Swarm's MaxAttempts 0 means unlimited, so a limit of 0 is `none`.
  if (w.kind === 'Job') return w.backoffLimit === 0 ? { Condition: 'none', Delay: NS } : { Condition: 'on-failure', Delay: NS, MaxAttempts: w.backoffLimit };
  if (w.kind === 'Pod') return { Condition: pod.restartPolicy === 'Always' ? 'any' : pod.restartPolicy === 'OnFailure' ? 'on-failure' : 'none', Delay: NS };
  return { Condition: 'any', Delay: NS };
}

/**
 * nodeSelector and required node affinity as Swarm placement constraints on node labels.
 * Swarm ANDs constraints and has no OR, no Exists and no numeric comparison: one affinity
 * term of In (one value) and NotIn maps; anything else is a problem. `kubernetes.io/hostname`
 * is the node's hostname. Tolerations have nothing to tolerate: Swarm has no taints.
 */
function constraints(spec: PodScheduling, out: WorkloadServices, key: string): string[] {
  const field = (k: string) => (k === 'kubernetes.io/hostname' ? 'node.hostname' : `node.labels.${k}`);
  const list = Object.entries(spec.nodeSelector ?? {}).map(([k, v]) => `${field(k)}==${v}`);
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const path = 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms';
  if (terms.length > 1) out.problems.push({ key, path, message: 'Swarm constraints cannot OR several terms: use one term' });
  const one = (r: NodeSelectorRequirement): string[] | undefined => {
    if (r.operator === 'In' && r.values?.length === 1) return [`${field(r.key)}==${r.values[0]}`];
    if (r.operator === 'NotIn') return (r.values ?? []).map((v) => `${field(r.key)}!=${v}`);
    return undefined;
  };
  for (const r of terms[0]?.matchExpressions ?? []) {
    const c = one(r);
    if (c) list.push(...c);
    else out.problems.push({ key, path, message: `${r.key} ${r.operator}${r.values ? ` (${r.values.length} values)` : ''}: Swarm constraints express only In with one value and NotIn` });
  }
  if (terms[0]?.matchFields?.length) out.problems.push({ key, path, message: 'matchFields is not supported on Swarm (use kubernetes.io/hostname in matchExpressions)' });
  // Sorted: a map's key order in the YAML is no change, and must not roll the tasks.
  return list.sort();
}
