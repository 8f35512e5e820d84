import type { Action } from '../actions.js';
import type { ObservedPod } from '../observed.js';
import type { PodPlan } from '../pod-plan.js';

/**
 * A running bare pod whose downwardAPI volumes hold older metadata than its manifest (its labels
 * or annotations changed, which Kubernetes applies to the running pod): the files are written
 * anew, as the kubelet's next sync does, and the containers go on running. Only pods observed
 * with their volumes' versions (passes) are judged; one not yet written counts as stale.
 */
export function updateDownwardFiles(key: string, pod: ObservedPod, plan: PodPlan): Action | undefined {
  const seen = pod.downwardVersions;
  if (!seen || pod.inPlaceHash === undefined) return undefined;
  const stale = plan.volumes.filter((v) => v.type === 'files' && v.version !== undefined && seen[v.name] !== v.version).map((v) => v.name);
  if (stale.length === 0) return undefined;
  return { type: 'update-volume-files', key, pod: plan, volumes: stale, reason: `the labels or annotations of pod ${pod.name} changed` };
}

/**
 * A bare pod's labels are its manifest's as applied (the inventory), as a Kubernetes pod's
 * metadata is what was last applied to it: the label on its containers was written when it was
 * created and cannot change. Only pods that keep running through a metadata change (inPlaceHash)
 * differ from that label; Services select them by the labels they have now.
 */
export function withAppliedLabels(pod: ObservedPod, inventory: readonly { key: string; kind: string; object: unknown }[]): ObservedPod {
  if (pod.inPlaceHash === undefined || pod.owner !== pod.controller) return pod;
  const entry = inventory.find((e) => e.key === pod.controller && e.kind === 'Pod');
  const labels = (entry?.object as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels;
  return entry ? { ...pod, labels: { ...(labels ?? {}) } } : pod;
}
