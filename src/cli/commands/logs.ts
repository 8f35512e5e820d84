import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import { addEngineOptions } from '../engine-flags.js';
import type { LogsFlags } from './logs-flags.js';
import { MAX_LOG_REQUESTS, parseLogsArgs } from './logs-flags.js';
import { addNamespaceOption, namespaceOf, parseSelectorFlag } from './get.js';
import { resolvePodTarget, selectPods } from './pod-target.js';

// Where `exec` and `port-forward` have always imported it from.
export { resolvePod } from './pod-target.js';

export function registerLogs(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('logs')
    .description('print the logs of containers, as kubectl logs: logs POD [-c CONTAINER] | logs KIND/NAME | logs -l SELECTOR')
    .argument('[pod]', 'pod name, or KIND/NAME of a controller (deploy/web, rs/web-5d4f8, sts/db, job/migrate, svc/web) for one of its pods')
    .argument('[container]', 'the container (the old form of -c)')
    .option('-c, --container <name>', 'container (app or init); default: the kubectl.kubernetes.io/default-container annotation, else the first, with a note')
    .option('-l, --selector <selector>', 'the logs of every pod in the namespace whose labels match (a=b, a!=b, a in (x,y), ...)')
    .option('--all-containers', 'every container of the pod(s): init containers, then app containers')
    .option('--prefix', 'begin every line with [pod/NAME/CONTAINER]')
    .option('-f, --follow', 'keep streaming new output until the containers stop or Ctrl-C; several streams interleave line by line')
    .option('--max-log-requests <n>', `how many streams -f may follow at once (default ${MAX_LOG_REQUESTS})`)
    .option('--tail <lines>', 'only the last N lines of each container (default all; 10 with -l)')
    .option('-p, --previous', 'what a restarted container wrote before its current run')
    .option('--timestamps', 'begin every line with its RFC 3339 timestamp')
    .option('--since <duration>', 'only lines newer than this (e.g. 10s, 5m, 1h)')
    .option('--since-time <time>', 'only lines at or after this RFC 3339 time (e.g. 2026-12-05T14:00:00Z)')
    .option('--limit-bytes <n>', 'at most N bytes of each container\'s output (may end inside a line)')
    .option('--ignore-errors', 'a stream that fails prints its error and the others go on');
  addNamespaceOption(cmd);
  addEngineOptions(cmd);
  cmd.action(async (pod: string | undefined, container: string | undefined, flags: LogsFlags) => {
    ctx.exitCode = await logs([pod, container].filter((a): a is string => a !== undefined), flags, ctx);
  });
}

async function logs(args: string[], flags: LogsFlags, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const req = parseLogsArgs(args, flags);
  const selector = 'selector' in req.target ? parseSelectorFlag(req.target.selector) : undefined;
  // Loaded when logs runs, not at start-up (see apply).
  const [{ openEngine, refuseOnSwarm }, choice, { podLogs }] = await Promise.all([import('../engine.js'), import('../../runtime/container-choice.js'), import('../../runtime/pod-logs.js')]);
  refuseOnSwarm(flags, io.env, 'logs', 'docker service logs SERVICE on the manager (berth get deploy -o wide shows the service)');
  const engine = openEngine(flags, io);
  try {
    const targets = selector ? await selectPods(selector, flags, engine, io) : [await resolvePodTarget((req.target as { arg: string }).arg, flags, engine, io)];
    if (targets.length === 0) {
      print(io.stderr, `No resources found in ${namespaceOf(flags, io)} namespace.`);
      return 0;
    }
    const requests = targets.flatMap(({ pod, annotations }) => {
      if (req.allContainers) return choice.allContainers(pod).map((container) => ({ pod, container }));
      const { container, notes } = choice.chooseContainer(pod, req.container, annotations);
      for (const note of notes) print(io.stderr, note);
      return [{ pod, container }];
    });
    const since = req.sinceTime ?? (req.sinceAgo !== undefined ? engine.clock.now() - req.sinceAgo : undefined);
    await podLogs(
      engine.docker,
      requests,
      {
        follow: req.follow,
        timestamps: req.timestamps,
        previous: req.previous,
        prefix: req.prefix,
        ignoreErrors: req.ignoreErrors,
        maxRequests: req.maxRequests,
        ...(req.tail !== undefined ? { tail: req.tail } : {}),
        ...(req.limitBytes !== undefined ? { limitBytes: req.limitBytes } : {}),
        ...(since !== undefined ? { since } : {}),
        signal: io.interrupted,
      },
      // The containers' own output, passed through byte for byte as kubectl logs does: it is
      // not berth's text, and escaping it would corrupt what programs write (colored logs,
      // progress bars). berth's own lines here go through print() (cli/context.ts).
      io.stdout,
      io.stderr,
      (e) => print(io.stderr, `error: ${e instanceof Error ? e.message : String(e)}`),
    );
    return 0;
  } finally {
    await engine.close();
  }
}
