import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions } from '../engine-flags.js';
import { FINISH_COMMAND } from '../finisher.js';

/**
 * Hidden: the finisher a CLI command leaves behind (cli/finisher.ts) to remove the pods it began
 * terminating once their grace periods end. Not for people; `berth --help` does not list it.
 */
export function registerFinishTerminations(program: Command, ctx: CliContext): void {
  const cmd = program.command(FINISH_COMMAND, { hidden: true }).description('finish the terminations of pods a command began (internal)');
  addEngineOptions(cmd);
  cmd.action(async (flags: EngineFlags) => {
    const [{ openEngine }, { finishTerminations }] = await Promise.all([import('../engine.js'), import('../../runtime/terminations-finish.js')]);
    const engine = openEngine(flags, ctx.io);
    try {
      await finishTerminations(engine, engine.app);
    } finally {
      await engine.close();
    }
  });
}
