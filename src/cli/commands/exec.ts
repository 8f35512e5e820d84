import type { Command } from 'commander';
import type { ReadStream } from 'node:tty';
import { BerthError } from '../../model/errors.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions } from '../engine-flags.js';
import type { ScopeFlags } from './get.js';
import { addNamespaceOption } from './get.js';
import { resolvePodTarget } from './pod-target.js';

interface ExecFlags extends EngineFlags, ScopeFlags {
  container?: string;
  stdin?: boolean;
  tty?: boolean;
  quiet?: boolean;
}

export function registerExec(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('exec')
    .description('run a command in a container of a pod; its exit code becomes berth\'s: exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [ARGS...]')
    .argument('<pod>', 'pod name, or KIND/NAME of a controller (deploy/web) for one of its pods')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('-c, --container <name>', 'container (default: the kubectl.kubernetes.io/default-container annotation, else the first, with a note on stderr)')
    .option('-i, --stdin', 'pass stdin to the command')
    .option('-t, --tty', 'allocate a terminal (when stdin is one)')
    .option('-q, --quiet', 'print only what the command prints');
  addNamespaceOption(cmd);
  addEngineOptions(cmd);
  cmd.action(async (pod: string, command: string[], flags: ExecFlags) => {
    ctx.exitCode = await exec(pod, command, flags, ctx);
  });
}

async function exec(arg: string, command: string[], flags: ExecFlags, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  if (command.length === 0) throw new BerthError('USAGE', 'you must specify at least one command for the container');
  const stdin = io.stdin as ReadStream & { isTTY?: boolean };
  let tty = flags.tty ?? false;
  if (tty && !(flags.stdin && stdin.isTTY)) {
    // kubectl's behaviour: a terminal only makes sense when the input is one.
    if (!flags.quiet) print(io.stderr, 'Unable to use a TTY - input is not a terminal or the right kind of file');
    tty = false;
  }
  // Loaded when exec runs, not at start-up (see apply).
  const [{ openEngine, refuseOnSwarm }, { execInContainer }, { chooseContainer }] = await Promise.all([import('../engine.js'), import('../../runtime/container-io.js'), import('../../runtime/container-choice.js')]);
  refuseOnSwarm(flags, io.env, 'exec', "docker exec into the task's container on its node (berth get pods -o wide shows the node)");
  const engine = openEngine(flags, io);
  try {
    const { pod, annotations } = await resolvePodTarget(arg, flags, engine, io, flags.quiet);
    // The same choice as logs (runtime/container-choice.ts): -c, the default-container annotation, the first.
    const { container, notes } = chooseContainer(pod, flags.container, annotations, 'exec');
    if (!flags.quiet) for (const note of notes) print(io.stderr, note);
    const raw = tty && typeof stdin.setRawMode === 'function';
    if (raw) stdin.setRawMode(true);
    try {
      return await execInContainer(engine, container, {
        command,
        ...(flags.stdin ? { stdin } : {}),
        tty,
        // An interactive session's bytes, raw by nature (a shell in a TTY sends escapes); not
        // berth's text, so not through the print boundary (cli/context.ts).
        stdout: io.stdout,
        stderr: io.stderr,
        size: () => {
          const out = io.stdout as { rows?: number; columns?: number };
          return out.rows && out.columns ? { rows: out.rows, columns: out.columns } : undefined;
        },
        onResize: (fn) => {
          io.stdout.on('resize', fn);
          return () => io.stdout.off('resize', fn);
        },
        signal: io.interrupted,
      });
    } finally {
      if (raw) stdin.setRawMode(false);
      if (flags.stdin) stdin.pause();
    }
  } finally {
    await engine.close();
  }
}
