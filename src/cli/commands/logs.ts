import type { Command } from 'commander';
import type { ObservedPod } from '../../plan/observed.js';
import { BerthError } from '../../model/errors.js';
import type { CliContext, CliIO } from '../context.js';
import { print } from '../context.js';
import type { Engine } from '../engine.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions, parseDuration } from '../engine-flags.js';
import { resolveKind } from '../resource-args.js';
import type { ScopeFlags } from './get.js';
import { addNamespaceOption, namespaceOf } from './get.js';

interface LogsFlags extends EngineFlags, ScopeFlags {
  container?: string;
  follow?: boolean;
  tail?: string;
  previous?: boolean;
  timestamps?: boolean;
  since?: string;
}

export function registerLogs(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('logs')
    .description('print the logs of a container in a pod: logs POD [-c CONTAINER] | logs deploy/NAME')
    .argument('<pod>', 'pod name, or KIND/NAME of a controller (deploy/web, rs/web-5d4f8, job/migrate) for one of its pods')
    .option('-c, --container <name>', 'container (app or init); required when the pod has several')
    .option('-f, --follow', 'keep streaming new output until the container stops or Ctrl-C')
    .option('--tail <lines>', 'only the last N lines')
    .option('-p, --previous', 'the output of earlier runs of a restarted container')
    .option('--timestamps', 'prefix each line with its RFC 3339 timestamp')
    .option('--since <duration>', 'only lines newer than this (e.g. 10s, 5m, 1h)');
  addNamespaceOption(cmd);
  addEngineOptions(cmd);
  cmd.action(async (pod: string, flags: LogsFlags) => {
    ctx.exitCode = await logs(pod, flags, ctx);
  });
}

/** `POD` or `KIND/NAME` → the pod it means, with the controller's choice explained on stderr. */
export async function resolvePod(arg: string, flags: ScopeFlags, engine: Engine, io: CliIO, quiet = false): Promise<ObservedPod> {
  const slash = arg.indexOf('/');
  const ref = slash > 0 ? { kind: resolveKind(arg.slice(0, slash)), name: arg.slice(slash + 1) } : { kind: 'Pod', name: arg };
  const [{ readLiveState }, { findPod }] = await Promise.all([import('../../runtime/views/index.js'), import('../../runtime/container-io.js')]);
  const state = await readLiveState(engine, { app: engine.app });
  // Readiness is already the one rule's (runtime/observe.ts): the pod chosen is the one `get` shows ready.
  const namespace = namespaceOf(flags, io);
  const service = ref.kind === 'Service' ? state.inventory.find((e) => e.key === `Service/${namespace}/${ref.name}`) : undefined;
  if (ref.kind === 'Service' && !service) throw new BerthError('NOT_FOUND', `services "${ref.name}" not found in namespace ${namespace}`, { namespace, service: ref.name });
  const selector = (service?.object as { spec?: { selector?: Record<string, string> } } | undefined)?.spec?.selector;
  const { pod, of } = findPod(state.host.pods, ref, namespace, selector);
  if (of > 1 && !quiet) print(io.stderr, `Found ${of} pods, using pod/${pod.name}`);
  return pod;
}

function parseTail(text: string | undefined): number | undefined {
  if (text === undefined || text === '-1') return undefined;
  if (!/^\d+$/.test(text)) throw new BerthError('USAGE', `invalid --tail "${text}": a number of lines`, { value: text });
  return Number(text);
}

async function logs(arg: string, flags: LogsFlags, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const tail = parseTail(flags.tail);
  const sinceMs = flags.since !== undefined ? parseDuration(flags.since) : undefined;
  // Loaded when logs runs, not at start-up (see apply).
  const [{ openEngine }, { chooseContainer, streamLogs }] = await Promise.all([import('../engine.js'), import('../../runtime/container-io.js')]);
  const engine = openEngine(flags, io);
  try {
    const pod = await resolvePod(arg, flags, engine, io);
    const { container } = chooseContainer(pod, flags.container, 'error');
    await streamLogs(
      engine.docker,
      container,
      {
        follow: flags.follow ?? false,
        timestamps: flags.timestamps ?? false,
        previous: flags.previous ?? false,
        pod: pod.name,
        ...(tail !== undefined ? { tail } : {}),
        ...(sinceMs !== undefined ? { since: (engine.clock.now() - sinceMs) / 1000 } : {}),
        signal: io.interrupted,
      },
      // The container's own output, passed through byte for byte as kubectl logs does: it is
      // not berth's text, and escaping it would corrupt what programs write (colored logs,
      // progress bars). berth's own lines here go through print() (cli/context.ts).
      io.stdout,
      io.stderr,
    );
    return 0;
  } finally {
    await engine.close();
  }
}
