import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions } from '../engine-flags.js';
import { parseBoolFlag } from '../output/object-printers.js';
import { addNamespaceOption, namespaceOf, noteWhenUndriven, parseSelectorFlag, selectViews } from './get.js';
import { getEvents } from './get-events.js';

interface EventsFlags extends EngineFlags {
  namespace?: string;
  allNamespaces?: boolean;
  for?: string;
  types?: string;
  output?: string;
  headers?: boolean;
  allowMissingTemplateKeys?: boolean;
  watch?: boolean;
}

/**
 * `kubectl events` (1.26+): the app's events oldest first by last occurrence, a repeated one as
 * one row `2m (x12 over 10m)`; `--for TYPE/NAME`, `--types`, `-A`, `-o`. The same query and table
 * as `get events` (get-events.ts), which also takes `--field-selector`; `-w` follows as `get events -w`.
 */
export function registerEvents(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('events')
    .description('list the app events as kubectl events does: oldest first, repeats counted (x12)')
    .option('-A, --all-namespaces', 'events of every namespace')
    .option('--for <type/name>', 'only events about this object (pod/web-0, deploy/web, svc/web)')
    .option('--types <types>', 'only events of these types (Normal,Warning)')
    .option('-o, --output <format>', 'wide, json, yaml, name, jsonpath=TEMPLATE, custom-columns=HEADER:PATH,...')
    .option('--no-headers', 'print the table without its header row')
    .option('--allow-missing-template-keys <bool>', 'jsonpath: a missing field prints nothing (true, the default) or is an error (false)', parseBoolFlag)
    .option('-w, --watch', 'after the listing, print each new or repeated event as it happens, until Ctrl-C');
  addNamespaceOption(cmd);
  addEngineOptions(cmd);
  cmd.action(async (flags: EventsFlags) => {
    if (flags.output?.startsWith('=')) flags.output = flags.output.slice(1);
    if (flags.watch) {
      // kubectl events -w: the same watch as `get events -w`, with --for and --types.
      const parts = { namespace: namespaceOf(flags, ctx.io), selector: parseSelectorFlag(undefined), selectViews, noteWhenUndriven };
      ctx.exitCode = await (await import('./get-watch.js')).runGetWatch(['events'], flags, ctx.io, parts);
      return;
    }
    ctx.exitCode = await getEvents(['events'], { ...flags, namespace: namespaceOf(flags, ctx.io), allNamespaces: flags.allNamespaces ?? false, verb: 'events' }, ctx.io);
  });
}
