import { homedir } from 'node:os';
import { join } from 'node:path';
import { createDockerClient } from '../apply/docker.js';
import type { DockerClient } from '../apply/docker.js';
import { BerthError } from '../model/errors.js';
import { checkDns1123Label } from '../model/names.js';
import type { Clock } from '../model/clock.js';
import { systemClock } from '../runtime/clock.js';
import type { BackendChoice, ControlPlane } from '../runtime/compose.js';
import { createControlPlane } from '../runtime/compose.js';
import type { Logger } from '../runtime/log.js';
import { createLogger, silentLogger } from '../runtime/log.js';
import type { LeaseHolder, Store } from '../runtime/store/index.js';
import { openStore } from '../runtime/store/index.js';
import type { CliIO } from './context.js';
import { print } from './context.js';
import type { EngineFlags } from './engine-flags.js';
import { leaseHolder } from './lease-holder.js';
import { processAlive } from './process-alive.js';
import { handOffTerminations } from './finisher.js';

export type { EngineFlags } from './engine-flags.js';
export { addEngineOptions, parseDuration } from './engine-flags.js';

export interface Engine {
  app: string;
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
  random: () => number;
  /** The app's control plane, built once per command here (the composition root). */
  plane: ControlPlane;
  /** This command's identity when it takes the app's lease. */
  holder: LeaseHolder;
  /**
   * Closes the store. Pods this command began terminating that still run out their grace period
   * are handed to a finisher process first (cli/finisher.ts), as kubectl leaves them to the
   * kubelet: the command returns at once, the pods still go at their deadline.
   */
  close(): Promise<void>;
}

export function resolveApp(flags: EngineFlags, env: CliIO['env']): string {
  const app = flags.app ?? env.BERTH_APP ?? 'default';
  const bad = checkDns1123Label(app);
  if (bad) throw new BerthError('USAGE', `invalid --app "${app}": ${bad}`, { app });
  return app;
}

export function resolveStateDir(flags: EngineFlags, env: CliIO['env']): string {
  if (flags.stateDir) return flags.stateDir;
  if (env.BERTH_STATE_DIR) return env.BERTH_STATE_DIR;
  if (process.getuid?.() === 0) return '/var/lib/berth';
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'berth');
}

/** `--backend`, else $BERTH_BACKEND, else this Docker host; a Swarm's registry from `--swarm-registry` or $BERTH_SWARM_REGISTRY. */
export function resolveBackend(flags: EngineFlags, env: CliIO['env']): BackendChoice {
  const kind = flags.backend ?? env.BERTH_BACKEND ?? 'docker';
  if (kind !== 'docker' && kind !== 'swarm') throw new BerthError('USAGE', `unknown backend "${kind}" (docker, swarm)`, { flags: ['--backend'] });
  const registry = flags.swarmRegistry ?? env.BERTH_SWARM_REGISTRY;
  if (registry && !/^[a-zA-Z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(registry))
    throw new BerthError('USAGE', `invalid --swarm-registry "${registry}" (host:port, e.g. 10.0.0.1:5000)`, { flags: ['--swarm-registry'] });
  if (kind === 'docker' && flags.swarmRegistry) throw new BerthError('USAGE', '--swarm-registry applies to --backend swarm only', { flags: ['--swarm-registry'] });
  return kind === 'swarm' ? { kind, ...(registry ? { registry } : {}) } : { kind };
}

/**
 * Commands that read one host's containers (logs, exec, port-forward, top, watches, node
 * details, state rebuild) are not built for a Swarm yet: refused before anything opens, with
 * the Docker command that does it meanwhile, never a misleading "not found".
 */
export function refuseOnSwarm(flags: EngineFlags, env: CliIO['env'], command: string, instead: string): void {
  if (resolveBackend(flags, env).kind !== 'swarm') return;
  throw new BerthError('USAGE', `berth ${command} does not run on --backend swarm yet`, { hint: `meanwhile: ${instead}` });
}

/** Docker client, state store, clock, logger and control plane for one command, built from flags and env. */
export function openEngine(flags: EngineFlags, io: CliIO): Engine {
  const app = resolveApp(flags, io.env);
  const stateDir = resolveStateDir(flags, io.env);
  const store = openStore({ dir: stateDir, clock: systemClock, isProcessAlive: processAlive });
  const level = io.env.BERTH_LOG_LEVEL;
  const log = level ? createLogger({ level, destination: io.stderr, base: { pid: process.pid, app } }) : silentLogger();
  const docker = createDockerClient({ clock: systemClock, ...(io.env.DOCKER_HOST ? { host: io.env.DOCKER_HOST } : {}) });
  const plane = createControlPlane({ docker, store, clock: systemClock, log }, app, { holdsRestarts: false, backend: resolveBackend(flags, io.env) });
  return {
    app,
    docker,
    store,
    clock: systemClock,
    log,
    random: Math.random,
    plane,
    holder: leaseHolder('cli'),
    close: async () => {
      if (plane.terminations.pending().length > 0) await handOffTerminations(plane, { app, stateDir, env: io.env, log });
      store.close();
      // Benchmarks count each command's Docker calls from this line (bench/scale.ts).
      if (io.env.BERTH_STATS === '1') print(io.stderr, JSON.stringify({ commandDockerCalls: Object.fromEntries(docker.calls.byOperation), total: docker.calls.total() }));
    },
  };
}

