import type { Problem, Severity } from '../model/problem.js';
import type { ParsedDocument } from './parse.js';
import type { Path } from './path.js';
import { formatPath } from './path.js';
import type { ProblemCode } from './problem-codes.js';
import { PROBLEM_CODES } from './problem-codes.js';
import type { Target } from './source-map.js';
import { clip, quote, scrubMessage } from '../model/excerpt.js';

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
    // Secret values out first, then whatever a terminal or a reader could be fooled by.
    message = scrubMessage(hideSecretValue(this.doc.value, path, message));
    const { line, column } = this.doc.parsed.locator.locate([...this.doc.base, ...(options.locate ?? path)], options.at ?? 'value');
    this.sink.push({ file: this.doc.parsed.file, line, column, path: formatPath([...this.doc.base, ...path]), severity, code, message });
    if (severity === 'error') this.errors++;
  }

  /** The same object reporting into another validation's problems, with this many errors so far. */
  rebind(sink: Problem[], errors: number): Reporter {
    const r = new Reporter(this.doc, sink);
    r.errors = errors;
    return r;
  }

  /** Where the object starts, for Resource.source and cross-references in messages. */
  start(): { line: number; column: number } {
    return this.doc.parsed.locator.locate(this.doc.base, 'value');
  }
}

const HIDDEN = 'secret value hidden';

/**
 * Problems about a Secret's values must not echo them (SPEC §8: secrets never in output). The
 * checks phrase messages freely, so the one place every message passes scrubs whatever text
 * of the offending value (as written, JSON-quoted, or decoded from base64) it finds.
 */
export function hideSecretValue(object: unknown, path: Path, message: string): string {
  const o = object as { kind?: unknown; data?: unknown; stringData?: unknown } | null;
  // Also the whole data/stringData: `stringData: hunter2` is reported at ['stringData'].
  if (!o || o.kind !== 'Secret' || (path[0] !== 'data' && path[0] !== 'stringData')) return message;
  let value: unknown = o;
  for (const seg of path) value = typeof value === 'object' && value !== null && Object.hasOwn(value, seg) ? (value as Record<string | number, unknown>)[seg] : undefined;
  const texts = new Set<string>();
  // Every rendering a message may use: raw, JSON, and the excerpts of model/excerpt.ts (which
  // shorten a long value, so the raw text alone would not be found).
  const add = (v: unknown): void => {
    const raw = typeof v === 'string' ? v : JSON.stringify(v);
    if (raw === undefined || raw.length === 0) return;
    for (const t of [raw, JSON.stringify(v), quote(v), clip(v), quote(raw), clip(raw)]) if (t !== undefined && t.length > 0) texts.add(t);
  };
  const collect = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (typeof v === 'object') {
      for (const x of Object.values(v as object)) collect(x);
      add(v);
      return;
    }
    add(v);
    if (typeof v !== 'string') add(String(v));
    if (typeof v === 'string' && path[0] === 'data') {
      const decoded = Buffer.from(v, 'base64').toString('utf8');
      if (decoded.length >= 2) add(decoded);
    }
  };
  collect(value);
  let out = message;
  for (const t of [...texts].sort((a, b) => b.length - a.length)) out = out.split(t).join(HIDDEN);
  return out;
}
