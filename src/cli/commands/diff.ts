import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { renderJson } from '../../report/render/json.js';
import { renderMarkdown } from '../../report/render/markdown.js';
import type { DiffReport } from '../../report/render/report.js';
import { createDiffReport, hasDifferences } from '../../report/render/report.js';
import { renderText } from '../../report/render/text.js';
import type { ValidateOptions } from '../../manifests/index.js';
import { createValidationCache, validateRevision } from '../../manifests/index.js';
import { BerthError, isBerthError } from '../../model/errors.js';
import { UNRESTRICTED_HOST_POLICY } from '../../model/pod-policy.js';
import type { Problem } from '../../model/problem.js';
import { hasErrors, problemLocation } from '../../model/problem.js';
import type { Resource } from '../../model/types.js';
import { readPath } from '../../sources/folder.js';
import type { Revision } from '../../model/revision.js';
import type { CliContext, CliIO } from '../context.js';
import { print, useColor, write, writeStyled } from '../context.js';
import { formatProblemsText } from '../output/problems.js';
import type { ValidationFlags } from '../validation-flags.js';
import { addValidationOptions, validateOptionsFrom } from '../validation-flags.js';
const git = () => import('../../sources/git.js'); // isomorphic-git: most of diff's import graph, needed only for a ref

/**
 * `berth diff`: what applying a revision would change, without changing anything.
 *
 * Offline (`--from A --to B`, this file): two folders or two git refs, no Docker, no state.
 * Live (`-f PATH`, issue 3): desired state against the Docker host. The live path plugs in
 * through `registerDiff(program, ctx, { live })` and reuses the pieces exported here: option
 * parsing, the report pipeline (createDiffReport) and writeDiffReport/diffExitCode.
 */

export const DIFF_OUTPUT_FORMATS = ['text', 'json', 'markdown'] as const;
export type DiffOutputFormat = (typeof DIFF_OUTPUT_FORMATS)[number];

/**
 * How a `--from`/`--to` value is read: `auto` (a plain --from/--to: a directory or a ref,
 * refused when it is both), or made explicit by --from-ref/--from-dir (--to-ref/--to-dir).
 */
export type DiffInputMode = 'auto' | 'ref' | 'dir';

export interface DiffInput {
  value: string;
  mode: DiffInputMode;
}

export interface DiffCommandOptions {
  from?: DiffInput;
  to?: DiffInput;
  repo?: string;
  output: DiffOutputFormat;
  /** --skip-unsupported and the host policy flags, as validate and apply take them. */
  validation: ValidateOptions;
  /** Live mode input (`-f`, repeatable; or the one `-k` directory, when `kustomize` is set). */
  filename?: string[];
  kustomize?: boolean;
}

/**
 * The live diff (`berth diff -f PATH`), provided by the converge engine: gets the parsed
 * options, and `raw` for the flags it declared itself (e.g. addEngineOptions' --app and
 * --state-dir); returns the exit code.
 */
export type LiveDiff = (options: DiffCommandOptions, ctx: CliContext, raw: RawDiffOptions & Record<string, unknown>) => Promise<number>;

export interface DiffDeps {
  live?: LiveDiff;
  /** Declares the live diff's own flags on the `diff` command. */
  liveOptions?: (cmd: Command) => void;
}

export function registerDiff(program: Command, ctx: CliContext, deps: DiffDeps = {}): void {
  const cmd = program
    .command('diff')
    .description('show what applying manifests would change: offline between two folders or git refs (--from/--to), or against the Docker host (-f)')
    .option('--from <dir|ref>', 'the current state: a directory, or a git ref of --repo (branch, tag, SHA; REF:PATH for a sub-directory); a name that is both is refused')
    .option('--to <dir|ref>', 'the proposed state, same forms as --from')
    .option('--from-ref <ref>', 'like --from, always a git ref (REF or REF:PATH), read from Git objects only')
    .option('--to-ref <ref>', 'like --to, always a git ref')
    .option('--from-dir <dir>', 'like --from, always a directory')
    .option('--to-dir <dir>', 'like --to, always a directory')
    .option('--repo <path>', 'git repository (or a directory inside one) that refs are read from; default: the current directory')
    .option('-f, --filename <path>', 'live diff: manifests to compare with what runs on the Docker host (repeatable)', collect)
    .addOption(new Option('-o, --output <format>', 'output format').choices([...DIFF_OUTPUT_FORMATS]).default('text'))
    .addHelpText(
      'after',
      '\nExit status: 0 no differences, 1 differences found, 2 invalid manifests or unreadable input, 3 runtime failure.',
    );
  addValidationOptions(cmd);
  deps.liveOptions?.(cmd);
  cmd.action(async (raw: RawDiffOptions & Record<string, unknown>) => {
    const options = parseDiffOptions(raw);
    ctx.exitCode = options.filename?.length
      ? await runLive(options, ctx, raw, deps.live)
      : await runOfflineDiff(options as OfflineOptions, ctx.io);
  });
}

export interface RawDiffOptions extends ValidationFlags {
  from?: string;
  to?: string;
  fromRef?: string;
  toRef?: string;
  fromDir?: string;
  toDir?: string;
  repo?: string;
  filename?: string[];
  kustomize?: string;
  output?: string;
}

type OfflineOptions = DiffCommandOptions & { from: DiffInput; to: DiffInput };

/** One side's value from --X, --X-ref or --X-dir (at most one of them). */
function sideInput(raw: RawDiffOptions, side: 'from' | 'to'): DiffInput | undefined {
  const given = [
    { flag: `--${side}`, value: side === 'from' ? raw.from : raw.to, mode: 'auto' as const },
    { flag: `--${side}-ref`, value: side === 'from' ? raw.fromRef : raw.toRef, mode: 'ref' as const },
    { flag: `--${side}-dir`, value: side === 'from' ? raw.fromDir : raw.toDir, mode: 'dir' as const },
  ].filter((g) => g.value !== undefined);
  if (given.length > 1) throw new BerthError('USAGE', `use one of ${given.map((g) => g.flag).join(', ')}, not several`, { flags: given.map((g) => g.flag) });
  const g = given[0];
  return g ? { value: g.value!, mode: g.mode } : undefined;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Checks the combination of options; USAGE errors exit 2. */
export function parseDiffOptions(raw: RawDiffOptions): DiffCommandOptions {
  const output = raw.output ?? 'text';
  const from = sideInput(raw, 'from');
  const to = sideInput(raw, 'to');
  if (!(DIFF_OUTPUT_FORMATS as readonly string[]).includes(output))
    throw new BerthError('USAGE', `unknown output format "${output}"`, { hint: `use one of: ${DIFF_OUTPUT_FORMATS.join(', ')}` });
  const options: DiffCommandOptions = {
    output: output as DiffOutputFormat,
    validation: validateOptionsFrom(raw),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(raw.repo !== undefined ? { repo: raw.repo } : {}),
    ...(raw.filename?.length ? { filename: raw.filename } : raw.kustomize !== undefined ? { filename: [raw.kustomize], kustomize: true } : {}),
  };
  if (raw.kustomize !== undefined && raw.filename?.length) throw new BerthError('USAGE', 'only one of -f or -k can be specified', { flags: ['-f', '-k'] });
  const offline = options.from !== undefined || options.to !== undefined;
  if (offline && options.filename)
    throw new BerthError('USAGE', '-f/-k cannot be combined with --from/--to', {
      hint: 'use --from/--to to compare two revisions, or -f to compare manifests with the Docker host',
    });
  if (offline && (options.from === undefined || options.to === undefined))
    throw new BerthError('USAGE', `--${options.from === undefined ? 'from' : 'to'} is missing`, {
      hint: 'an offline diff needs both: berth diff --from <dir|ref> --to <dir|ref>',
    });
  if (!offline && !options.filename)
    throw new BerthError('USAGE', 'nothing to compare', {
      hint: 'berth diff --from <dir|ref> --to <dir|ref>, or berth diff -f PATH against the Docker host',
    });
  return options;
}

async function runLive(
  options: DiffCommandOptions,
  ctx: CliContext,
  raw: RawDiffOptions & Record<string, unknown>,
  live: LiveDiff | undefined,
): Promise<number> {
  // Temporary until the converge engine registers its live diff (issue 3).
  if (!live)
    throw new BerthError('USAGE', 'live diff (berth diff -f PATH) requires the converge engine, which this build does not include yet', {
      hint: 'compare two revisions offline instead: berth diff --from <dir|ref> --to <dir|ref>',
    });
  return live(options, ctx, raw);
}

// ---------------------------------------------------------------- offline

/** One side of an offline diff, read and validated. */
export interface DiffSide {
  flag: '--from' | '--to';
  revision: Revision;
  resources: Resource[];
  problems: Problem[];
}

export async function runOfflineDiff(options: OfflineOptions, io: CliIO): Promise<number> {
  const readOptions = { cwd: io.cwd, ...(options.repo !== undefined ? { repo: options.repo } : {}) };
  // Two revisions of one repository share most files: the second side reuses the first's
  // per-file parsing and checks (and the differ then sees identical objects at once).
  const validation = { ...options.validation, cache: createValidationCache() };
  const [loadedFrom, to] = await Promise.all([
    loadDiffSide('--from', options.from, readOptions, validation),
    loadDiffSide('--to', options.to, readOptions, validation),
  ]);
  const { side: from, notes } = asCurrentState(loadedFrom, options.validation);
  if (notes.length > 0) {
    print(io.stderr, `${from.flag} ${from.revision.origin}: this host's policy refuses what it already has (not this change's doing; the diff goes on):`);
    for (const n of notes) print(io.stderr, `note: ${problemLocation(n)}: ${n.message}`);
  }
  let invalid = false;
  for (const side of [from, to]) {
    if (side.problems.length === 0) continue;
    const errors = hasErrors(side.problems);
    invalid ||= errors;
    print(io.stderr, `${side.flag} ${side.revision.origin}: ${errors ? 'invalid manifests' : 'warnings'}`);
    writeStyled(io.stderr, formatProblemsText(side.problems, { color: stderrColor(io) }));
  }
  if (invalid) return 2;
  const report = createDiffReport({
    from: { id: from.revision.id, origin: from.revision.origin },
    to: { id: to.revision.id, origin: to.revision.origin },
    before: from.resources,
    after: to.resources,
    ...(options.validation.hostPolicy?.edge ? { edge: options.validation.hostPolicy.edge } : {}),
  });
  writeDiffReport(report, options.output, io);
  return diffExitCode(report);
}

/**
 * The `--from` side is the current state (main): host-policy problems there are not the pull
 * request's doing, and a pull request that removes a hostPort must not fail because main had
 * it. Read without the policy, they come back as notes; every other problem still counts. The
 * common case (none) costs nothing: the side is re-read only when it has policy problems.
 */
export function asCurrentState(side: DiffSide, validation: ValidateOptions): { side: DiffSide; notes: Problem[] } {
  const notes = side.problems.filter(isPolicyProblem);
  if (notes.length === 0) return { side, notes };
  const unrestricted = validateRevision(side.revision.files, { ...validation, cache: undefined, hostPolicy: UNRESTRICTED_HOST_POLICY });
  return { side: { ...side, resources: [...unrestricted.resources], problems: unrestricted.problems.filter((p) => !isPolicyProblem(p)) }, notes };
}

function isPolicyProblem(p: Problem): boolean {
  return p.code.startsWith('policy-');
}

export async function loadDiffSide(
  flag: DiffSide['flag'],
  input: DiffInput,
  options: { cwd: string; repo?: string },
  validation: ValidateOptions,
): Promise<DiffSide> {
  const revision = await readDiffInput(input, { ...options, flag });
  const { resources, problems } = validateRevision(revision.files, validation);
  return { flag, revision, resources: [...resources], problems: [...problems] };
}

/**
 * A `--from`/`--to` value. In CI the working tree is the pull request's: a directory named
 * `main/` or `HEAD/` in it must not stand in for the ref of that name (SPEC §8), so a plain
 * value that is both an existing path and a ref of `--repo` is refused (USAGE, exit 2) and
 * the user says which with --from-ref/--from-dir. `REF:PATH` is a ref whenever REF is one:
 * the sub-directory of that commit (`.`/`..` refused: it stays inside the tree). A ref is read
 * from Git objects only (never the working tree; symlinks and submodules in the tree are not
 * followed). Without `:PATH`, the sub-directory is where `--repo` (default: the current
 * directory) sits inside its work tree, so running in `deploy/` diffs `deploy/` of both refs.
 */
export async function readDiffInput(input: DiffInput, options: { cwd: string; repo?: string; flag?: string }): Promise<Revision> {
  const { value, mode } = input;
  const flag = options.flag ?? '--from';
  const path = resolve(options.cwd, value);
  const repo = resolve(options.cwd, options.repo ?? '.');
  if (mode === 'dir') {
    if (!(await exists(path))) throw new BerthError('INPUT_UNREADABLE', `${flag}-dir ${value}: no such directory`, { path, reason: 'not-found' });
    return { ...(await readPath(path)), origin: `folder ${value}` };
  }
  const colon = value.indexOf(':');
  const ref = colon < 0 ? value : value.slice(0, colon);
  // Only a repository named with --repo may be bare (see findRepository).
  const named = options.repo !== undefined;
  if (mode === 'auto' && (await exists(path))) {
    // A directory of the work tree that reads as a ref is ambiguous even when the ref is
    // missing: a clone without `origin/main` (single-branch, shallow) would otherwise take the
    // pull request's `origin/main/` directory for it. `./x`, `x/`, absolute paths and paths
    // outside the work tree are never refs and stay directories.
    const workTree = await workTreeOf(repo, named);
    const isRef = await gitRevisionExists(repo, ref, named);
    const inTree = workTree !== undefined && (await git()).isRevisionSyntax(ref) && (await isInside(workTree, path));
    // Resolved against the command's cwd, named as the user wrote it.
    if (!isRef && !inTree) return { ...(await readPath(path)), origin: `folder ${value}` };
    if (colon < 0 || !isRef) {
      const what = isRef ? `both a directory (${path}) and a git ref of ${repo}` : `a directory (${path}) in the work tree ${workTree} and reads as a git ref name, though the repository has no such ref`;
      throw new BerthError('USAGE', `${flag} "${value}" is ${what}; say which: ${flag}-ref ${value} (the commit, read from Git objects only) or ${flag}-dir ${value} (the directory)`, {
        flag,
        value,
        directory: path,
        repo,
        refExists: isRef,
        hint: `${flag}-ref reads only Git objects, so a directory in the working tree cannot stand in for the ref${isRef ? '' : `; ./${value} is always a directory`}`,
      });
    }
  }
  const subPath = colon < 0 ? await positionInWorkTree(repo, named) : value.slice(colon + 1);
  try {
    const revision = await (await git()).readGitRevision({ dir: repo, ref, named, ...(subPath ? { path: subPath } : {}) });
    // Named as git names a tree of a commit (`main:deploy`), relative to the repository: the
    // runner's checkout path means nothing in a pull request comment.
    const inTree = subPath?.replace(/^\/+|\/+$/g, '');
    return { ...revision, origin: `git ${ref}${inTree ? `:${inTree}` : ''}` };
  } catch (err) {
    throw asInputError(err, value, mode);
  }
}

/** Whether `ref` names a commit of the repository at `dir` (false when there is no repository). */
async function gitRevisionExists(dir: string, ref: string, named: boolean): Promise<boolean> {
  try {
    await (await git()).resolveGitRevision({ dir, ref, named });
    return true;
  } catch (err) {
    if (isBerthError(err, 'SOURCE_ERROR') && err.data.reason === 'corrupt') throw err;
    if (isBerthError(err)) return false;
    throw err;
  }
}

/**
 * A ref that does not exist or a path missing in it is input berth cannot process (exit 2),
 * not a runtime failure; a damaged repository stays one (exit 3).
 */
function asInputError(err: unknown, value: string, mode: DiffInputMode): unknown {
  if (!isBerthError(err, 'SOURCE_ERROR')) return err;
  const reason = err.data.reason;
  if (reason === 'corrupt') return err;
  const what = mode === 'ref' ? 'is not a git ref of the repository' : 'is neither a directory nor a git ref of the repository';
  const hint = reason === 'not-found' || reason === 'ref-not-found' ? `"${value}" ${what}; for a remote branch, fetch it first (git fetch origin)` : undefined;
  return new BerthError('INPUT_UNREADABLE', err.message, { ...err.data, ...(hint ? { hint } : {}) }, { cause: err });
}

/** `dir` relative to the root of the work tree that holds it; undefined at the root or in a bare repository. */
async function positionInWorkTree(dir: string, named: boolean): Promise<string | undefined> {
  // No repository: readGitRevision reports it.
  const workTree = await workTreeOf(dir, named).catch(() => undefined);
  if (workTree === undefined) return undefined;
  const rel = relative(workTree, dir);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : rel.split(sep).join('/');
}

/** The work tree of the repository at `dir`: undefined when it is bare or there is none. */
async function workTreeOf(dir: string, named: boolean): Promise<string | undefined> {
  try {
    return (await (await git()).findRepository(dir, { named })).workTree;
  } catch (err) {
    const reason = isBerthError(err, 'INPUT_UNREADABLE') ? err.data.reason : undefined;
    if (reason === 'not-a-repository' || reason === 'bare-not-named') return undefined;
    throw err;
  }
}

/** Whether `path` lies in `dir`, as written or once symbolic links are resolved. */
async function isInside(dir: string, path: string): Promise<boolean> {
  const inside = (d: string, p: string) => {
    const rel = relative(d, p);
    return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  };
  if (inside(dir, path)) return true;
  const [realDir, realPath] = await Promise.all([realpath(dir).catch(() => dir), realpath(path).catch(() => path)]);
  return inside(realDir, realPath);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

// ---------------------------------------------------------------- output

/** Renders a (redacted) report in the chosen format; text is coloured on a TTY without NO_COLOR. */
export function renderDiffReport(report: DiffReport, format: DiffOutputFormat, io: CliIO): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'text':
      return renderText(report, { color: useColor(io) });
  }
}

/** useColor's rules, for stderr. */
function stderrColor(io: CliIO): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io.stderr.isTTY === true;
}

export function writeDiffReport(report: DiffReport, format: DiffOutputFormat, io: CliIO): void {
  // Text is styled by renderText, which escapes the data first; JSON and Markdown are escaped here.
  if (format === 'text') writeStyled(io.stdout, renderDiffReport(report, format, io));
  else write(io.stdout, renderDiffReport(report, format, io));
}

/** SPEC §7: 0 no differences, 1 differences found. */
export function diffExitCode(report: DiffReport): 0 | 1 {
  return hasDifferences(report) ? 1 : 0;
}
