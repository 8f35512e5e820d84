import type { DockerClient } from '../apply/docker.js';
import type { ImageCache } from '../apply/images/cache.js';
import { createImageCache } from '../apply/images/cache.js';
import { ensureSwarmImage } from '../apply/swarm/images.js';
import { assertOneNode } from '../apply/swarm/observe.js';
import type { PreparedRoots } from '../apply/volumes/safe-mounts.js';
import type { DataplaneState } from '../apply/services/dataplane-state.js';
import { createDataplaneState } from '../apply/services/dataplane-state.js';
import type { Clock } from '../model/clock.js';
import type { Logger } from './log.js';
import type { ServicesRuntime } from './services.js';
import { createServices } from './services.js';
import type { Store } from './store/index.js';
import type { Terminations } from './terminations.js';
import { createTerminations } from './terminations.js';

/**
 * The composition root of one app's control plane: everything that must live as long as the
 * process drives the app (what was written to the data plane, DNS addresses, NodePort and
 * readiness-hold memory, berth's own images) is built here, once, and passed down. Nothing below keeps state in
 * module scope (test/architecture.test.ts), so two roots in one process (tests, the daemon
 * beside a CLI command) never share it. Built by cli/engine.ts and cli/commands/daemon.ts.
 */
export interface ControlPlane {
  app: string;
  dataplane: DataplaneState;
  services: ServicesRuntime;
  images: ImageCache;
  /** subPath/hostPath bind roots made sure to be on tmpfs (apply/volumes/safe-mounts.ts). */
  safeMountRoots: PreparedRoots;
  /** Pod terminations running in the background (runtime/terminations.ts). */
  terminations: Terminations;
  /**
   * This process outlives its passes and keeps crash-loop back-offs (the daemon); a command
   * (false) leaves restarts to Docker's policy, since nothing of it stays to restart them.
   */
  holdsRestarts: boolean;
  /**
   * Where the app runs (SPEC §9): this Docker host, or the Swarm whose manager DOCKER_HOST names.
   * Validation, diff and planning are the same; only the executor and observer differ.
   */
  backend: Backend;
}

export type Backend = { kind: 'docker' } | SwarmBackend;

export interface SwarmBackend {
  kind: 'swarm';
  /** `host:port` every node pulls berth's own images from; absent: a one-node Swarm uses the local image. */
  registry?: string;
  /** The data-plane image every node can run, built and pushed once per composition root. */
  proxyImage(): Promise<string>;
}

export interface BackendChoice {
  kind: 'docker' | 'swarm';
  registry?: string;
}

export interface ControlPlaneDeps {
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
}

export function createControlPlane(deps: ControlPlaneDeps, app: string, options: { holdsRestarts?: boolean; backend?: BackendChoice } = {}): ControlPlane {
  const dataplane = createDataplaneState();
  const images = createImageCache(deps.docker);
  return {
    app,
    dataplane,
    services: createServices({ ...deps, dataplane }, app),
    images,
    safeMountRoots: new Map(),
    terminations: createTerminations(deps.log),
    holdsRestarts: options.holdsRestarts ?? true,
    backend: options.backend?.kind === 'swarm' ? swarmBackend(deps.docker, images, options.backend.registry) : { kind: 'docker' },
  };
}

function swarmBackend(docker: DockerClient, images: ImageCache, registry: string | undefined): SwarmBackend {
  let pending: Promise<string> | undefined;
  const proxyImage = () =>
    (pending ??= images
      .dataplane()
      .then(async (local) => (registry ? ensureSwarmImage(docker, local, registry) : assertOneNode(docker).then(() => local)))
      .catch((err: unknown) => {
        pending = undefined;
        throw err;
      }));
  return { kind: 'swarm', ...(registry ? { registry } : {}), proxyImage };
}
