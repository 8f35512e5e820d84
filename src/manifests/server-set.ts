import type { Rec } from './checks/values.js';
import { rec } from './checks/values.js';

/**
 * Annotations the server side writes on an object, never its author: berth's views add them
 * (`get -o yaml`), kubectl writes its last-applied copy. A manifest saved from `get -o yaml`
 * (or `kubectl get -o yaml`) and applied again carries them; they are no part of what the
 * author says, so they are dropped as the fields an API server writes are (status, uid,
 * creationTimestamp, resourceVersion, generation, managedFields: the schemas' x-berth-ignored),
 * quietly, as kubectl does: a round trip is `unchanged`, and `diff` shows nothing.
 */
export const SERVER_SET_ANNOTATIONS: readonly string[] = [
  // The revision an object was applied from (runtime/views/meta.ts SOURCE_REVISION_ANNOTATION).
  'berth.dev/source-revision',
  // A Deployment's current revision, as Kubernetes' deployment controller writes it.
  'deployment.kubernetes.io/revision',
  // A DaemonSet's current revision, as Kubernetes' DaemonSet controller writes it.
  'deprecated.daemonset.template.generation',
  // kubectl apply's copy of what it applied: kubectl rewrites it on every apply.
  'kubectl.kubernetes.io/last-applied-configuration',
];

/** Drops SERVER_SET_ANNOTATIONS from a parsed manifest, in place; an annotation map left empty goes too. */
export function dropServerSetAnnotations(object: Rec): void {
  const meta = rec(object.metadata);
  const annotations = rec(meta?.annotations);
  if (!meta || !annotations) return;
  for (const key of SERVER_SET_ANNOTATIONS) delete annotations[key];
  if (Object.keys(annotations).length === 0) delete meta.annotations;
}
