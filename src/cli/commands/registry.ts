import type { Command } from 'commander';
import { Help } from 'commander';
import type { CliContext } from '../context.js';

/** What `berth --help` shows of a command: the term (name, `[options]`, arguments) and description. */
export interface CommandSummary {
  name: string;
  term: string;
  description: string;
  hidden?: boolean;
}

/** A command module: the commands it registers, and how to load its `register` (its whole import graph). */
export interface CommandModule {
  commands: readonly CommandSummary[];
  load(): Promise<(program: Command, ctx: CliContext) => void>;
}

/**
 * Every command module, in the order `berth --help` lists them (the order of commands/index.ts).
 * The summaries are what the root help prints without loading the module; test/cli/lazy-commands
 * checks they equal what each module registers, so this table cannot drift from the commands.
 */
/** cli/finisher.ts FINISH_COMMAND, written out: that module loads node:child_process, which no start-up needs. */
const FINISH_COMMAND = '__finish-terminations';

export const COMMAND_MODULES: readonly CommandModule[] = [
  {
    commands: [{ name: 'validate', term: 'validate [options] [path...]', description: 'check manifests without touching Docker: every problem with file:line:col (exit 0 valid, 1 invalid, 2 unreadable)' }],
    load: async () => (await import('./validate.js')).registerValidate,
  },
  {
    commands: [{ name: 'diff', term: 'diff [options]', description: 'show what applying manifests would change: offline between two folders or git refs (--from/--to), or against the Docker host (-f)' }],
    load: async () => {
      const [{ registerDiff }, { liveDiffOptions, runLiveDiff }] = await Promise.all([import('./diff.js'), import('./diff-live.js')]);
      return (program, ctx) => registerDiff(program, ctx, { live: runLiveDiff, liveOptions: liveDiffOptions });
    },
  },
  {
    commands: [
      {
        name: 'apply',
        term: 'apply [options]',
        description: "converge the Docker host to the manifests in PATH (files, directories, or - for stdin); additive: the app's objects not in PATH keep running unless --prune",
      },
    ],
    load: async () => (await import('./apply.js')).registerApply,
  },
  {
    commands: [{ name: 'get', term: 'get [options] <resource...>', description: 'list resources the app runs, as kubectl does: get KIND [NAME...] | get KIND/NAME... | get all' }],
    load: async () => (await import('./get.js')).registerGet,
  },
  {
    commands: [{ name: 'describe', term: 'describe [options] <resource...>', description: 'show details of resources with their recent events: describe KIND [NAME_PREFIX...] | describe KIND/NAME' }],
    load: async () => (await import('./describe.js')).registerDescribe,
  },
  {
    commands: [
      {
        name: 'delete',
        term: 'delete [options] [resource...]',
        description: 'delete resources and everything berth created for them: delete KIND NAME... | KIND/NAME... | -f PATH | -k DIR | ns NAME',
      },
    ],
    load: async () => (await import('./delete.js')).registerDelete,
  },
  {
    commands: [
      {
        name: 'scale',
        term: 'scale [options] <resource...>',
        description: 'set the number of replicas of a deployment, replicaset, replicationcontroller or statefulset (until the source changes it)',
      },
    ],
    load: async () => (await import('./scale.js')).registerScale,
  },
  {
    commands: [
      {
        name: 'rollout',
        term: 'rollout',
        description: 'manage the rollout of a deployment, daemonset or statefulset: status, history, undo, restart, pause, resume (deployments)',
      },
    ],
    load: async () => (await import('./rollout.js')).registerRollout,
  },
  {
    commands: [
      {
        name: 'logs',
        term: 'logs [options] [pod] [container]',
        description: 'print the logs of containers, as kubectl logs: logs POD [-c CONTAINER] | logs KIND/NAME | logs -l SELECTOR',
      },
    ],
    load: async () => (await import('./logs.js')).registerLogs,
  },
  {
    commands: [
      {
        name: 'exec',
        term: 'exec [options] <pod> <command...>',
        description: "run a command in a container of a pod; its exit code becomes berth's: exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [ARGS...]",
      },
    ],
    load: async () => (await import('./exec.js')).registerExec,
  },
  {
    commands: [
      {
        name: 'port-forward',
        term: 'port-forward [options] <target> <ports...>',
        description: 'forward local ports to a pod, until interrupted: port-forward pod/NAME|svc/NAME|deploy/NAME [LOCAL:]REMOTE...',
      },
    ],
    load: async () => (await import('./port-forward.js')).registerPortForward,
  },
  {
    commands: [{ name: 'daemon', term: 'daemon [options]', description: 'keep the Docker host equal to a Git repository or a folder (reconcile loop, HTTP API, webhooks, metrics)' }],
    load: async () => (await import('./daemon.js')).registerDaemon,
  },
  {
    commands: [{ name: 'state', term: 'state', description: 'back up, restore or rebuild the state store' }],
    load: async () => (await import('./state.js')).registerState,
  },
  {
    commands: [
      {
        name: 'kustomize',
        term: 'kustomize [dir...]',
        description: 'print what the kustomization in DIR builds, as `kustomize build DIR` (exit 0 built, 1 invalid, 2 unreadable)',
      },
    ],
    load: async () => (await import('./kustomize.js')).registerKustomize,
  },
  {
    commands: [{ name: 'version', term: 'version [options]', description: 'print the berth version' }],
    load: async () => (await import('./version.js')).registerVersion,
  },
  {
    commands: [
      {
        name: 'explain',
        term: 'explain [options] <resource>',
        description: 'describe the fields of a kind (KIND[.field.path]), their types, and whether berth runs, warns about or refuses each',
      },
    ],
    load: async () => (await import('./explain.js')).registerExplain,
  },
  {
    commands: [
      {
        name: 'config',
        term: 'config',
        description: 'contexts: the app, namespace and state dir commands use by default (file: $BERTH_CONFIG or ~/.config/berth/config)',
      },
    ],
    load: async () => (await import('./config.js')).registerConfig,
  },
  {
    commands: [{ name: 'top', term: 'top', description: 'display resource (CPU/memory) usage of pods or of the node (the Docker host)' }],
    load: async () => (await import('./top.js')).registerTop,
  },
  {
    commands: [{ name: 'events', term: 'events [options]', description: 'list the app events as kubectl events does: oldest first, repeats counted (x12)' }],
    load: async () => (await import('./events.js')).registerEvents,
  },
  {
    commands: [
      {
        name: 'api-resources',
        term: 'api-resources [options]',
        description: 'list the resource types berth reads: NAME SHORTNAMES APIVERSION NAMESPACED KIND (berth explain KIND tells which fields it runs)',
      },
      { name: 'api-versions', term: 'api-versions', description: 'list the API group/versions berth reads (legacy ones it converts are listed by berth explain)' },
    ],
    load: async () => (await import('./api-resources.js')).registerApiResources,
  },
  {
    commands: [{ name: FINISH_COMMAND, term: `${FINISH_COMMAND} [options]`, description: 'finish the terminations of pods a command began (internal)', hidden: true }],
    load: async () => (await import('./finish-terminations.js')).registerFinishTerminations,
  },
];

/**
 * The command argv runs: its first word that is not an option (`berth -h get` is root help all the
 * same, so nothing is lost by loading get), or the word after `help` (`berth help get`).
 */
export function targetCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * Registers every command, but loads only the module of the one argv runs; the others are
 * summaries, enough for `berth --help`, `berth help` and "unknown command" suggestions. Start-up
 * then pays for one command's import graph instead of all of them (docs/performance.md).
 * commands/index.ts registerCommands still registers everything at once (tests walk it).
 */
export async function registerCommandsFor(program: Command, ctx: CliContext, argv: readonly string[]): Promise<void> {
  const target = targetCommand(argv);
  const wanted = COMMAND_MODULES.find((m) => m.commands.some((c) => c.name === target));
  const register = wanted ? await wanted.load() : undefined;
  const terms = new Map<Command, string>();
  for (const m of COMMAND_MODULES) {
    if (m === wanted) register!(program, ctx);
    else for (const c of m.commands) terms.set(program.command(c.name, { hidden: c.hidden }).description(c.description), c.term);
  }
  // Commander derives the term from options and arguments a summary does not have; the table holds it.
  const own = program.configureHelp();
  program.configureHelp({
    ...own,
    subcommandTerm(this: Help, cmd: Command) {
      return terms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
    },
  });
}
