import { formatPath } from '../path.js';
import type { ProblemCode } from '../problem-codes.js';
import { PROBLEM_CODES } from '../problem-codes.js';
import { scrubMessage } from '../../model/excerpt.js';
import type { BuildContext, Origin } from './types.js';

/**
 * A problem of the build at the line a person wrote: a generator entry, one of its literals,
 * an env file's line. Positions come from the origin's document, so a problem about a base
 * points into the base's kustomization.
 */
export function reportAt(ctx: BuildContext, at: Origin, code: ProblemCode, message: string): void {
  const { line, column, file } = at.doc.locator.locate(at.path, 'value');
  ctx.problems.push({
    file: file ?? at.doc.file,
    line,
    column,
    path: formatPath(at.path),
    severity: PROBLEM_CODES[code].severity,
    code,
    message: scrubMessage(message),
  });
}

/** A problem about a whole file the build read (an env file), at a 1-based line of it. */
export function reportInFile(ctx: BuildContext, file: string, line: number, code: ProblemCode, message: string): void {
  ctx.problems.push({ file, line, column: line > 0 ? 1 : 0, path: '', severity: PROBLEM_CODES[code].severity, code, message: scrubMessage(message) });
}
