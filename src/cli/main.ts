import { Command, CommanderError } from 'commander';
import { BerthError, exitCodeFor } from '../model/errors.js';
import type { CliContext, CliIO } from './context.js';
import { print, write } from './context.js';
import { registerCommandsFor } from './commands/registry.js';
import { withConfigContext } from './config-context.js';
import { NOT_FOUND_PREFIX } from './not-found.js';
import { optionDescription } from './help-defaults.js';
import { normaliseBoolFlags } from './bool-flags.js';
import { VERSION } from './version-info.js';

export { VERSION } from './version-info.js';

/** Entry point used by bin/berth: wires process I/O, runs, sets the exit code. */
export async function main(argv: string[]): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort(new BerthError('INTERNAL', 'interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    interrupted: controller.signal,
  };
  process.exitCode = await run(argv, io);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
}

/** Runs one CLI invocation and returns its exit code (SPEC §7). Never calls process.exit. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const ctx: CliContext = { io, exitCode: 0 };
  const program = new Command('berth')
    .description('Run Kubernetes-style manifests on a plain Docker host')
    .version(VERSION, '--version', 'print the berth version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => write(io.stdout, s),
      writeErr: (s) => write(io.stderr, s),
    })
    .exitOverride();
  program.configureHelp({ sortSubcommands: false, optionDescription });
  // Only the command argv runs is loaded (commands/registry.ts): start-up stays small for every command.
  await registerCommandsFor(program, ctx, argv);
  // The current context (`berth config`) under the environment, once, for whichever command runs:
  // flag > environment > context > default. `config` itself reads the file as it is.
  program.hook('preAction', async (_program, action) => {
    if (action.name() !== 'config' && action.parent?.name() !== 'config') ctx.io = await withConfigContext(ctx.io);
  });
  try {
    // kubectl's `--flag=true|false` on switches, which Commander would refuse.
    await program.parseAsync(normaliseBoolFlags(program, argv), { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version surface as "errors" with exit code 0.
      if (err.exitCode === 0) return 0;
      return 2;
    }
    reportError(io, err);
    return exitCodeFor(err);
  }
}

export function reportError(io: CliIO, err: unknown): void {
  if (err instanceof BerthError) {
    // An object named on the command line that does not exist reads as kubectl's NotFound line (get, describe, delete print the same).
    const notFound = err.code === 'NOT_FOUND' && /^[a-z.]+ "[^"]*" not found/.test(err.message);
    print(io.stderr, notFound ? `${NOT_FOUND_PREFIX}${err.message}` : `error: ${err.message}`);
    const hint = err.data.hint;
    if (typeof hint === 'string') print(io.stderr, `hint: ${hint}`);
    if (io.env.BERTH_DEBUG && err.cause) print(io.stderr, String((err.cause as Error).stack ?? err.cause));
    return;
  }
  print(io.stderr, `error: internal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
}
