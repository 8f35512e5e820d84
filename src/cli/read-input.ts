import { isAbsolute, join } from 'node:path';
import { BerthError } from '../model/errors.js';
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
