import type { Command } from 'commander';
import { BerthError } from '../model/errors.js';

/**
 * Option definitions shared by commands, kept free of heavy imports: every command registers
 * its options at start-up, whichever command runs.
 */
export interface EngineFlags {
  app?: string;
  stateDir?: string;
  backend?: string;
  swarmRegistry?: string;
}

export function addEngineOptions(cmd: Command): Command {
  return cmd
    .option('--app <name>', 'app whose objects this command manages (ownership scope; default: $BERTH_APP, the current context\'s app, or "default")', undefined)
    .option('--state-dir <dir>', 'state directory (default: $BERTH_STATE_DIR, the current context\'s, /var/lib/berth for root, ~/.local/state/berth)')
    .option('--backend <kind>', 'docker (this host) or swarm (the Swarm whose manager DOCKER_HOST names); default: $BERTH_BACKEND or docker')
    .option('--swarm-registry <host:port>', 'with --backend swarm: a registry every node pulls from, where berth pushes its own images (default: $BERTH_SWARM_REGISTRY)');
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
