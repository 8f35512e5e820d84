import type { PreparedRoots } from './volumes/safe-mounts.js';
import type { Clock } from '../model/clock.js';
import type { PodPlan } from '../plan/pod-plan.js';
import type { DockerClient } from './docker.js';
import type { EnsureImageResult } from './images/index.js';
import type { ImageCache } from './images/cache.js';
import { L, ownerLabels } from './labels.js';
import type { PodIps } from './pod-ips.js';
import type { DataplaneState } from './services/dataplane-state.js';

export interface PodContext {
  docker: DockerClient;
  app: string;
  clock: Clock;
  /** Image pulls of this pass, so each image is pulled once however many pods use it. */
  pulls: Map<string, Promise<EnsureImageResult>>;
  /** Warnings for the event log (image pull fell back to a local copy, ...). */
  warn: (key: string, reason: string, message: string) => void;
  /** Pod DNS: search domains and servers of the namespace (services issue adds a resolver). */
  dns?: (namespace: string) => { servers: string[]; search: string[] };
  /** The app's data-plane memory (config writes, DNS addresses), from the composition root. */
  dataplane: DataplaneState;
  /** berth's own images (sandbox, data plane), made ready once per composition root. */
  images: ImageCache;
  /**
   * The host policy's hostPath prefixes, which hostPaths are resolved from (volumes/safe-mounts);
   * unknown (undefined), a hostPath is resolved from / without following any symlink.
   */
  hostPathPrefixes?: readonly string[];
  /** The host policy's allowedRegistries, which a pull from a registry on berth's host needs (images/registry-address). */
  allowedRegistries?: readonly string[];
  /** Where subPath/hostPath binds are made (SAFE_MOUNT_ROOT; tests may move it). */
  safeMountRoot?: string;
  /** The control plane's memory of safe-mount roots made sure of (runtime/compose.ts). */
  preparedRoots?: PreparedRoots;
  /**
   * Pod addresses berth assigns (apply/pod-ips.ts), one per pass. Without it no pod is made
   * single-container (plan/pod-shape.ts), and deleting one releases nothing.
   */
  podIps?: PodIps;
}

export const pullGuard = (ctx: PodContext) => (ctx.allowedRegistries ? { allowedRegistries: ctx.allowedRegistries } : {});

/** What creating a pod started: nothing when its containers were all refused (CreateContainerConfigError). */
export interface PodCreated {
  /** An app container of the pod was started (the pod's `Started` event says so). */
  started: boolean;
}

export function podLabels(ctx: PodContext, pod: PodPlan, role: 'sandbox' | 'init' | 'container'): Record<string, string> {
  return {
    ...ownerLabels(ctx.app, pod.namespace, 'Pod', pod.name, role),
    [L.owner]: pod.owner,
    [L.controller]: pod.controller,
    [L.specHash]: pod.specHash,
    [L.podLabels]: JSON.stringify(pod.labels),
    [L.restartPolicy]: pod.restartPolicy,
    ...(pod.inPlaceHash ? { [L.inPlaceHash]: pod.inPlaceHash } : {}),
  };
}
