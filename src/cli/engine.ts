import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createDockerClient } from '../apply/docker.js';
import type { DockerClient } from '../apply/docker.js';
import { BerthError } from '../model/errors.js';
import { checkDns1123Label } from '../model/names.js';
import type { Clock } from '../model/clock.js';
import { systemClock } from '../runtime/clock.js';
import type { Logger } from '../runtime/log.js';
import { createLogger, silentLogger } from '../runtime/log.js';
import type { Store } from '../runtime/store/index.js';
import { openStore } from '../runtime/store/index.js';
import type { CliIO } from './context.js';

/** Flags every command that touches the host or the state shares. */
export interface EngineFlags {
  app?: string;
  stateDir?: string;
}

export function addEngineOptions(cmd: Command): Command {
  return cmd
    .option('--app <name>', 'app whose objects this command manages (ownership scope)', undefined)
    .option('--state-dir <dir>', 'state directory (default: $BERTH_STATE_DIR, /var/lib/berth for root, ~/.local/state/berth)');
}

export interface Engine {
  app: string;
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
  random: () => number;
  close(): void;
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

/** Docker client, state store, clock and logger for one command, built from flags and env. */
export function openEngine(flags: EngineFlags, io: CliIO): Engine {
  const app = resolveApp(flags, io.env);
  const store = openStore({ dir: resolveStateDir(flags, io.env), clock: systemClock });
  const level = io.env.BERTH_LOG_LEVEL;
  const log = level ? createLogger({ level, destination: io.stderr, base: { app } }) : silentLogger();
  return {
    app,
    docker: createDockerClient(io.env.DOCKER_HOST ? { host: io.env.DOCKER_HOST } : {}),
    store,
    clock: systemClock,
    log,
    random: Math.random,
    close: () => store.close(),
  };
}

/** `5m`, `90s`, `1h30m`, `250ms` or plain seconds → milliseconds. */
export function parseDuration(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    consumed += m[0].length;
  }
  if (consumed !== text.length || consumed === 0) throw new BerthError('USAGE', `invalid duration "${text}" (use e.g. 30s, 5m, 1h)`, { value: text });
  return total;
}
