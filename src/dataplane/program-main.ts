/**
 * Process plumbing shared by the data-plane entry points: options from argv/env, JSON logs on
 * stdout, graceful stop on SIGTERM/SIGINT (the programs run as PID 1 in their containers, where
 * signals have no default action), exit 2 on usage errors, 1 on a crash so Docker's restart
 * policy brings the program back (its config directory survives the restart).
 */
import type { OptionSpec, ParsedOptions } from './cli-args.js';
import { parseProgramArgs, usage, UsageError } from './cli-args.js';
import type { Logger, LogLevel } from './log.js';
import { createJsonLogger } from './log.js';

export interface Running {
  shutdown(graceMs: number): Promise<void>;
}

export interface MainOptions {
  component: 'proxy' | 'swarm-proxy' | 'dns' | 'keeper' | 'edge';
  specs: readonly OptionSpec[];
  start: (options: ParsedOptions, log: Logger) => Promise<Running>;
  graceMs: (options: ParsedOptions) => number;
}

export const LOG_LEVEL_SPEC: OptionSpec = { flag: 'log-level', env: 'BERTH_LOG_LEVEL', kind: 'string', default: 'info', help: 'debug, info, warn or error' };

export function runMain(o: MainOptions): void {
  let options: ParsedOptions;
  try {
    options = parseProgramArgs(process.argv.slice(2), process.env, o.specs);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const text = `usage: node ${o.component}.js [options]\n${usage(o.specs)}\n`;
    if (err.help) {
      process.stdout.write(text);
      process.exit(0);
    }
    process.stderr.write(`${err.message}\n\n${text}`);
    process.exit(2);
  }
  const level = String(options['log-level'] ?? 'info') as LogLevel;
  const log = createJsonLogger({ write: (line) => process.stdout.write(line), now: () => Date.now(), level, base: { component: o.component } });
  process.on('uncaughtException', (err) => {
    log.error('crashed', { err });
    process.exit(1);
  });
  o.start(options, log).then(
    (running) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info('shutting down', { signal });
        void running.shutdown(o.graceMs(options)).then(() => {
          log.info('stopped');
          process.exit(0);
        });
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(2);
      }
      log.error('start failed', { err });
      process.exit(1);
    },
  );
}
