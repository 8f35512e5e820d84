import type { ContainerDetail } from '../../apply/observe.js';

/**
 * Which containers a read inspects for the views it builds (ReadLiveOptions.detail). Docker's
 * container list lacks start times, restart counts and exit details of running containers; one
 * inspect per container gets them, and at a thousand pods those inspects are most of a read.
 * A read inspects the containers whose details its output shows, and no others: the views of
 * the containers it shows are the ones a full read builds.
 */

/**
 * The app and init containers, not the sandboxes: a table of pods shows restarts (and when the
 * last one was) of the containers, and nothing of a sandbox's start (a pod's startTime and its
 * conditions' times are in -o json/yaml and describe only).
 */
export const containersOnly: ContainerDetail = (c) => c.role === 'container' || c.role === 'init';

/**
 * The pods `describe pod NAME…` may show: those named, or whose name starts with a name (describe
 * falls back to the prefix), in `namespace` (undefined: any).
 */
export function podsNamed(namespace: string | undefined, names: readonly string[]): ContainerDetail {
  return (c) => (namespace === undefined || c.namespace === namespace) && names.some((n) => c.pod.startsWith(n));
}
