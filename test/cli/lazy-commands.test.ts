import { PassThrough, Readable } from 'node:stream';
import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/cli/commands/index.js';
import { COMMAND_MODULES, registerCommandsFor, targetCommand } from '../../src/cli/commands/registry.js';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../support/cli.js';

/** Issue 18: the CLI loads only the command it runs; the others are summaries for the root help. */
function context(): CliContext {
  return { io: { stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from([]), env: {}, cwd: '/', interrupted: new AbortController().signal }, exitCode: 0 };
}

function program(): Command {
  return new Command('berth').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
}

/** What the root help shows of each command: name, term, description, whether hidden. */
function summaries(p: Command): { name: string; term: string; description: string; hidden: boolean }[] {
  const help = p.createHelp();
  return p.commands.map((c) => ({ name: c.name(), term: help.subcommandTerm(c), description: c.description(), hidden: (c as unknown as { _hidden: boolean })._hidden }));
}

describe('the lazy command registry', () => {
  const full = program();
  registerCommands(full, context());

  it('summarises every command as its module registers it, in the same order', () => {
    const table = COMMAND_MODULES.flatMap((m) => m.commands.map((c) => ({ name: c.name, term: c.term, description: c.description, hidden: c.hidden === true })));
    expect(table).toEqual(summaries(full));
  });

  it.each(COMMAND_MODULES.map((m) => [m.commands.map((c) => c.name).join(', '), m] as const))('%s: its module registers exactly the commands it summarises', async (_, m) => {
    const p = program();
    (await m.load())(p, context());
    expect(p.commands.map((c) => c.name())).toEqual(m.commands.map((c) => c.name));
  });

  it.each([
    [[], undefined],
    [['--help'], undefined],
    [['--version'], undefined],
    [['get', 'pods'], 'get'],
    [['-h', 'get'], 'get'],
    [['rollout', 'status', 'deploy/web'], 'rollout'],
    [['help'], undefined],
    [['help', 'apply'], 'apply'],
    [['nosuch'], 'nosuch'],
  ] as const)('argv %j runs %s', (argv, name) => {
    expect(targetCommand(argv)).toBe(name);
  });

  it.each([['get', 'pods'], ['version'], ['--help'], ['nosuch'], ['help', 'rollout']])('registering for %j lists the same commands, the same way, as registering all', async (...argv) => {
    const p = program();
    await registerCommandsFor(p, context(), argv);
    expect(summaries(p)).toEqual(summaries(full));
  });

  it('the root help reads the same as with every command loaded', async () => {
    const loaded = program();
    const out: string[] = [];
    loaded.configureOutput({ writeOut: (s) => out.push(s) });
    registerCommands(loaded, context());
    const lazy = await runCli(['--help']);
    // runCli's program carries main's name, description and --version; compare the Commands section.
    const commands = (text: string) => /Commands:\n[\s\S]*$/.exec(text)?.[0];
    expect(commands(lazy.stdout)).toBe(commands(loaded.helpInformation()));
    expect(lazy.stdout).toMatch(/^ {2}get \[options\] <resource\.\.\.> +list resources/m);
  });

  it('an unknown command is refused with a suggestion from the summaries (exit 2)', async () => {
    const r = await runCli(['gett', 'pods']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'gett'");
    expect(r.stderr).toContain('(Did you mean get?)');
  });

  it('`berth help CMD` prints the loaded command help', async () => {
    const r = await runCli(['help', 'get']);
    expect(r.stdout).toContain('--all-namespaces');
  });
});
