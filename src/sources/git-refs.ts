import fs from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import git from 'isomorphic-git';
import { BerthError } from '../model/errors.js';
import type { GitStore } from './git-tree.js';

/**
 * Finds the object store of a local repository: `path` itself when it is a bare repository,
 * else the `.git` of `path` or of the nearest ancestor (so `--repo .` works from a
 * sub-directory). A `.git` *file* (`gitdir: ...`, as in submodules) is followed.
 */
export async function findGitdir(path: string): Promise<string> {
  const start = resolve(path);
  const st = await stat(start).catch((cause: unknown) => {
    throw new BerthError('INPUT_UNREADABLE', `cannot read repository ${path}`, { path, reason: 'not-found' }, { cause });
  });
  if (!st.isDirectory()) {
    throw new BerthError('INPUT_UNREADABLE', `repository path ${path} is not a directory`, { path, reason: 'not-a-directory' });
  }
  for (let dir = start; ; dir = dirname(dir)) {
    if (await isGitdir(dir)) return dir;
    const dotgit = join(dir, '.git');
    const dotgitStat = await stat(dotgit).catch(() => undefined);
    if (dotgitStat?.isDirectory()) return dotgit;
    if (dotgitStat?.isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(await readFile(dotgit, 'utf8'));
      if (m?.[1]) return resolve(dir, m[1].trim());
    }
    if (dirname(dir) === dir) break;
  }
  throw new BerthError('INPUT_UNREADABLE', `${path} is not inside a Git repository`, { path, reason: 'not-a-repository' });
}

async function isGitdir(dir: string): Promise<boolean> {
  const [head, objects, refs] = await Promise.all(
    ['HEAD', 'objects', 'refs'].map((n) => stat(join(dir, n)).catch(() => undefined)),
  );
  return Boolean(head?.isFile() && objects?.isDirectory() && refs?.isDirectory());
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
  const m = /^([^~^]+)((?:[~^]\d*)*)$/.exec(expression.trim());
  // Git's own ref-name rules (no component starts with '.': `./main` is a path, never a ref),
  // no component starting with '-' (it would read as an option to git tools), no control bytes.
  if (!m?.[1] || /\.\.|@\{|[\s:?*[\\]|\/\/|^\/|\/$|\.lock$|(^|\/)[-.]|[\x00-\x1f\x7f]/.test(m[1])) {
    throw refError(expression, 'invalid-ref', `"${expression}" is not a revision berth understands`);
  }
  let oid = await peelToCommit(store, await resolveBase(store, m[1], expression), expression);
  for (const step of (m[2] ?? '').matchAll(/([~^])(\d*)/g)) {
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

export function refError(ref: string, reason: string, message: string, extra: Record<string, unknown> = {}): BerthError {
  return new BerthError('SOURCE_ERROR', message, { ref, reason, ...extra });
}

export function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
