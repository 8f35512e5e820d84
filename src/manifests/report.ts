import type { Problem, Severity } from '../model/problem.js';
import type { ParsedDocument } from './parse.js';
import type { Path } from './path.js';
import { formatPath } from './path.js';
import type { ProblemCode } from './problem-codes.js';
import { PROBLEM_CODES } from './problem-codes.js';
import type { Target } from './source-map.js';

/**
 * One Kubernetes object as found in the files: a whole YAML document, or one item of a
 * `kind: List` document (then `base` is `['items', n]`).
 */
export interface ManifestDoc {
  parsed: ParsedDocument;
  base: Path;
  value: unknown;
}

export interface ReportOptions {
  /** Point at the key of the last path segment (unknown fields) rather than its value. */
  at?: Target;
  severity?: Severity;
  /** Locate this path instead (a missing field is reported at the object that lacks it). */
  locate?: Path;
}

/**
 * Turns findings about one object into Problems. The source position is computed here, and
 * only here: a revision without problems never builds a line index or re-walks events.
 */
export class Reporter {
  errors = 0;

  constructor(
    readonly doc: ManifestDoc,
    private readonly sink: Problem[],
  ) {}

  report(code: ProblemCode, path: Path, message: string, options: ReportOptions = {}): void {
    const severity = options.severity ?? PROBLEM_CODES[code].severity;
    const { line, column } = this.doc.parsed.locator.locate([...this.doc.base, ...(options.locate ?? path)], options.at ?? 'value');
    this.sink.push({ file: this.doc.parsed.file, line, column, path: formatPath([...this.doc.base, ...path]), severity, code, message });
    if (severity === 'error') this.errors++;
  }

  /** Where the object starts, for Resource.source and cross-references in messages. */
  start(): { line: number; column: number } {
    return this.doc.parsed.locator.locate(this.doc.base, 'value');
  }
}
