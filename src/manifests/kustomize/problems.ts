import type { Severity } from '../../model/problem.js';
import type { ParsedDocument } from '../parse.js';
import type { Path } from '../path.js';
import { formatPath } from '../path.js';
import type { ProblemCode } from '../problem-codes.js';
import { PROBLEM_CODES } from '../problem-codes.js';
import type { Target } from '../source-map.js';
import { scrubMessage } from '../../model/excerpt.js';
import type { BuildContext, Origin, ReportAt } from './types.js';

/**
 * Problems of the build's own inputs (kustomization files, patches, generator entries), each at
 * the line a person wrote: the kustomization entry, the patch line.
 */
export function reportProblem(ctx: Pick<BuildContext, 'problems'>, at: Origin, code: ProblemCode, message: string, target: Target = 'value', severity?: Severity): void {
  const pos = at.doc.locator.locate(at.path, target);
  ctx.problems.push({
    file: pos.file ?? at.doc.file,
    line: pos.line,
    column: pos.column,
    path: formatPath(at.path),
    severity: severity ?? PROBLEM_CODES[code].severity,
    code,
    message: scrubMessage(message),
  });
}

/** A ReportAt for one document (what the patch and generator steps take), reporting `code`. */
export function reporterFor(ctx: Pick<BuildContext, 'problems'>, doc: ParsedDocument, code: ProblemCode = 'invalid-value'): ReportAt {
  return (path: Path, message: string) => reportProblem(ctx, { doc, path }, code, message);
}

/** The origin `rest` below `at`. */
export function below(at: Origin, ...rest: Path): Origin {
  return { doc: at.doc, path: [...at.path, ...rest] };
}
