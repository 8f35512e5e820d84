import type { Command, Option } from 'commander';
import { BerthError } from '../model/errors.js';

/** The words Go's strconv.ParseBool (kubectl's pflag) reads as true and false. */
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** An on/off option: no value (`--all`, `-w`), or the negation of one (`--no-headers`, `--no-wait`). */
function isSwitch(o: Option): boolean {
  return !o.required && !o.optional;
}

/** The command argv names (`rollout status`): the deepest subcommand its leading words reach. */
export function commandOf(program: Command, argv: readonly string[]): { command: Command; depth: number } {
  let command = program;
  let depth = 0;
  while (depth < argv.length) {
    const word = argv[depth]!;
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) break;
    command = sub;
    depth++;
  }
  return { command, depth };
}

/** The option a token names (`--all`, `-w`), among the command's own and its parents'. */
function optionNamed(command: Command, flag: string): Option | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    const found = c.options.find((o) => o.long === flag || o.short === flag);
    if (found) return found;
  }
  return undefined;
}

/** `--x` for `--no-x`, `--no-x` for `--x`: the option that sets the same value the other way, if the command has it. */
function counterpart(command: Command, o: Option): Option | undefined {
  if (!o.long) return undefined;
  const other = o.negate ? `--${o.long.slice('--no-'.length)}` : `--no-${o.long.slice(2)}`;
  const found = optionNamed(command, other);
  return found && isSwitch(found) ? found : undefined;
}

/**
 * kubectl's `--flag=true` / `--flag=false` (and `-w=false`) on any on/off option, read from the
 * command's own option definitions, before Commander (which takes no value on a switch) parses:
 * true becomes the switch itself; false its `--no-` counterpart when the command has one (`--wait=false`
 * → `--no-wait`, `--no-headers=false` → `--headers`), else nothing, the switch being off unless given,
 * and an earlier `--x` of the same switch is dropped too (the last one wins, as in kubectl). As in
 * kubectl, a switch takes its value only with `=`: `--all true` stays a switch and an argument;
 * `--all=maybe` is a usage error in kubectl's words.
 * Anything after `--` (a command for exec) is left as it is.
 */
export function normaliseBoolFlags(program: Command, argv: readonly string[]): string[] {
  const { command, depth } = commandOf(program, argv);
  const out = argv.slice(0, depth);
  for (let i = depth; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const m = /^(--?[A-Za-z0-9][A-Za-z0-9-]*)=(.*)$/s.exec(token);
    const named = m ? optionNamed(command, m[1]!) : token.startsWith('-') ? optionNamed(command, token) : undefined;
    if (!m || !named) {
      out.push(token);
      // A value option written apart (`-l app=web`, `-o name`) takes the next token as it is.
      if (named?.required && argv[i + 1] !== undefined) out.push(argv[++i]!);
      continue;
    }
    const value = m[2]!;
    const on = TRUE.has(value) ? true : FALSE.has(value) ? false : undefined;
    if (!isSwitch(named)) {
      out.push(token);
      continue;
    }
    // kubectl's words for `--all=maybe` (Commander would call the option unknown).
    if (on === undefined) throw new BerthError('USAGE', `invalid argument "${value}" for "${m[1]!}" flag: expected true or false`, { flag: m[1]!, value });
    if (on) {
      out.push(named.long ?? named.short!);
      continue;
    }
    const other = counterpart(command, named);
    if (other) {
      out.push(other.long!);
      continue;
    }
    // Off with no counterpart: the switch is off unless given, so an earlier one goes too.
    for (let j = out.length - 1; j >= depth; j--) if (out[j] === named.long || out[j] === named.short) out.splice(j, 1);
  }
  return out;
}
