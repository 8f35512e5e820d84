import { matches, selectorFromMap } from '../model/selectors.js';
import type { Resource, Service } from '../model/types.js';
import type { PodPlan } from './pod-plan.js';

/**
 * How a pod runs on Docker (issue 18, docs/decisions.md "Cold apply: single-container pods"):
 * - `sandbox`: a pause container owns the pod's namespaces (network, IPC, hostname, DNS) and the
 *   pod's containers join it; Docker assigns its address;
 * - `single`: the pod's one container owns its namespaces itself, with an address berth claimed
 *   for the pod from the namespace network's pod range (apply/pod-ips.ts), so the address
 *   survives the container's restarts and its re-creation under the same pod. Half the
 *   containers of a sandbox pod: a cold apply of such pods costs what compose's `up -d` does.
 */
export type PodShape = 'single' | 'sandbox';

export interface PodShapeInputs {
  /** A NodePort or LoadBalancer Service of the pod's namespace selects it (hostExposedBy). */
  hostExposed: boolean;
  /** The namespace network has a pod range (label berth.pod-range): made by a berth that assigns pod addresses. */
  podRange: boolean;
}

/**
 * The pod's shape and, for `sandbox`, the first reason it needs one. Each reason is something the
 * sandbox does that one container owning its namespace could not do the same way.
 */
export function podShape(pod: PodPlan, o: PodShapeInputs): { shape: PodShape; reason?: string } {
  const reason = sandboxReason(pod, o);
  return reason === undefined ? { shape: 'single' } : { shape: 'sandbox', reason };
}

function sandboxReason(pod: PodPlan, o: PodShapeInputs): string | undefined {
  if (pod.containers.length !== 1) return 'more than one container share its namespaces';
  if (pod.initContainers.length > 0) return 'init containers run before the app container in namespaces that outlive them';
  if (pod.shareProcessNamespace) return 'shareProcessNamespace joins the sandbox\'s process namespace';
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) return 'host namespaces';
  // Restarts of pods that run to completion (Jobs) are the keeper's and the planner's with a
  // sandbox holding the pod's address; single pods were built and verified for Always only.
  if (pod.restartPolicy !== 'Always') return `restartPolicy ${pod.restartPolicy}`;
  const c = pod.containers[0]!;
  if (c.ports.some((p) => p.hostPort)) return 'hostPorts are published by the sandbox';
  // configMap/secret/downwardAPI/projected files are written through the sandbox's archive API
  // before any container reads them (apply/pod-volumes.ts); a Memory emptyDir is a tmpfs Docker
  // empties when the last container using it stops, which the sandbox holds across restarts.
  const held = pod.volumes.find((v) => v.type === 'files' || (v.type === 'emptyDir' && v.medium === 'memory'));
  if (held) return `volume ${held.name} is ${held.type === 'files' ? 'written through' : 'held mounted by'} the sandbox`;
  // The pod's addresses and uid are read from its sandbox before its containers are created.
  if (c.env.some((e) => 'fieldRef' in e)) return 'fieldRef env is read from the sandbox';
  // The kernel fast path drains a departing endpoint's flows before the sandbox (holding the
  // address) goes (runtime/services.ts afterStop); kept as it is for host-published pods.
  if (o.hostExposed) return 'a NodePort or LoadBalancer Service selects it';
  if (!o.podRange) return 'its namespace network was made by an older berth, without a pod range';
  return undefined;
}

/** Whether a NodePort or LoadBalancer Service of the pod's namespace selects the pod's labels. */
export function hostExposedBy(services: readonly Resource<Service>[], pod: Pick<PodPlan, 'namespace' | 'labels'>): boolean {
  return services.some((r) => {
    const svc = r.object;
    if (svc.spec.type !== 'NodePort' && svc.spec.type !== 'LoadBalancer') return false;
    if ((r.object.metadata.namespace ?? 'default') !== pod.namespace || !svc.spec.selector) return false;
    return matches(selectorFromMap(svc.spec.selector), pod.labels);
  });
}
