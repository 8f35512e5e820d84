import { lstatSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { BerthError } from '../model/errors.js';
import { KUSTOMIZATION_FILES } from '../manifests/kustomize/paths.js';
import { mergeRevisions, readPaths, readStdin } from '../sources/folder.js';
import type { Revision } from '../model/revision.js';
import type { CliIO } from './context.js';

/** `-f` arguments → one revision: files, directories and at most one `-` (stdin), merged. */
export async function readInput(inputs: readonly string[], io: CliIO): Promise<Revision> {
  if (inputs.length === 0) throw new BerthError('USAGE', 'no input: pass -f PATH (a file, a directory, or - for stdin)');
  const stdin = inputs.filter((p) => p === '-').length;
  if (stdin > 1) throw new BerthError('USAGE', '- (standard input) may be given only once', {});
  const paths = inputs.filter((p) => p !== '-').map((p) => (isAbsolute(p) ? p : join(io.cwd, p)));
  const revisions: Revision[] = [];
  if (paths.length > 0) revisions.push(await readPaths(paths));
  if (stdin === 1) revisions.push(await readStdin(io.stdin));
  return mergeRevisions(revisions);
}

/**
 * `-k DIR` (kubectl's flag): the directory read as `-f DIR` is, which builds its kustomization
 * (validation builds every kustomization it finds), after checking it has one: kubectl refuses
 * `-k` on a directory without, and so does berth, rather than applying its plain manifests.
 */
export async function readKustomizationInput(dir: string, io: CliIO): Promise<Revision> {
  requireKustomization(dir, io);
  return readInput([dir], io);
}

/** Throws INPUT_UNREADABLE unless `dir` (relative to the CLI's cwd) is a directory holding a kustomization file. */
export function requireKustomization(dir: string, io: CliIO): void {
  const full = isAbsolute(dir) ? dir : join(io.cwd, dir);
  const st = statSync(full, { throwIfNoEntry: false });
  if (!st) throw new BerthError('INPUT_UNREADABLE', `cannot read ${dir}: no such file or directory`, { path: dir, reason: 'not-found' });
  if (!st.isDirectory()) throw new BerthError('INPUT_UNREADABLE', `${dir} is not a directory; -k takes a directory with a kustomization file (-f reads a file)`, { path: dir, reason: 'not-a-directory' });
  // lstat: the kustomization file may itself be a link, which the folder reader judges.
  if (!KUSTOMIZATION_FILES.some((name) => lstatSync(join(full, name), { throwIfNoEntry: false })))
    throw new BerthError('INPUT_UNREADABLE', `unable to find one of ${KUSTOMIZATION_FILES.map((n) => `'${n}'`).join(', ')} in directory '${dir}'`, { path: dir, reason: 'no-kustomization' });
}
