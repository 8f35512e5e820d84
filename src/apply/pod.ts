/**
 * A pod's life on Docker, in pieces: pod-create (volumes, sandbox, containers in order),
 * pod-container (one container's Docker config, or its refusal), pod-mounts (subPath/hostPath
 * resolution), pod-volumes (named volumes and configMap/secret files), pod-delete (graceful
 * deletion). Callers import from here.
 */
export type { PodContext, PodCreated } from './pod-context.js';
export { createPod, createPodContainer, startContainer } from './pod-create.js';
export { removeVolume, restoreVolumeFiles } from './pod-volumes.js';
export type { DeletePodHooks } from './pod-delete.js';
export { deletePod } from './pod-delete.js';
