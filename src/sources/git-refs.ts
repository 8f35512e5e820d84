import fs from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import git from 'isomorphic-git';
import { BerthError, type ErrorData, type SourceErrorReason } from '../model/errors.js';
import type { GitStore } from './git-tree.js';

/** Where a local repository keeps its Git data, as findRepository found it. */
export interface LocalRepository {
  /** The object store and the shared refs (for a linked worktree: its common directory). */
  gitdir: string;
  /** A linked worktree's own directory, which holds its HEAD; undefined otherwise. */
  worktreeGitdir?: string;
  /** The root of the work tree; undefined for a bare repository. */
  workTree?: string;
}

export interface FindRepositoryOptions {
  /**
   * `path` is what the user named as the repository (`--repo`, a source URL), not where a
   * command happens to run: only then may it be a bare repository. Default false.
   */
  named?: boolean;
}

/**
 * Finds the repository of `path`. Discovery, like git's with `safe.bareRepository=explicit`,
 * accepts only a `.git` entry of `path` or of its nearest ancestor that has one (so `--repo .`
 * works from a sub-directory): a `.git` directory, or a `.git` file (`gitdir: ...`, as
 * worktrees and submodules write) whose target is checked to be a Git directory.
 *
 * Why not a bare layout found on the way: files named `HEAD`, `objects/…` and `refs/…` are
 * ordinary content a pull request can commit, and a CI checkout would then read the pull
 * request's own refs instead of the repository's, forging `berth diff --from-ref main`. A
 * `.git` entry cannot be committed (git refuses the path), so it is the checkout's own.
 *
 * A bare repository is read only when `options.named` and `path` itself is one, outside any
 * work tree (or inside a `.git` directory, e.g. `--repo work/.git`): a bare-looking directory
 * inside a work tree is refused, since berth cannot tell it from planted content. A checked-out
 * submodule (a `.git` file to a full Git directory, inside another work tree) is refused too:
 * the pull request picks its repository. Linked worktrees share their repository's refs and
 * are read wherever they are.
 */
export async function findRepository(path: string, options: FindRepositoryOptions = {}): Promise<LocalRepository> {
  const start = resolve(path);
  const st = await stat(start).catch((cause: unknown) => {
    throw new BerthError('INPUT_UNREADABLE', `cannot read repository ${path}`, { path, reason: 'not-found' }, { cause });
  });
  if (!st.isDirectory()) {
    throw new BerthError('INPUT_UNREADABLE', `repository path ${path} is not a directory`, { path, reason: 'not-a-directory' });
  }
  const enclosing = await findDotGit(start, path);
  if (enclosing?.workTree !== start && (await isGitdir(start))) {
    if (!options.named) {
      // Discovery goes past a bare layout to the work tree holding it (it is that tree's content).
      if (enclosing) return enclosing;
      throw new BerthError('INPUT_UNREADABLE', `${path} is a bare repository, which berth reads only when it is named as the repository`, {
        path,
        reason: 'bare-not-named',
        hint: `name it: --repo ${path}`,
      });
    }
    if (!enclosing || within(enclosing.gitdir, start) || (enclosing.worktreeGitdir !== undefined && within(enclosing.worktreeGitdir, start))) return { gitdir: start };
    throw new BerthError(
      'INPUT_UNREADABLE',
      `${path} looks like a bare repository but lies inside the work tree of ${enclosing.workTree}, where committed files can forge one; berth does not read it`,
      {
        path,
        reason: 'bare-in-work-tree',
        workTree: enclosing.workTree,
        hint: `read the repository of that work tree (--repo ${enclosing.workTree}), or move the bare repository out of the work tree`,
      },
    );
  }
  if (enclosing) return enclosing;
  throw new BerthError('INPUT_UNREADABLE', `${path} is not inside a Git repository`, { path, reason: 'not-a-repository' });
}

/** The nearest `.git` entry of `start` or an ancestor, resolved and checked; undefined when there is none. */
async function findDotGit(start: string, shown: string): Promise<(LocalRepository & { workTree: string }) | undefined> {
  for (let dir = start; ; dir = dirname(dir)) {
    const dotgit = join(dir, '.git');
    const dotgitStat = await stat(dotgit).catch(() => undefined);
    if (dotgitStat?.isDirectory()) {
      if (await isGitdir(dotgit)) return { gitdir: dotgit, workTree: dir };
      throw invalidGitdir(shown, dotgit, 'is a directory but no Git directory');
    }
    if (dotgitStat?.isFile()) {
      const found = await followGitFile(dotgit, shown);
      const outer = found.worktreeGitdir === undefined && dirname(dir) !== dir ? await nearestDotGit(dirname(dir)) : undefined;
      if (outer !== undefined) {
        // A checked-out submodule: its repository (URL, commits, refs) is whatever the outer
        // repository's .gitmodules and gitlink say, which a pull request writes.
        throw new BerthError(
          'INPUT_UNREADABLE',
          `${dir} is a submodule of the repository in ${outer} (its .git file points to ${found.gitdir}); a pull request chooses a submodule's repository, so berth does not read it`,
          {
            path: shown,
            reason: 'submodule',
            workTree: outer,
            hint: `diff the outer repository (--repo ${outer}, REF:PATH for a sub-directory), or name the submodule's Git directory: --repo ${found.gitdir}`,
          },
        );
      }
      return { ...found, workTree: dir };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The nearest of `start` and its ancestors with a `.git` entry, unchecked. */
async function nearestDotGit(start: string): Promise<string | undefined> {
  for (let dir = start; ; dir = dirname(dir)) {
    if (await stat(join(dir, '.git')).then(
      () => true,
      () => false,
    ))
      return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * A `.git` file: `gitdir: PATH` (relative to the file's directory). A submodule's points to a
 * full Git directory; a linked worktree's to `.git/worktrees/NAME`, which holds the worktree's
 * HEAD and names the shared directory (objects, refs) in its `commondir` file.
 */
async function followGitFile(dotgit: string, shown: string): Promise<LocalRepository> {
  const m = /^gitdir:\s*(.+)$/m.exec(await readFile(dotgit, 'utf8'));
  if (!m?.[1]) throw invalidGitdir(shown, dotgit, 'is a file without a "gitdir:" line');
  const target = resolve(dirname(dotgit), m[1].trim());
  if (await isGitdir(target)) return { gitdir: target };
  const commondir = await readFile(join(target, 'commondir'), 'utf8').catch(() => undefined);
  const head = await stat(join(target, 'HEAD')).catch(() => undefined);
  if (commondir !== undefined && head?.isFile()) {
    const common = resolve(target, commondir.trim());
    if (await isGitdir(common)) return { gitdir: common, worktreeGitdir: target };
  }
  throw invalidGitdir(shown, dotgit, `points to ${target}, which is no Git directory`);
}

function invalidGitdir(shown: string, dotgit: string, what: string): BerthError {
  return new BerthError('INPUT_UNREADABLE', `cannot read the repository of ${shown}: ${dotgit} ${what}`, { path: shown, dotgit, reason: 'invalid-gitdir' });
}

/** Whether `path` is `dir` or below it. */
function within(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

async function isGitdir(dir: string): Promise<boolean> {
  const [head, objects, refs] = await Promise.all(
    ['HEAD', 'objects', 'refs'].map((n) => stat(join(dir, n)).catch(() => undefined)),
  );
  return Boolean(head?.isFile() && objects?.isDirectory() && refs?.isDirectory());
}

/**
 * Whether `value` has the shape of a revision expression (a ref name or SHA with `~N`/`^N`
 * steps), whether or not the repository has it: `./main`, `main/`, `/abs` and `../x` never do.
 */
export function isRevisionSyntax(value: string): boolean {
  return parseRevisionExpression(value) !== undefined;
}

/** `{base, steps}` of a revision expression (`main~2^` → `main`, `~2^`), undefined when it is none. */
function parseRevisionExpression(expression: string): { base: string; steps: string } | undefined {
  const m = /^([^~^]+)((?:[~^]\d*)*)$/.exec(expression.trim());
  // Git's own ref-name rules (no component starts with '.': `./main` is a path, never a ref),
  // no component starting with '-' (it would read as an option to git tools), no control bytes.
  if (!m?.[1] || /\.\.|@\{|[\s:?*[\\]|\/\/|^\/|\/$|\.lock$|(^|\/)[-.]|[\x00-\x1f\x7f]/.test(m[1])) return undefined;
  return { base: m[1], steps: m[2] ?? '' };
}

/**
 * Resolves a revision expression of a local repository to a commit SHA, the subset of
 * `git rev-parse` that `berth diff --from/--to` needs: a ref name (`main`, `v1.2`,
 * `origin/main`, `refs/heads/x`, `HEAD`, resolved in git's order: exact, tags, heads,
 * remotes), a full or abbreviated (4+ hex digits) SHA, each optionally followed by `~N` (N-th
 * first-parent ancestor) and `^N` (N-th parent) steps, e.g. `HEAD~1`, `main^2`, `v1~2^`.
 * Annotated tags are peeled to their commit.
 */
export async function resolveRevisionExpression(store: GitStore, expression: string): Promise<string> {
  const m = parseRevisionExpression(expression);
  if (!m) throw refError(expression, 'invalid-ref', `"${expression}" is not a revision berth understands`);
  let oid = await peelToCommit(store, await resolveBase(store, m.base, expression), expression);
  for (const step of m.steps.matchAll(/([~^])(\d*)/g)) {
    const n = step[2] === '' ? 1 : Number(step[2]);
    if (step[1] === '~') {
      for (let i = 0; i < n; i++) oid = await parentOf(store, oid, 1, expression);
    } else if (n > 0) {
      oid = await parentOf(store, oid, n, expression);
    }
  }
  return oid;
}

async function resolveBase(store: GitStore, base: string, expression: string): Promise<string> {
  if (/^[0-9a-f]{40}$/i.test(base)) return base.toLowerCase();
  if (store.worktreeGitdir !== undefined && isPerWorktreeRef(base)) return resolveWorktreeRef(store, store.worktreeGitdir, base, expression);
  try {
    return await git.resolveRef({ fs, gitdir: store.gitdir, ref: base });
  } catch (err) {
    if (!isCode(err, 'NotFoundError')) throw err;
  }
  if (!/^[0-9a-f]{4,39}$/i.test(base)) throw refError(expression, 'not-found', `no branch, tag or commit "${base}"`);
  try {
    return await git.expandOid({ fs, gitdir: store.gitdir, oid: base.toLowerCase(), cache: store.cache });
  } catch (err) {
    if (isCode(err, 'AmbiguousError')) {
      const matches = (err as { data?: { matches?: unknown } }).data?.matches;
      throw refError(expression, 'ambiguous', `short SHA "${base}" is ambiguous`, { candidates: Array.isArray(matches) ? matches : [] });
    }
    if (isCode(err, 'NotFoundError')) throw refError(expression, 'not-found', `no branch, tag or commit "${base}"`);
    throw err;
  }
}

/**
 * Refs a linked worktree keeps for itself (git's `HEAD`, pseudo-refs such as `ORIG_HEAD`,
 * `refs/worktree/`, `refs/bisect/`, `refs/rewritten/`): isomorphic-git knows no worktrees and
 * would read the main checkout's HEAD from the common directory.
 */
function isPerWorktreeRef(name: string): boolean {
  return /^(HEAD|[A-Z_]+_HEAD)$/.test(name) || /^refs\/(worktree|bisect|rewritten)\//.test(name);
}

/** A per-worktree ref: a SHA, or `ref: NAME` resolved against the common directory. */
async function resolveWorktreeRef(store: GitStore, worktreeGitdir: string, name: string, expression: string, depth = 0): Promise<string> {
  const content = await readFile(join(worktreeGitdir, name), 'utf8').catch((err: unknown) => {
    if (isCode(err, 'ENOENT')) throw refError(expression, 'not-found', `no branch, tag or commit "${name}"`);
    throw err;
  });
  const sha = /^([0-9a-f]{40})\s*$/i.exec(content);
  if (sha?.[1]) return sha[1].toLowerCase();
  const target = /^ref:\s*(\S+)\s*$/.exec(content)?.[1];
  if (target === undefined || depth > 4) throw refError(expression, 'corrupt', `${join(worktreeGitdir, name)} is not a ref`);
  if (isPerWorktreeRef(target)) return resolveWorktreeRef(store, worktreeGitdir, target, expression, depth + 1);
  try {
    return await git.resolveRef({ fs, gitdir: store.gitdir, ref: target });
  } catch (err) {
    // An unborn branch (a new worktree before its first commit) has no commit yet.
    if (isCode(err, 'NotFoundError')) throw refError(expression, 'not-found', `"${name}" names ${target}, which has no commit`);
    throw err;
  }
}

/** Resolves exactly `fullRef` (e.g. `refs/heads/main`), no guessing between branches and tags. */
export async function resolveFullRef(store: GitStore, fullRef: string, name: string): Promise<string> {
  try {
    return await git.resolveRef({ fs, gitdir: store.gitdir, ref: fullRef });
  } catch (err) {
    if (isCode(err, 'NotFoundError')) throw refError(name, 'ref-not-found', `the repository has no ${fullRef}`);
    throw err;
  }
}

/** Follows annotated tags (possibly nested) down to the commit they name. */
export async function peelToCommit(store: GitStore, oid: string, ref: string): Promise<string> {
  for (let depth = 0; depth < 16; depth++) {
    let object: { type: string; object: unknown };
    try {
      object = await git.readObject({ fs, gitdir: store.gitdir, oid, cache: store.cache, format: 'parsed' });
    } catch (err) {
      if (isCode(err, 'NotFoundError')) throw refError(ref, 'not-found', `commit ${oid} of "${ref}" is not in the repository`, { commit: oid });
      throw err;
    }
    if (object.type === 'commit') return oid;
    if (object.type !== 'tag') throw refError(ref, 'not-a-commit', `"${ref}" names a ${object.type}, not a commit`);
    oid = (object.object as { object: string }).object;
  }
  throw refError(ref, 'not-a-commit', `"${ref}" is a chain of tags too deep to follow`);
}

async function parentOf(store: GitStore, oid: string, n: number, expression: string): Promise<string> {
  const { commit } = await git.readCommit({ fs, gitdir: store.gitdir, oid, cache: store.cache });
  const parent = commit.parent[n - 1];
  if (parent === undefined) throw refError(expression, 'not-found', `"${expression}": commit ${oid.slice(0, 12)} has no parent ${n}`);
  // A shallow repository lists parents it does not have.
  return peelToCommit(store, parent, expression);
}

export function refError(ref: string, reason: SourceErrorReason, message: string, extra: Omit<ErrorData<'SOURCE_ERROR'>, 'ref' | 'reason'> = {}): BerthError<'SOURCE_ERROR'> {
  return new BerthError('SOURCE_ERROR', message, { ref, reason, ...extra });
}

export function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
