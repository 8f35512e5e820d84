import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { BerthError } from '../../model/errors.js';
import { checkDns1123Label } from '../../model/names.js';
import type { ContextPatch } from '../config-context.js';
import { deleteContext, setContext, useContext } from '../config-context.js';
import type { ClientConfig } from '../config-file.js';
import { configDocument, configPath, readConfig, writeConfig } from '../config-file.js';
import type { CliContext, CliIO } from '../context.js';
import { print } from '../context.js';
import { formatColumns } from '../output/table.js';

interface SetContextFlags {
  current?: boolean;
  app?: string;
  namespace?: string;
  stateDir?: string;
}

/** The context `set-context --current` makes when none is current yet (berth starts with no config, kubectl never does). */
const FIRST_CONTEXT = 'default';

/**
 * `berth config`, kubectl's `config` verbs over berth's contexts (config-file.ts): a context
 * names the app, namespace and state dir commands use when no flag or variable does.
 */
export function registerConfig(program: Command, ctx: CliContext): void {
  const config = program
    .command('config')
    .description('contexts: the app, namespace and state dir commands use by default (file: $BERTH_CONFIG or ~/.config/berth/config)');

  config
    .command('view')
    .description('print the config file')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .option('--minify', 'only the current context')
    .action(async (opts: { output: string; minify?: boolean }) => {
      const { path, config: c } = await load(ctx.io);
      let shown = c;
      if (opts.minify) {
        const current = c.contexts.find((x) => x.name === c.currentContext);
        if (!current) throw new BerthError('USAGE', 'current-context must exist in order to minify', { flag: '--minify' });
        shown = { currentContext: current.name, contexts: [current] };
      }
      const doc = configDocument(shown);
      if (opts.output === 'json') print(ctx.io.stdout, JSON.stringify(doc, null, 2));
      else if (opts.output === 'yaml') print(ctx.io.stdout, (await import('js-yaml')).dump(doc, { lineWidth: -1 }));
      else throw new BerthError('USAGE', `unknown output format "${opts.output}" (yaml, json)`, { output: opts.output, path });
    });

  config
    .command('current-context')
    .description('print the current context')
    .action(async () => {
      const { config: c } = await load(ctx.io);
      if (c.currentContext === undefined) {
        print(ctx.io.stderr, 'error: current-context is not set');
        ctx.exitCode = 1;
        return;
      }
      print(ctx.io.stdout, c.currentContext);
    });

  config
    .command('get-contexts [name]')
    .description('list the contexts (or one), the current one marked *')
    .option('-o, --output <format>', 'name: only the names')
    .option('--no-headers', 'omit the header row')
    .action(async (name: string | undefined, opts: { output?: string; headers: boolean }) => {
      const { config: c } = await load(ctx.io);
      if (opts.output !== undefined && opts.output !== 'name') throw new BerthError('USAGE', `unknown output format "${opts.output}" (name)`, { output: opts.output });
      const contexts = name === undefined ? c.contexts : c.contexts.filter((x) => x.name === name);
      if (name !== undefined && contexts.length === 0) {
        print(ctx.io.stderr, `error: context ${name} not found`);
        ctx.exitCode = 1;
        return;
      }
      if (opts.output === 'name') {
        for (const x of contexts) print(ctx.io.stdout, x.name);
        return;
      }
      const rows = contexts.map((x) => [x.name === c.currentContext ? '*' : '', x.name, x.context.app ?? '', x.context.namespace ?? '', x.context.stateDir ?? '']);
      print(ctx.io.stdout, formatColumns([...(opts.headers ? [['CURRENT', 'NAME', 'APP', 'NAMESPACE', 'STATE-DIR']] : []), ...rows]));
    });

  config
    .command('set-context [name]')
    .description('create or change a context; a flag given as "" unsets that setting')
    .option('--current', 'change the current context (made, named "default", when there is none)')
    .option('--app <name>', 'the app of the context')
    .option('-n, --namespace <ns>', 'the namespace of the context')
    .option('--state-dir <dir>', 'the state dir of the context (made absolute)')
    .action(async (name: string | undefined, flags: SetContextFlags) => {
      if ((name === undefined) === !flags.current) throw new BerthError('USAGE', name === undefined ? 'you must specify a non-empty context name or --current' : 'you cannot specify both a context name and --current', { flag: '--current' });
      const { path, config: c } = await load(ctx.io);
      const target = name ?? c.currentContext ?? FIRST_CONTEXT;
      const { config: next, created } = setContext(c, target, patchOf(flags, ctx.io));
      await writeConfig(path, name === undefined && c.currentContext === undefined ? { ...next, currentContext: target } : next);
      print(ctx.io.stdout, `Context "${target}" ${created ? 'created' : 'modified'}.`);
    });

  config
    .command('use-context <name>')
    .description('make a context the current one')
    .action(async (name: string) => {
      const { path, config: c } = await load(ctx.io);
      await writeConfig(path, useContext(c, name));
      print(ctx.io.stdout, `Switched to context "${name}".`);
    });

  config
    .command('delete-context <name>')
    .description('delete a context')
    .action(async (name: string) => {
      const { path, config: c } = await load(ctx.io);
      const { config: next, wasCurrent } = deleteContext(c, name, path);
      await writeConfig(path, next);
      if (wasCurrent) print(ctx.io.stderr, 'warning: this removed your active context, use "berth config use-context" to select a different one');
      print(ctx.io.stdout, `deleted context ${name} from ${path}`);
    });
}

async function load(io: CliIO): Promise<{ path: string; config: ClientConfig }> {
  const path = configPath(io.env);
  if (path === undefined) throw new BerthError('USAGE', 'no config file: set $BERTH_CONFIG or $HOME', {});
  return { path, config: await readConfig(path) };
}

function patchOf(flags: SetContextFlags, io: CliIO): ContextPatch {
  if (flags.app) {
    const bad = checkDns1123Label(flags.app);
    if (bad) throw new BerthError('USAGE', `invalid --app "${flags.app}": ${bad}`, { app: flags.app });
  }
  if (flags.namespace) {
    const bad = checkDns1123Label(flags.namespace);
    if (bad) throw new BerthError('USAGE', `invalid --namespace "${flags.namespace}": ${bad}`, { flag: '--namespace', value: flags.namespace });
  }
  // A relative state dir would mean another directory from every working directory.
  const stateDir = flags.stateDir && !isAbsolute(flags.stateDir) ? resolve(io.cwd, flags.stateDir) : flags.stateDir;
  return { ...(flags.app !== undefined ? { app: flags.app } : {}), ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}), ...(stateDir !== undefined ? { stateDir } : {}) };
}
