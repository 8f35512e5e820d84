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
    const { line, column, file } = this.doc.parsed.locator.locate([...this.doc.base, ...(options.locate ?? path)], options.at ?? 'value');
    this.sink.push({ file: file ?? this.doc.parsed.file, line, column, path: formatPath([...this.doc.base, ...path]), severity, code, message });
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

/** Is `path` in `object` a Secret's value (below data or stringData, or the whole map)? */
export function isSecretValuePath(object: unknown, path: Path): boolean {
  const o = object as { kind?: unknown } | null;
  return typeof o === 'object' && o !== null && o.kind === 'Secret' && (path[0] === 'data' || path[0] === 'stringData');
}

/**
 * Below this length a value is masked only inside a quoted excerpt (`"ab"`), never in berth's own
 * words, where a 1–3 character run is in every sentence ("in", "a", "is"). Such values are safe
 * because no message quotes a Secret's value at all (the checks name keys, the schema messages
 * only the type); this masking is the backstop.
 */
export const MASK_MIN = 4;
/** Values at least this long are masked in berth's own words too (as whole words). */
const MASK_ANYWHERE_MIN = 8;

/**
 * Problems about a Secret's values must not echo them (SPEC §8: secrets never in output). The
 * messages name keys and types, never values (schema.ts, checks/config.ts); this is the backstop
 * every message passes, for a message phrased carelessly later: it masks every rendering of the
 * value (as written, JSON-quoted, the excerpts of model/excerpt.ts, decoded from base64) found
 * as a whole word, inside the quoted excerpts of the message (where input is shown) and, for
 * values of MASK_ANYWHERE_MIN or more, in the rest too. It never rewrites part of a word
 * ("invalid" keeps its "in") nor, for short values, berth's own text. Booleans and null are not
 * masked: the source never shows them, and their text is berth's own words ("true/false").
 */
export function hideSecretValue(object: unknown, path: Path, message: string): string {
  if (!isSecretValuePath(object, path)) return message;
  let value: unknown = object;
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
    if (v === null || v === undefined || typeof v === 'boolean') return;
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
  if (texts.size === 0) return message;
  const sorted = [...texts].sort((a, b) => b.length - a.length);
  // Quoted excerpts (quote() escapes inner quotes, so they are delimited exactly) and the rest.
  return message.replace(/"(?:[^"\\]|\\.)*"|[^"]+|"/g, (part) => {
    const quoted = part.length >= 2 && part.startsWith('"') && part.endsWith('"');
    let out = part;
    for (const t of sorted) {
      // The text without an excerpt's quotes and ellipsis decides how long the value is.
      const core = t.replace(/^"|"$/g, '').replace(/…$/, '');
      if (quoted ? core.length >= MASK_MIN || t === part : core.length >= MASK_ANYWHERE_MIN) out = maskWord(out, t);
    }
    return out;
  });
}

const WORD = /[\p{L}\p{N}_]/u;

/** Replaces `t` in `text` where it is not part of a longer word. */
function maskWord(text: string, t: string): string {
  let out = '';
  let from = 0;
  for (let i = text.indexOf(t); i >= 0; i = text.indexOf(t, i + 1)) {
    if (i < from) continue;
    const before = text.slice(0, i).match(/[\s\S]$/u)?.[0] ?? '';
    const after = text.slice(i + t.length).match(/^[\s\S]/u)?.[0] ?? '';
    const glued = (WORD.test(t[0]!) && WORD.test(before)) || (WORD.test(t[t.length - 1]!) && WORD.test(after));
    if (glued) continue;
    out += text.slice(from, i) + HIDDEN;
    from = i + t.length;
  }
  return out + text.slice(from);
}
