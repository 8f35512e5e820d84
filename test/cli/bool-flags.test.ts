import { PassThrough, Readable } from 'node:stream';
import type { Option } from 'commander';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandOf, normaliseBoolFlags } from '../../src/cli/bool-flags.js';
import { runCli } from '../support/cli.js';
import { registerCommands } from '../../src/cli/commands/index.js';
import type { CliContext } from '../../src/cli/context.js';

/** Issue 17: kubectl's `--flag=true|false` on every on/off option of every command. */
function program(): Command {
  const ctx: CliContext = { io: { stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from([]), env: {}, cwd: '/', interrupted: new AbortController().signal }, exitCode: 0 };
  const p = new Command('berth').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerCommands(p, ctx);
  return p;
}

function leaves(c: Command, path: string[] = []): { path: string[]; command: Command }[] {
  if (c.commands.length === 0) return [{ path, command: c }];
  return c.commands.flatMap((s) => leaves(s, [...path, s.name()]));
}

const switches = leaves(program()).flatMap(({ path, command }) =>
  command.options
    .filter((o: Option) => !o.required && !o.optional && o.long)
    .map((o) => {
      const other = o.negate ? `--${o.long!.slice(5)}` : `--no-${o.long!.slice(2)}`;
      return { path, long: o.long!, short: o.short, attr: o.attributeName(), counterpart: command.options.some((c) => c.long === other) ? other : undefined };
    }),
);

/** Parses argv as berth would, with the actions stubbed out, and returns the leaf command's options. */
async function parsed(argv: string[]): Promise<Record<string, unknown>> {
  const p = program();
  const { command } = commandOf(p, argv);
  for (const c of [command]) c.action(() => {});
  // Required positionals get a placeholder, so only the flags are under test.
  const { depth } = commandOf(p, argv);
  const args = [...command.registeredArguments.filter((a) => a.required).map(() => 'x'), ...command.options.filter((o) => o.mandatory).map((o) => `${o.long!}=1`)];
  await p.parseAsync(normaliseBoolFlags(p, [...argv.slice(0, depth), ...args, ...argv.slice(depth)]), { from: 'user' });
  return command.opts();
}

describe('--flag=true / --flag=false on every switch', () => {
  it('finds the switches kubectl users type with =', () => {
    const names = switches.map((s) => `${s.path.join(' ')} ${s.long}`);
    expect(names).toEqual(expect.arrayContaining(['get --show-labels', 'get --watch', 'get --ignore-not-found', 'delete --wait', 'delete --no-wait', 'logs --all-containers', 'logs --prefix', 'rollout status --watch', 'get --no-headers']));
  });

  it.each(switches.map((s) => [`${s.path.join(' ')} ${s.long}`, s] as const))('%s', async (_name, s) => {
    // `=true` is the switch itself; `=false` its counterpart (`--no-wait`), or, without one, the value the command has when the switch is not given.
    const off = await parsed(s.counterpart ? [...s.path, s.counterpart] : s.path);
    const on = await parsed([...s.path, s.long]);
    expect(await parsed([...s.path, `${s.long}=true`])).toEqual(on);
    expect(await parsed([...s.path, `${s.long}=false`])).toEqual(off);
    expect((await parsed([...s.path, `${s.long}=false`]))[s.attr]).not.toBe(on[s.attr]);
    if (s.short) expect(await parsed([...s.path, `${s.short}=true`])).toEqual(on);
  });
});

describe('normaliseBoolFlags', () => {
  it.each([
    ['--x=true becomes the switch', ['get', 'pods', '--show-labels=true'], ['get', 'pods', '--show-labels']],
    ['--x=false with a --no-x becomes --no-x', ['delete', 'pod', 'web', '--wait=false'], ['delete', 'pod', 'web', '--no-wait']],
    ['--x=false without one is dropped, an earlier --x with it', ['get', 'pods', '-w', '--watch=false'], ['get', 'pods']],
    ['short form with =', ['get', 'pods', '-w=false'], ['get', 'pods']],
    ['a negated switch: --no-headers=true', ['get', 'pods', '--no-headers=true'], ['get', 'pods', '--no-headers']],
    ['a negated switch: --no-headers=false is headers on', ['get', 'pods', '--no-headers', '--no-headers=false'], ['get', 'pods']],
    ['ParseBool words: 1, F, True', ['logs', 'web', '--prefix=1', '--all-containers=True', '--timestamps=F'], ['logs', 'web', '--prefix', '--all-containers']],
    ['a subcommand: rollout status --watch=false', ['rollout', 'status', 'deploy/web', '--watch=false'], ['rollout', 'status', 'deploy/web', '--no-watch']],
    ['the space form is not a value (as kubectl)', ['get', 'pods', '--show-labels', 'true'], ['get', 'pods', '--show-labels', 'true']],
    ['a value option keeps its value, even "true"', ['get', 'pods', '-l', '--all=true'], ['get', 'pods', '-l', '--all=true']],
    ['a value option with = is left to Commander', ['get', 'pods', '-o=name'], ['get', 'pods', '-o=name']],
    ['after -- nothing is touched', ['exec', 'web', '--', 'sh', '--all=true'], ['exec', 'web', '--', 'sh', '--all=true']],
  ])('%s', (_name, argv, want) => {
    expect(normaliseBoolFlags(program(), argv)).toEqual(want);
  });
});

describe('through the CLI: what is not a switch value is still refused (exit 2)', () => {
  it.each([
    ['a word that is no boolean', ['get', 'pods', '--show-labels=maybe'], 'error: invalid argument "maybe" for "--show-labels" flag: expected true or false'],
    ['an option the command lacks', ['get', 'pods', '--bogus=true'], "error: unknown option '--bogus=true'"],
  ])('%s', async (_name, argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
