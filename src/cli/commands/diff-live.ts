import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { print, writeStyled } from '../context.js';
import type { DiffCommandOptions, RawDiffOptions } from './diff.js';
import { diffExitCode, writeDiffReport } from './diff.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions } from '../engine-flags.js';

/** Flags of `berth diff -f PATH` beyond the offline diff's. */
export function liveDiffOptions(cmd: Command): void {
  addEngineOptions(cmd);
  cmd.option('-k, --kustomize <dir>', 'live diff: a directory with a kustomization file, built as kustomize does (as -f DIR, which builds it too)');
  cmd.option('--prune', 'also show objects the manifests dropped, as `apply --prune` would delete them');
}

/** `berth diff -f PATH`: the manifests against the live Docker host (SPEC §7). */
export async function runLiveDiff(options: DiffCommandOptions, ctx: CliContext, raw: RawDiffOptions & Record<string, unknown>): Promise<number> {
  const [{ readInput, readKustomizationInput }, { openEngine }, { liveDiff }, { formatProblemsText }] = await Promise.all([
    import('../read-input.js'),
    import('../engine.js'),
    import('../../runtime/live-diff.js'),
    import('../output/problems.js'),
  ]);
  // kubectl's `diff -k`: refused on a directory without a kustomization, as apply -k does.
  const revision = options.kustomize ? await readKustomizationInput(options.filename![0]!, ctx.io) : await readInput(options.filename ?? [], ctx.io);
  const engine = openEngine(raw as EngineFlags, ctx.io);
  try {
    const result = await liveDiff({ ...engine, backend: engine.plane.backend }, { app: engine.app, revision, validate: options.validation, prune: raw.prune === true });
    if (!result.valid || !result.report) {
      writeStyled(ctx.io.stderr, formatProblemsText(result.problems, { color: false }));
      print(ctx.io.stderr, 'error: the manifests are invalid; nothing to compare');
      return 2;
    }
    // Warnings as validate prints them (stderr: stdout is the report); they fail nothing.
    if (result.problems.length > 0) writeStyled(ctx.io.stderr, formatProblemsText(result.problems, { color: false }));
    writeDiffReport(result.report, options.output, ctx.io);
    return diffExitCode(result.report);
  } finally {
    await engine.close();
  }
}
