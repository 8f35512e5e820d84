import type { Command } from 'commander';
import type { ActionResult } from '../../apply/execute.js';
import { BerthError } from '../../model/errors.js';
import type { PassResult, ProgressEvent, ResourceChange } from '../../runtime/pass/index.js';
import type { CliContext } from '../context.js';
import { print, useColor, writeStyled } from '../context.js';
import type { EngineFlags } from '../engine.js';
import { addEngineOptions, parseDuration } from '../engine-flags.js';
import { kubectlName, kubectlNameOfKey } from '../output/kube-names.js';
import { serviceActionText } from '../../plan/service-action-text.js';
import type { ValidationFlags } from '../validation-flags.js';
import { addValidationOptions, validateOptionsFrom } from '../validation-flags.js';
import { escapeControl } from '../../model/excerpt.js';

interface ApplyFlags extends EngineFlags, ValidationFlags {
  filename: string[];
  prune?: boolean;
  allowEmpty?: boolean;
  dryRun?: boolean;
  wait?: boolean;
  timeout: string;
  output?: string;
}

export function registerApply(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('apply')
    .description('converge the Docker host to the manifests in PATH (files, directories, or - for stdin)')
    .requiredOption('-f, --filename <path>', 'manifest file or directory; repeatable; - reads stdin', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--prune', 'delete objects this app applied before that are no longer in PATH')
    .option('--allow-empty', 'with --prune, allow a revision with no resources to delete everything')
    .option('--dry-run', 'print what would change and change nothing')
    .option('--wait', 'wait until every pod is ready and every rollout complete; exit 1 if one fails')
    .option('--timeout <duration>', 'give up waiting after this long', '5m')
    .option('-o, --output <format>', 'text or json', 'text');
  addEngineOptions(cmd);
  addValidationOptions(cmd);
  cmd.action(async (flags: ApplyFlags) => {
    ctx.exitCode = await apply(flags, ctx);
  });
}

async function apply(flags: ApplyFlags, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  if (flags.output !== 'text' && flags.output !== 'json') throw new BerthError('USAGE', `unknown output format "${flags.output}" (text, json)`);
  const timeoutMs = parseDuration(flags.timeout);
  // Loaded here, not at the top: `berth --help` and other commands should not pay for
  // dockerode, SQLite and the validator (CLI start-up time counts in every no-op apply).
  const [{ readInput }, { openEngine }, { runPass }, { withLease }, { createReadiness }, { formatProblemsText }, { describeAction }] = await Promise.all([
    import('../read-input.js'),
    import('../engine.js'),
    import('../../runtime/pass/index.js'),
    import('../../runtime/hold-lease.js'),
    import('../../runtime/readiness.js'),
    import('../output/problems.js'),
    import('../../apply/execute.js'),
  ]);
  const revision = await readInput(flags.filename, io);
  const engine = openEngine(flags, io);
  const color = useColor(io);
  const progress = flags.output === 'text' ? progressPrinter(ctx, color) : undefined;
  const validate = validateOptionsFrom(flags);
  const readiness = createReadiness({ docker: engine.docker, clock: engine.clock, store: engine.store, app: engine.app, log: engine.log, ...(validate.hostPolicy ? { policy: validate.hostPolicy } : {}) });
  try {
    const run = () =>
      runPass(
        { docker: engine.docker, store: engine.store, clock: engine.clock, log: engine.log, random: engine.random, plane: engine.plane, readiness, hooks: readiness.hooks },
        {
          app: engine.app,
          target: {
            kind: 'revision',
            revision,
            validate,
            allowEmpty: flags.allowEmpty ?? false,
            ...(progress ? { onChanges: (changes: ResourceChange[]) => printChanges(changes, flags, ctx) } : {}),
          },
          prune: flags.prune ?? false,
          dryRun: flags.dryRun ?? false,
          waitForReady: flags.wait ?? false,
          timeoutMs,
          signal: io.interrupted,
          ...(progress ? { onProgress: progress.onProgress } : {}),
        },
      );
    const result = flags.dryRun ? await run() : await withLease(engine.store, engine.clock, engine.app, engine.holder, run);
    progress?.done();
    // Benchmarks read Docker API calls by operation from here (bench/apply.ts).
    if (io.env.BERTH_STATS === '1')
      print(io.stderr, JSON.stringify({ dockerCalls: Object.fromEntries(engine.docker.calls.byOperation), total: engine.docker.calls.total(), mutating: engine.docker.calls.mutating() }));
    return report(result, flags, ctx, color, { formatProblemsText, describeAction });
  } finally {
    await readiness.stop();
    engine.close();
  }
}

interface ReportHelpers {
  formatProblemsText: (p: PassResult['problems'], o: { color: boolean }) => string;
  /** What an action will do, verb first (`create network for namespace default`): for --dry-run. */
  describeAction: (a: ActionResult['action']) => string;
}

function report(result: PassResult, flags: ApplyFlags, ctx: CliContext, color: boolean, { formatProblemsText, describeAction }: ReportHelpers): number {
  const { io } = ctx;
  if (!result.valid) {
    writeStyled(io.stderr, formatProblemsText(result.problems, { color: useColor({ ...io, stdout: io.stderr }) }));
    print(io.stderr, `error: ${revisionLabel(result)} is invalid; nothing was applied`);
    return 2;
  }
  // Warnings (a field berth ignores, ...) as validate prints them; they fail nothing.
  if (result.problems.length > 0) writeStyled(io.stderr, formatProblemsText(result.problems, { color: useColor({ ...io, stdout: io.stderr }) }));
  const failed = result.converge?.results.filter((r) => !r.ok) ?? [];
  const timedOut = result.converge?.timedOut ?? false;
  if (flags.output === 'json') {
    print(io.stdout, JSON.stringify(jsonReport(result, describeAction), null, 2));
  } else {
    const orphans = result.changes.filter((c) => c.change === 'orphaned');
    if (orphans.length)
      print(io.stderr, `note: ${orphans.length} object(s) no longer in the manifests still run (${orphans.map((o) => kubectlNameOfKey(o.key)).join(', ')}); use --prune to delete them`);
    if (flags.dryRun) {
      // The planned action, verb first ("would create network for namespace default"); actionText
      // reports what happened ("network for namespace/default created") and reads wrong after "would".
      for (const a of result.converge?.firstPlan.actions ?? []) print(io.stdout, `  would ${describeAction(a)}`);
    }
    for (const w of result.converge?.waits ?? []) if (timedOut || flags.wait) print(io.stderr, `${timedOut ? 'timed out: ' : ''}${kubectlNameOfKey(w.key)}: ${w.message}`);
  }
  for (const r of failed) writeStyled(io.stderr, `${color ? '\x1b[31merror\x1b[0m' : 'error'}: ${escapeControl(`${actionText(r)}: ${r.error?.message}`)}\n`);
  for (const key of result.rolloutsFailed) {
    const d = result.divergences.find((x) => x.deployment === key);
    print(io.stderr, `error: the rollout of ${kubectlNameOfKey(key)} missed its progress deadline${d ? `; ${d.message}` : ''}`);
  }
  for (const d of result.divergences) if (!result.rolloutsFailed.includes(d.deployment)) print(io.stderr, `note: ${kubectlNameOfKey(d.deployment)}: ${d.message}`);
  if (failed.length) return 3;
  if (result.rolloutsFailed.length) return 1;
  if (timedOut) return 1;
  // --wait: a container refused as CreateContainerConfigError never becomes ready (printed above).
  if (flags.wait && result.converge?.waits.some((w) => w.stuck)) return 1;
  return 0;
}

function printChanges(changes: ResourceChange[], flags: ApplyFlags, ctx: CliContext): void {
  const suffix = flags.dryRun ? ' (dry run)' : '';
  for (const c of changes) {
    if (c.change !== 'orphaned') print(ctx.io.stdout, `${kubectlName(c.kind, c.name)} ${c.change}${suffix}`);
  }
}

function revisionLabel(result: PassResult): string {
  return result.revision.origin || `revision ${result.revision.id.slice(0, 12)}`;
}

/**
 * `-o json`: `planned` is the first plan's actions, the ones the text form prints as `would …`
 * on a dry run (a dry run executes none, so `actions` is empty then); `actions` is what was
 * executed, with results (a real apply plans again after each step, so it may hold more).
 */
function jsonReport(result: PassResult, describeAction: ReportHelpers['describeAction']): unknown {
  return {
    revision: result.revision,
    valid: result.valid,
    ok: result.ok,
    problems: result.problems,
    changes: result.changes,
    planned: (result.converge?.firstPlan.actions ?? []).map((a) => ({ action: a.type, key: a.key, text: describeAction(a) })),
    actions: (result.converge?.results ?? []).map((r) => ({ action: r.action.type, key: r.action.key, text: actionText(r), ok: r.ok, ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}), durationMs: r.durationMs })),
    waits: result.converge?.waits ?? [],
    timedOut: result.converge?.timedOut ?? false,
  };
}

/** One line per action, kubectl-flavoured: `pod/web-5d4f8-abcde created (rolling update)`. */
export function actionText(r: ActionResult): string {
  const a = r.action;
  switch (a.type) {
    case 'create-pod':
      return `pod/${a.pod.name} created (${a.reason})`;
    case 'delete-pod':
      return `pod/${a.name} deleted (${a.reason})`;
    case 'create-container':
      return `pod/${a.pod.name}: container ${a.container} recreated (${a.reason})`;
    case 'start-container':
      return `pod/${a.pod}: container ${a.container} started (${a.reason})`;
    case 'restore-volume-files':
      return `pod/${a.pod.name}: secret volume${a.volumes.length > 1 ? 's' : ''} ${a.volumes.join(', ')} written again (${a.reason})`;
    case 'manage-restarts':
      return `pod/${a.pod}: container ${a.container} ${a.take ? 'restarts managed by berth with back-off' : 'restarts handed back to Docker'} (${a.reason})`;
    case 'create-network':
      return `network for namespace/${a.namespace} created`;
    case 'delete-network':
      return `network of namespace/${a.namespace} deleted`;
    case 'create-volume':
      return `volume for persistentvolumeclaim/${a.claim} created`;
    case 'delete-volume':
      return a.claim ? `volume of persistentvolumeclaim/${a.claim} deleted (its data is gone)` : `leftover volume ${a.volumeName} deleted`;
    default:
      return serviceActionText(a);
  }
}

/**
 * Action lines as they complete; while waiting, one status line that rewrites itself on a
 * terminal, or a line whenever the status text changes otherwise (CI logs stay short).
 */
function progressPrinter(ctx: CliContext, color: boolean): { onProgress: (e: ProgressEvent) => void; done: () => void } {
  const { io } = ctx;
  const tty = io.stderr.isTTY === true;
  let lastStatus = '';
  let statusShown = false;
  const clear = () => {
    if (tty && statusShown) writeStyled(io.stderr, '\r\x1b[2K');
    statusShown = false;
  };
  return {
    onProgress: (e) => {
      if (e.type === 'action') {
        clear();
        if (e.result.ok) print(io.stdout, `  ${actionText(e.result)}`);
        return;
      }
      if (e.type === 'waiting') {
        const text = e.waits.map((w) => `${kubectlNameOfKey(w.key)}: ${w.message}`).join('; ');
        if (text === lastStatus && !tty) return;
        lastStatus = text;
        if (tty) {
          writeStyled(io.stderr, `\r\x1b[2K${color ? '\x1b[2m' : ''}waiting: ${escapeControl(text.slice(0, (io.stdout.columns ?? 120) - 10))}${color ? '\x1b[0m' : ''}`);
          statusShown = true;
        } else print(io.stderr, `waiting: ${text}`);
      }
    },
    done: clear,
  };
}
