import type { ObservedContainer, ObservedPod } from '../plan/observed.js';
import { BerthError } from '../model/errors.js';

/** The pod annotation naming the container kubectl `logs`, `exec` and `attach` mean without `-c`. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

export interface ContainerChoice {
  container: ObservedContainer;
  /** Lines for stderr saying how the container was chosen (kubectl's words); empty when `-c` or the only one. */
  notes: string[];
}

/**
 * The container of a pod a command means, as kubectl ≥ 1.24 chooses for `logs`, `exec` and
 * `attach` alike (KEP-2227, podcmd.FindOrDefaultContainerByName): `-c NAME` (app or init
 * container); else the container the `kubectl.kubernetes.io/default-container` annotation names;
 * else the first app container, with a `Defaulted container` note when the pod has others.
 * (kubectl before 1.24 refused `logs` of a multi-container pod instead; its current behaviour
 * is the one a kubectl user meets today.)
 */
export function chooseContainer(pod: ObservedPod, name: string | undefined, annotations: Readonly<Record<string, string>> = {}, command: 'logs' | 'exec' = 'logs'): ContainerChoice {
  if (name !== undefined) return { container: containerNamed(pod, name), notes: [] };
  const notes: string[] = [];
  const annotated = annotations[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated) {
    if ([...pod.expectedContainers, ...pod.expectedInitContainers].includes(annotated)) return { container: containerNamed(pod, annotated), notes };
    // kubectl logs says so; exec and attach only log it at -v=4.
    if (command === 'logs') notes.push(`Default container name "${annotated}" not found in pod ${pod.name}`);
  }
  const first = pod.expectedContainers[0] ?? pod.containers[0]?.name;
  const container = first !== undefined ? pod.containers.find((c) => c.name === first) : undefined;
  if (!container) throw new BerthError('NOT_FOUND', `pod ${pod.name} has no containers on the host`, { pod: pod.key });
  if (pod.expectedContainers.length > 1 || pod.expectedInitContainers.length > 0) notes.push(`Defaulted container "${container.name}" out of: ${allContainerNames(pod)}`);
  return { container, notes };
}

/** `-c NAME`: an app or init container of the pod; kubectl's error for a name the pod does not have. */
export function containerNamed(pod: ObservedPod, name: string): ObservedContainer {
  const c = [...pod.containers, ...pod.initContainers].find((x) => x.name === name);
  if (c) return c;
  const known = [...pod.expectedContainers, ...pod.expectedInitContainers];
  if (known.includes(name)) throw new BerthError('NOT_FOUND', `container ${name} of pod ${pod.name} does not exist on the host (it was removed; the next apply recreates it)`, { pod: pod.key, container: name });
  // A container the pod lacks is kubectl's runtime error (exit 1), not a wrong command line.
  throw new BerthError('NOT_FOUND', `container ${name} is not valid for pod ${pod.name}`, { pod: pod.key, container: name });
}

/** kubectl's list for the note: app containers, then init containers marked `(init)`. */
export function allContainerNames(pod: ObservedPod): string {
  return [...pod.expectedContainers, ...pod.expectedInitContainers.map((n) => `${n} (init)`)].join(', ');
}

/**
 * `--all-containers`: init containers, then app containers, in spec order, as kubectl asks the
 * kubelet for them. Only those on the host (an init container berth removed has no log left).
 */
export function allContainers(pod: ObservedPod): ObservedContainer[] {
  const pick = (names: readonly string[], from: readonly ObservedContainer[]) => names.flatMap((n) => from.filter((c) => c.name === n));
  const named = [...pick(pod.expectedInitContainers, pod.initContainers), ...pick(pod.expectedContainers, pod.containers)];
  // A pod whose labels predate the name lists still has containers: keep them.
  return named.length ? named : [...pod.initContainers, ...pod.containers];
}
