/**
 * Problems are data (STYLE.md): validation never throws for bad input, it returns every
 * Problem it found so a user fixes them all in one go.
 */
export type Severity = 'error' | 'warning';

export interface Problem {
  /** Path as the user gave it (relative to the revision root), or '-' for stdin. */
  file: string;
  /** 1-based; a problem about a file's whole content is at 1:1; 0 when there is no content to point into (a refused symlink). */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  /** JSON path inside the document, e.g. `spec.template.spec.containers[0].image`; '' for the document. */
  path: string;
  severity: Severity;
  /** Stable identifier, see src/manifests/problem-codes.ts. */
  code: string;
  message: string;
}

/**
 * `file:line:col`, `file:line` when the column is unknown, or just `file` for a problem about
 * the whole file (line 0): every place that names a problem in one line (validate's text, the
 * daemon's log and events, config errors) reads the same.
 */
export function problemLocation(p: Pick<Problem, 'file' | 'line' | 'column'>): string {
  if (p.line <= 0) return p.file;
  return p.column > 0 ? `${p.file}:${p.line}:${p.column}` : `${p.file}:${p.line}`;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

export function compareProblems(a: Problem, b: Problem): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}
