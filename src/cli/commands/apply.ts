import type { Command } from 'commander';
import type { ApplyReport } from '../../model/intent.js';
import type { Action } from '../../plan/actions.js';
import { actionText } from '../../runtime/action-text.js';
import { BerthError } from '../../model/errors.js';
import type { ProgressEvent, ResourceChange } from '../../runtime/pass/index.js';
import type { CliContext } from '../context.js';
import { print, useColor, writeStyled } from '../context.js';
import type { EngineFlags } from '../engine.js';
import { addEngineOptions, parseDuration } from '../engine-flags.js';
import { kubectlNameOfKey } from '../output/kube-names.js';
import type { ValidationFlags } from '../validation-flags.js';
import { addValidationOptions, validateOptionsFrom } from '../validation-flags.js';
import { escapeControl } from '../../model/excerpt.js';
import { daemonNote } from '../daemon-note.js';
import { changeLine, parseDryRun } from '../dry-run.js';
import type { PruneFlags } from '../prune-flags.js';
import { addPruneOptions, pruneFromFlags } from '../prune-flags.js';

interface ApplyFlags extends EngineFlags, ValidationFlags, PruneFlags {
  filename: string[];
  kustomize?: string;
  allowEmpty?: boolean;
  dryRun?: string | boolean;
  wait?: boolean;
  timeout: string;
  output?: string;
}

export function registerApply(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('apply')
    .description('converge the Docker host to the manifests in PATH (files, directories, or - for stdin); additive: the app\'s objects not in PATH keep running unless --prune')
    .option('-f, --filename <path>', 'manifest file or directory; repeatable; - reads stdin', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('-k, --kustomize <dir>', 'a directory with a kustomization file, built as kustomize does (as -f DIR, which builds it too)')
    .option('--allow-empty', 'with --prune, allow a PATH with no resources to delete everything the prune selects')
    .option('--dry-run [strategy]', 'print what would change and change nothing: client (the bare flag) or server, as kubectl spells them (both plan against the live host); none applies')
    .option('--wait', 'wait until every pod is ready and every rollout complete; exit 1 if one fails')
    .option('--timeout <duration>', 'give up waiting after this long', '5m')
    .option('-o, --output <format>', 'text or json', 'text');
  addPruneOptions(cmd);
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
  // Normalised once: `--dry-run=none` applies, as kubectl's does; report and printChanges read the strategy.
  const dryRun = parseDryRun(flags.dryRun);
  flags.dryRun = dryRun === 'none' ? undefined : dryRun;
  // Loaded here, not at the top: `berth --help` and other commands should not pay for
  // dockerode, SQLite and the validator (CLI start-up time counts in every no-op apply).
  // kubectl's rules: one of -f and -k, never both.
  if (flags.kustomize !== undefined && flags.filename.length > 0) throw new BerthError('USAGE', 'only one of -f or -k can be specified', { flags: ['-f', '-k'] });
  if (flags.kustomize === undefined && flags.filename.length === 0) throw new BerthError('USAGE', 'must specify one of -f and -k', { flags: ['-f', '-k'] });
  // Before anything is read: `--prune` without a scope is refused as kubectl refuses it.
  const { prune, scope: pruneScope } = pruneFromFlags(flags);
  const [{ readInput, readKustomizationInput }, { openEngine }, { runPass }, { submit }, { applyReportOf, intentRevisionOf }, { createReadiness }, { formatProblemsText }, { wakeDaemon }, { DEFAULT_HOST_POLICY }] = await Promise.all([
    import('../read-input.js'),
    import('../engine.js'),
    import('../../runtime/pass/index.js'),
    import('../../runtime/control.js'),
    import('../../runtime/pass-intents.js'),
    import('../../runtime/readiness.js'),
    import('../output/problems.js'),
    import('../wake-daemon.js'),
    import('../../model/policy.js'),
  ]);
  const revision = flags.kustomize !== undefined ? await readKustomizationInput(flags.kustomize, io) : await readInput(flags.filename, io);
  const engine = openEngine(flags, io);
  const color = useColor(io);
  const progress = flags.output === 'text' ? progressPrinter(ctx, color) : undefined;
  const validate = validateOptionsFrom(flags);
  const readiness = createReadiness({ docker: engine.docker, clock: engine.clock, store: engine.store, app: engine.app, log: engine.log, holder: engine.holder, ...(validate.hostPolicy ? { policy: validate.hostPolicy } : {}) });
  const deps = { docker: engine.docker, store: engine.store, clock: engine.clock, log: engine.log, random: engine.random, plane: engine.plane, readiness, hooks: readiness.hooks };
  const streaming = progress ? { onProgress: progress.onProgress, onChanges: (changes: ResourceChange[]) => printChanges(changes, flags, ctx) } : {};
  const helpers = { formatProblemsText };
  try {
    if (flags.dryRun) {
      // Lease-free and write-free: plans against the host as it is, whoever manages the app.
      const result = await runPass(deps, {
        app: engine.app,
        target: { kind: 'revision', revision, validate, allowEmpty: flags.allowEmpty ?? false, ...(streaming.onChanges ? { onChanges: streaming.onChanges } : {}) },
        prune,
        ...(pruneScope ? { pruneScope } : {}),
        dryRun: true,
        waitForReady: false,
        timeoutMs,
        signal: io.interrupted,
        ...(streaming.onProgress ? { onProgress: streaming.onProgress } : {}),
      });
      progress?.done();
      return report(applyReportOf(result), flags, ctx, color, helpers);
    }
    // The change is an intent (issue 12 F3): applied by the pass of whoever holds the app, here
    // or in the daemon that manages it; never LEASE_HELD for a command.
    const outcome = await submit(
      { ...deps, holder: engine.holder, wake: wakeDaemon },
      {
        type: 'apply',
        revision: intentRevisionOf(revision),
        prune,
        ...(pruneScope ? { pruneScope } : {}),
        allowEmpty: flags.allowEmpty ?? false,
        skipUnsupported: validate.skipUnsupported ?? false,
        ...(validate.hostPolicy ? { hostPolicy: validate.hostPolicy } : {}),
        wait: flags.wait ?? false,
        timeoutMs,
      },
      { app: engine.app, wait: flags.wait ?? false, timeoutMs, signal: io.interrupted, hostPolicy: validate.hostPolicy ?? DEFAULT_HOST_POLICY, progress: streaming },
    );
    progress?.done();
    const { result } = outcome;
    if (!result.ok || result.report?.type !== 'apply') {
      const error = result.error ?? { code: 'INTERNAL' as const, message: result.message };
      throw new BerthError(error.code, error.message, error.data ?? {});
    }
    // Benchmarks read Docker API calls by operation from here (bench/apply.ts).
    if (io.env.BERTH_STATS === '1')
      print(io.stderr, JSON.stringify({ dockerCalls: Object.fromEntries(engine.docker.calls.byOperation), dockerMs: Object.fromEntries(engine.docker.calls.msByOperation ?? []), total: engine.docker.calls.total(), mutating: engine.docker.calls.mutating() }));
    // The daemon's pass printed nothing here: its lines now, as this process would have.
    if (outcome.by === 'lease-holder' && flags.output === 'text') {
      printChanges(result.report.changes, flags, ctx);
      for (const a of result.report.actions) if (a.ok) print(io.stdout, `  ${a.text}`);
    }
    const code = report(result.report, flags, ctx, color, helpers);
    if (outcome.by === 'lease-holder' && outcome.daemon && result.report.valid) print(io.stderr, daemonNote(outcome.daemon, result.hold));
    return code;
  } finally {
    await readiness.stop();
    await engine.close();
  }
}

interface ReportHelpers {
  formatProblemsText: (p: ApplyReport['problems'], o: { color: boolean }) => string;
}

function report(result: ApplyReport, flags: ApplyFlags, ctx: CliContext, color: boolean, { formatProblemsText }: ReportHelpers): number {
  const { io } = ctx;
  if (!result.valid) {
    writeStyled(io.stderr, formatProblemsText(result.problems, { color: useColor({ ...io, stdout: io.stderr }) }));
    print(io.stderr, `error: ${revisionLabel(result)} is invalid; nothing was applied`);
    return 2;
  }
  // Warnings (a field berth ignores, ...) as validate prints them; they fail nothing.
  if (result.problems.length > 0) writeStyled(io.stderr, formatProblemsText(result.problems, { color: useColor({ ...io, stdout: io.stderr }) }));
  const failed = result.actions.filter((r) => !r.ok);
  const timedOut = result.timedOut;
  if (flags.output === 'json') {
    // `planned`: the first plan's actions, the ones the text form prints as `would …` on a dry
    // run (which executes none, so `actions` is empty then); `actions`: what was executed.
    const { revision, valid, ok, problems, changes, planned, actions, waits } = result;
    print(io.stdout, JSON.stringify({ revision, valid, ok, problems, changes, planned, actions, waits, timedOut }, null, 2));
  } else {
    // The planned action, verb first ("would create network for namespace default"); actionText
    // reports what happened ("network for namespace/default created") and reads wrong after "would".
    if (flags.dryRun) for (const a of result.planned) print(io.stdout, `  would ${a.text}`);
    for (const w of result.waits) {
      if (timedOut || flags.wait) print(io.stderr, `${timedOut ? 'timed out: ' : ''}${kubectlNameOfKey(w.key)}: ${w.message}`);
      // The edge not serving (a port it cannot listen on) is said without --wait too: the apply succeeded, the routes are down.
      else if (w.kind === 'edge') print(io.stderr, `warning: ${kubectlNameOfKey(w.key)}: ${w.message}`);
    }
  }
  for (const r of failed) writeStyled(io.stderr, `${color ? '\x1b[31merror\x1b[0m' : 'error'}: ${escapeControl(`${r.text}: ${r.error?.message}`)}\n`);
  for (const key of result.rolloutsFailed) {
    const d = result.divergences.find((x) => x.deployment === key);
    print(io.stderr, `error: the rollout of ${kubectlNameOfKey(key)} missed its progress deadline${d ? `; ${d.message}` : ''}`);
  }
  for (const d of result.divergences) if (!result.rolloutsFailed.includes(d.deployment)) print(io.stderr, `note: ${kubectlNameOfKey(d.deployment)}: ${d.message}`);
  if (failed.length) return 3;
  if (result.rolloutsFailed.length) return 1;
  if (timedOut) return 1;
  // --wait: a container refused as CreateContainerConfigError never becomes ready (printed above).
  if (flags.wait && result.waits.some((w) => w.stuck)) return 1;
  return 0;
}

function printChanges(changes: readonly Pick<ResourceChange, 'kind' | 'name' | 'change'>[], flags: ApplyFlags, ctx: CliContext): void {
  const dryRun = parseDryRun(flags.dryRun);
  for (const c of changes) {
    if (c.change !== 'orphaned') print(ctx.io.stdout, changeLine(c.kind, c.name, c.change, dryRun));
  }
}

function revisionLabel(result: ApplyReport): string {
  return result.revision.origin || `revision ${result.revision.id.slice(0, 12)}`;
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
      if (e.type === 'swarm-action') {
        clear();
        if (e.ok) print(io.stdout, `  ${escapeControl(e.text)}`);
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
