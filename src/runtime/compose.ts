import type { DockerClient } from '../apply/docker.js';
import type { ImageCache } from '../apply/images/cache.js';
import { createImageCache } from '../apply/images/cache.js';
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
}

export interface ControlPlaneDeps {
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
}

export function createControlPlane(deps: ControlPlaneDeps, app: string, options: { holdsRestarts?: boolean } = {}): ControlPlane {
  const dataplane = createDataplaneState();
  return {
    app,
    dataplane,
    services: createServices({ ...deps, dataplane }, app),
    images: createImageCache(deps.docker),
    safeMountRoots: new Map(),
    terminations: createTerminations(deps.log),
    holdsRestarts: options.holdsRestarts ?? true,
  };
}
