import type { PodStatusRecord } from '../model/state.js';
import { own } from '../model/own.js';
import type { ObservedContainer, ObservedPod } from './observed.js';

/**
 * What a prober running in this process thinks of a pod. It has one only once it has probed
 * every readiness-probed container of the pod at least once (runtime/readiness.ts): before
 * that it knows less than the store.
 */
export interface ProberOpinion {
  /** All containers ready by their probes. */
  ready: boolean;
  /** Per container name: ready by its probes (a container without a readiness probe: when it runs). */
  containers: Readonly<Record<string, boolean>>;
  /** When the prober first saw the pod ready (ms), while it still is: minReadySeconds counts from here. */
  since?: number;
  /** Containers whose last readiness probe failed, with the probe's message (`describe`). */
  messages?: Readonly<Record<string, string>>;
}

export interface ReadinessInput {
  pod: ObservedPod;
  /** Names of the pod's containers that have a readiness probe (their labels). */
  probed: ReadonlySet<string>;
  /** The prober's opinion when a prober runs in this process and has one. */
  prober?: ProberOpinion;
  /** The pod status the store holds for this pod key (written by whichever process probed it). */
  record?: PodStatusRecord;
}

export interface PodReadiness {
  ready: boolean;
  /** Where the verdict came from: this process's prober, the store's record, or the kubelet default. */
  source: 'prober' | 'record' | 'default';
  /** Per expected app container: ready (`containerStatuses[].ready`). */
  containers: Record<string, boolean>;
  readySince?: number;
  probeMessages?: Record<string, string>;
}

/**
 * The one readiness rule (issue 12 F5), used by the pass, the views, the live diff and delete:
 *
 * 1. A pod is ready only while its sandbox and every expected app container run: no opinion
 *    overrides a stopped container (the kubelet marks such a pod not ready at once).
 * 2. Among running pods, the prober of this process knows best, once it has an opinion.
 * 3. Else the store's record, if it describes this incarnation of the pod (written after the
 *    pod was created: a re-created pod must not inherit its predecessor's readiness).
 * 4. Else the kubelet's default: a container without a readiness probe is ready when it runs,
 *    one with a readiness probe is not until some prober has seen it pass.
 */
export function podReadiness(input: ReadinessInput): PodReadiness {
  const { pod, probed, prober } = input;
  const record = input.record && isFreshRecord(input.record, pod) ? input.record : undefined;
  const source = prober ? 'prober' : record ? 'record' : 'default';
  const sandboxUp = pod.sandbox?.state === 'running';
  const containers: Record<string, boolean> = {};
  for (const name of pod.expectedContainers) {
    const c = pod.containers.find((x) => x.name === name);
    const verdict = prober ? (own(prober.containers, name) ?? prober.ready) : record ? (own(record.containers, name)?.ready ?? !probed.has(name)) : !probed.has(name);
    containers[name] = sandboxUp && c !== undefined && isRunning(c) && verdict;
  }
  const podVerdict = prober ? prober.ready : record ? record.ready : true;
  const ready = sandboxUp && pod.expectedContainers.length > 0 && Object.values(containers).every(Boolean) && podVerdict;
  return {
    ready,
    source,
    containers,
    ...(ready && prober?.since !== undefined ? { readySince: prober.since } : {}),
    ...(prober?.messages && Object.keys(prober.messages).length ? { probeMessages: { ...prober.messages } } : {}),
  };
}

/** A record written before the pod was created belongs to an earlier pod of the same name. */
export function isFreshRecord(record: PodStatusRecord, pod: Pick<ObservedPod, 'createdAt'>): boolean {
  return record.updatedAt >= pod.createdAt;
}

function isRunning(c: ObservedContainer): boolean {
  return c.state === 'running' && !c.restarting;
}
