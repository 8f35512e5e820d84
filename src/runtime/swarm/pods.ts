import type { SwarmNode, SwarmTask } from '../../apply/swarm/observe.js';
import type { ObservedSwarmService } from '../../plan/swarm/plan.js';
import { SWARM_LABELS } from '../../plan/swarm/names.js';

/** A Swarm task as a pod (`get pods` on a Swarm): named as the workload's pods are on one host. */
export interface SwarmPod {
  namespace: string;
  name: string;
  /** The workload's resource key (`Deployment/shop/web`). */
  owner: string;
  labels: Record<string, string>;
  ready: boolean;
  /** kubectl's STATUS words: Pending, ContainerCreating, Running, Completed, Error, Terminating, Unknown. */
  status: string;
  /** Earlier tasks of the same slot that failed: Swarm replaces a task where the kubelet restarts a container. */
  restarts: number;
  createdAt: number;
  ip?: string;
  node: string;
  taskId: string;
  message: string;
}

/** Task states before the container runs (Swarm's task lifecycle). */
const PENDING: readonly string[] = ['new', 'allocated', 'pending', 'assigned'];
const CREATING: readonly string[] = ['accepted', 'preparing', 'ready', 'starting'];
const FAILED: readonly string[] = ['failed', 'rejected'];

/**
 * The app's current tasks as pods: those Swarm wants running (or finished, for jobs), and those
 * still running that it is stopping (Terminating). Earlier tasks of a slot count as restarts.
 */
export function swarmPods(services: readonly ObservedSwarmService[], tasks: readonly SwarmTask[], nodes: readonly SwarmNode[]): SwarmPod[] {
  const byId = new Map(services.map((s) => [s.id, s]));
  const hostnames = new Map(nodes.map((n) => [n.id, n.hostname]));
  const slotOf = (t: SwarmTask) => `${t.serviceId}/${t.slot ?? t.nodeId}`;
  const failures = new Map<string, number>();
  for (const t of tasks) if (FAILED.includes(t.state) || (t.state === 'shutdown' && t.exitCode !== undefined && t.exitCode !== 0)) failures.set(slotOf(t), (failures.get(slotOf(t)) ?? 0) + 1);
  const pods: SwarmPod[] = [];
  for (const t of tasks) {
    const s = byId.get(t.serviceId);
    if (!s || s.labels[SWARM_LABELS.role] !== 'workload') continue;
    const current = t.desiredState === 'running' || t.desiredState === 'complete' || (t.desiredState === 'shutdown' && t.state === 'running');
    if (!current) continue;
    const status = t.desiredState === 'shutdown' ? 'Terminating' : PENDING.includes(t.state) ? 'Pending' : CREATING.includes(t.state) ? 'ContainerCreating' : t.state === 'running' ? 'Running' : t.state === 'complete' ? 'Completed' : FAILED.includes(t.state) ? 'Error' : 'Unknown';
    let labels: Record<string, string> = {};
    try {
      labels = JSON.parse(t.containerLabels[SWARM_LABELS.podLabels] ?? '{}') as Record<string, string>;
    } catch {
      // A label berth did not write: the pod shows no labels rather than failing the listing.
    }
    pods.push({
      namespace: s.labels[SWARM_LABELS.namespace] ?? 'default',
      name: podName(s, t),
      owner: s.labels[SWARM_LABELS.key] ?? s.name,
      labels,
      ready: t.state === 'running' && t.desiredState === 'running',
      status,
      restarts: failures.get(slotOf(t)) ?? 0,
      createdAt: Date.parse(t.createdAt) || 0,
      ...(t.ip ? { ip: t.ip } : {}),
      node: hostnames.get(t.nodeId) ?? (t.nodeId ? t.nodeId.slice(0, 12) : '<none>'),
      taskId: t.id,
      message: t.err ?? t.message,
    });
  }
  return pods.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/**
 * `<name>-<template hash>-<slot>` for a replicated workload (the hostname its tasks get), the
 * node's ID for a global one (a DaemonSet), `<name>-<ordinal>` for a StatefulSet's ordinal and
 * the pod's own name for a bare Pod. A second task of a slot (the old one still stopping) adds
 * the task ID, so two rows never share a name.
 */
function podName(s: ObservedSwarmService, t: SwarmTask): string {
  const name = s.labels[SWARM_LABELS.name] ?? s.name;
  const kind = s.labels[SWARM_LABELS.kind];
  const hash = s.labels[SWARM_LABELS.templateHash] ?? '';
  const base =
    kind === 'StatefulSet' ? `${name}-${s.labels[SWARM_LABELS.ordinal]}` : kind === 'Pod' ? name : kind === 'Job' ? `${name}-${t.slot ?? 0}` : t.slot === undefined ? `${name}-${hash}-${t.nodeId.slice(0, 5)}` : `${name}-${hash}-${t.slot}`;
  return t.desiredState === 'shutdown' ? `${base}-${t.id.slice(0, 5)}` : base;
}

/** One earlier or current task of a pod's slot, for `describe pod` (node moves, failures). */
export interface SwarmTaskHistoryEntry {
  taskId: string;
  node: string;
  desiredState: string;
  state: string;
  message: string;
  /** When Swarm last changed the task (ms). */
  at: number;
}

/**
 * Every task Swarm still remembers for the pod's slot (a replicated service's slot, a global
 * service's node), newest first: where the pod ran before, and why each earlier task ended.
 */
export function slotHistory(pod: SwarmPod, tasks: readonly SwarmTask[], nodes: readonly SwarmNode[]): SwarmTaskHistoryEntry[] {
  const current = tasks.find((t) => t.id === pod.taskId);
  if (!current) return [];
  const hostnames = new Map(nodes.map((n) => [n.id, n.hostname]));
  const sameSlot = (t: SwarmTask) => t.serviceId === current.serviceId && (current.slot === undefined ? t.nodeId === current.nodeId : t.slot === current.slot);
  return tasks
    .filter(sameSlot)
    .map((t) => ({ taskId: t.id, node: hostnames.get(t.nodeId) ?? (t.nodeId.slice(0, 12) || '<none>'), desiredState: t.desiredState, state: t.state, message: t.err ?? t.message, at: Date.parse(t.updatedAt) || 0 }))
    .sort((a, b) => b.at - a.at || a.taskId.localeCompare(b.taskId));
}
