import type { Event, Schema } from 'js-yaml';
import { EVENT_ID, YAMLException, constructFromEvents, parseEvents } from 'js-yaml';
import type { Problem } from '../model/problem.js';
import type { RefusedEntry, RevisionFile } from '../model/revision.js';
import { MAX_ALIAS_EXPANSION, MAX_DEPTH, MAX_FILE_BYTES, MAX_MERGE_KEYS } from '../model/limits.js';
import type { ProblemCode } from './problem-codes.js';
import { problemCodeInfo } from './problem-codes.js';
import { DocumentLocator, YamlSource } from './source-map.js';
import type { Position, Target } from './source-map.js';
import type { Path } from './path.js';
import { KUBERNETES_YAML_SCHEMA } from './yaml-schema.js';
import { clip, quote, scrubMessage } from '../model/excerpt.js';

/** One non-empty YAML document of a file, with the map back to its source. */
/**
 * Source positions of one object's paths. A document read from a file locates through its
 * events (source-map.ts DocumentLocator); an object a kustomize build assembled from several
 * files locates each part where it was written, so a position may name another file.
 */
export interface Locator {
  start(): Position;
  locate(path: Path, target?: Target): Position;
  /** The plain scalar at `path` as typed (`yes`, `0644`), when that is known. */
  scalarText(path: Path): string | undefined;
}

export interface ParsedDocument {
  /** The file the document (for a built object: its root) was written in. */
  file: string;
  /** 0-based position among the file's documents (empty documents included). */
  index: number;
  value: unknown;
  locator: Locator;
  /**
   * The document has a duplicate key (reported): it is read, later keys winning, so what it
   * defines is known to the rest of the revision (a ConfigMap with a duplicate key is not also
   * "not defined" for every pod that uses it), but it never becomes a resource.
   */
  damaged?: true;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  problems: Problem[];
  /** Drops the file's event stream; positions are still available (see YamlSource.events). */
  release(): void;
}

interface DocumentRange {
  /** Index of the DOCUMENT event. */
  open: number;
  /** Index of the document's closing POP. */
  close: number;
}

interface ScanFailure {
  code: ProblemCode;
  offset: number;
  message: string;
}

/** BOM is dropped by the decoder (ignoreBOM: false), as editors do. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes → documents. Cheap on the happy path: decode, one parser pass, one linear scan of the
 * events (document bounds and alias budget), one construction pass. Everything that costs
 * more (line index, duplicate-key hunt) runs only when there is a problem to report.
 */
export function parseManifestFile(file: RevisionFile, schema: Schema = KUBERNETES_YAML_SCHEMA): ParsedFile {
  const path = file.path;
  // A refused link has no content, so no line to point at: the problem names the link alone.
  if (file.refused) return fail(path, file.refused, REFUSED_MESSAGES[file.refused], 0);
  const bytes = file.content;
  if (bytes.length > MAX_FILE_BYTES)
    // Readers stop one byte past the limit (sources/folder.ts), so the true size is unknown here.
    return fail(path, 'file-too-large', `file is larger than ${formatMiB(MAX_FILE_BYTES)}, the limit for a manifest file; split its documents into several files, or list it in .berthignore if it is not a manifest`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) return fail(path, 'binary-file', `binary content (NUL byte at offset ${nul}); not a YAML or JSON manifest`, lineOfByte(bytes, nul));
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return fail(path, 'binary-file', 'file is not valid UTF-8; not a YAML or JSON manifest: save it as UTF-8, or list it in .berthignore');
  }

  let events: Event[];
  try {
    events = parseEvents(text, { filename: path, maxDepth: MAX_DEPTH });
  } catch (err) {
    const source = new YamlSource(path, text, []);
    const { code, offset, message } = describeYamlError(err);
    return { documents: [], problems: [problemAt(source, offset, code, message)], release: noop };
  }
  const source = new YamlSource(path, text, events);
  const scan = scanEvents(text, events);
  if ('code' in scan) return { documents: [], problems: [problemAt(source, scan.offset, scan.code, scan.message)], release: noop };

  const problems: Problem[] = [];
  const damaged = new Set<number>();
  const values = constructAll(source, scan, problems, damaged, schema);
  const documents: ParsedDocument[] = [];
  scan.forEach((range, index) => {
    const value = values[index];
    // Empty documents (`---` with nothing after it, comment-only) are skipped, as kubectl does.
    if (value === null || value === undefined) return;
    const doc: ParsedDocument = { file: path, index, value, locator: new DocumentLocator(source, range.open + 1, range.close) };
    if (damaged.has(index)) doc.damaged = true;
    documents.push(doc);
  });
  return { documents, problems, release: () => source.release() };
}

function noop(): void {}

/** What to do about a link the folder reader refused; never its target (SPEC §8). */
const REFUSED_MESSAGES: Record<RefusedEntry, string> = {
  'symlink-outside-root': 'this symlink points outside the manifest folder, and berth does not follow links out of it; replace the link with the file, point it at a file inside the folder, or list it in .berthignore',
  'symlink-dangling': 'this symlink points to nothing; remove it or restore its target',
  'symlink-loop': 'this symlink points to itself or to a directory that contains it; remove it',
  'kustomize-outside-boundary':
    'a kustomization names this path, which lies outside what berth reads for a build (the Git work tree or repository holding the folder, or the folder itself when it is in none, never a .git directory); berth does not read it: move it inside, or point at a copy inside',
  'kustomize-read-limit': 'the kustomizations of this revision name more than berth reads for builds (64 MiB in all, bases nested 64 deep); this path was not read',
};

/**
 * Finds the documents and rejects alias bombs and alias-hidden nesting before anything walks
 * the constructed values: an ALIAS expands to the size (and depth) of the subtree its anchor
 * names, computed once per anchor when that subtree closes.
 */
function scanEvents(text: string, events: readonly Event[]): DocumentRange[] | ScanFailure {
  const docs: DocumentRange[] = [];
  const anchors = new Map<string, { size: number; depth: number } | 'open'>();
  const openIndex: number[] = [];
  const openTotal: number[] = [];
  const openDepth: number[] = [];
  let docOpen = -1;
  let total = 0;
  let aliasNodes = 0;
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    switch (ev.type) {
      case EVENT_ID.DOCUMENT:
        docOpen = i;
        anchors.clear();
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        total++;
        openIndex.push(i);
        openTotal.push(total);
        openDepth.push(0);
        if (ev.anchorStart >= 0) anchors.set(text.slice(ev.anchorStart, ev.anchorEnd), 'open');
        break;
      case EVENT_ID.SCALAR:
        total++;
        if (ev.anchorStart >= 0) anchors.set(text.slice(ev.anchorStart, ev.anchorEnd), { size: 1, depth: 0 });
        break;
      case EVENT_ID.ALIAS: {
        const name = text.slice(ev.anchorStart, ev.anchorEnd);
        const target = anchors.get(name);
        if (target === 'open')
          return { code: 'yaml-alias-limit', offset: ev.anchorStart - 1, message: 'this alias refers to a node that contains it; the document would be infinite' };
        if (target === undefined) break; // construction reports the unknown alias with its position
        total += target.size;
        aliasNodes += target.size;
        if (aliasNodes > MAX_ALIAS_EXPANSION)
          return {
            code: 'yaml-alias-limit',
            offset: ev.anchorStart - 1,
            message: `aliases expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} nodes (a "billion laughs" document); refusing to read this file`,
          };
        if (openIndex.length + target.depth > MAX_DEPTH)
          return { code: 'yaml-too-deep', offset: ev.anchorStart - 1, message: `this alias nests collections deeper than ${MAX_DEPTH} levels` };
        const top = openDepth.length - 1;
        if (top >= 0) openDepth[top] = Math.max(openDepth[top]!, target.depth);
        break;
      }
      case EVENT_ID.POP: {
        const start = openIndex.pop();
        if (start === undefined) {
          docs.push({ open: docOpen, close: i });
          break;
        }
        const depth = openDepth.pop()! + 1;
        const size = total - openTotal.pop()! + 1;
        const sev = events[start] as { anchorStart: number; anchorEnd: number };
        if (sev.anchorStart >= 0) anchors.set(text.slice(sev.anchorStart, sev.anchorEnd), { size, depth });
        const top = openDepth.length - 1;
        if (top >= 0) openDepth[top] = Math.max(openDepth[top]!, depth);
        break;
      }
    }
  }
  return docs;
}

/** One construction pass for the file; if it fails, document by document so one bad document does not hide the others. */
function constructAll(source: YamlSource, docs: readonly DocumentRange[], problems: Problem[], damaged: Set<number>, schema: Schema): unknown[] {
  const options = { source: source.text, filename: source.file, schema, maxTotalMergeKeys: MAX_MERGE_KEYS };
  try {
    const values = constructFromEvents(source.events as Event[], options);
    if (values.length === docs.length) return values;
  } catch {
    // fall through to per-document construction, which locates the failure
  }
  return docs.map((range, index) => {
    const events = source.events.slice(range.open, range.close + 1);
    try {
      return constructFromEvents(events, options)[0];
    } catch (err) {
      const { code, offset, message } = describeYamlError(err);
      if (code === 'duplicate-key') {
        const locator = new DocumentLocator(source, range.open + 1, range.close);
        const dups = locator.duplicateKeys();
        for (const d of dups) problems.push(problemAt(source, d.offset, 'duplicate-key', `duplicate key ${quote(d.key)} (first at line ${source.position(d.firstOffset).line})`));
        if (dups.length > 0) {
          damaged.add(index);
          return constructDamaged(events, options);
        }
      }
      problems.push(problemAt(source, offset, code, message));
      return undefined;
    }
  });
}

/** A document with duplicate keys, read as JSON.parse would (the later key wins); undefined if it fails otherwise too. */
function constructDamaged(events: Event[], options: Parameters<typeof constructFromEvents>[1]): unknown {
  try {
    return constructFromEvents(events, { ...options, json: true })[0];
  } catch {
    return undefined;
  }
}

function describeYamlError(err: unknown): ScanFailure {
  if (!(err instanceof YAMLException)) throw err;
  const offset = err.mark?.position ?? 0;
  const reason = err.reason;
  if (/maxDepth/.test(reason)) return { code: 'yaml-too-deep', offset, message: `collections nest deeper than ${MAX_DEPTH} levels` };
  if (/duplicated mapping key/.test(reason)) return { code: 'duplicate-key', offset, message: 'duplicate key' };
  return { code: 'yaml-syntax', offset, message: `YAML syntax error: ${describeYamlReason(reason)}` };
}

/**
 * js-yaml's reasons quote what they stumbled on (`unidentified alias "hunter2"`, `unknown scalar
 * tag !<!hunter2>`): for an unquoted Secret value that YAML reads as an alias or a tag, that is
 * the secret. Keep the description and the position, never the source text: the reasons that
 * quote input are rephrased with what to do, and anything quoted in the others is dropped.
 */
const YAML_REASONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^unidentified alias/, 'an alias (*name) refers to no anchor (&name) before it; quote the value if it is text starting with *'],
  [/^recursive alias/, 'an alias refers to a node that contains it'],
  [/^(unknown (scalar |sequence |mapping )?tag|cannot resolve a node with|unacceptable node kind for)/, 'unknown tag; quote the value if it is text starting with !'],
  [/^tag name cannot contain such characters/, 'a tag name has characters a tag cannot have; quote the value if it is text starting with !'],
  [/^undeclared tag handle/, 'a tag uses a handle no %TAG directive declares; quote the value if it is text starting with !'],
  [/^there is a previously declared suffix for/, 'a %TAG directive declares a handle twice'],
];

export function describeYamlReason(reason: string): string {
  for (const [pattern, text] of YAML_REASONS) if (pattern.test(reason)) return text;
  return clip(reason.replace(/"[^"]*"?/g, '"…"').replace(/!<[^>]*>?/g, '!<…>'), 160);
}

function problemAt(source: YamlSource, offset: number, code: ProblemCode, message: string): Problem {
  const { line, column } = source.position(offset);
  return { file: source.file, line, column, path: '', severity: problemCodeInfo(code).severity, code, message: scrubMessage(message) };
}

/**
 * A problem no document of the file gets past. A file's content problem is placed at its first
 * line (or the line of the offending byte): editors, CI annotations and `-o json` readers jump
 * to a position, and 0:0 is none (issue 13: a file-size problem read `:0:0`). Only a refused
 * link, which has no content, has no position (line 0).
 */
function fail(file: string, code: ProblemCode, message: string, line = 1): ParsedFile {
  return { documents: [], problems: [{ file, line, column: line > 0 ? 1 : 0, path: '', severity: problemCodeInfo(code).severity, code, message }], release: noop };
}

function lineOfByte(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}

function formatMiB(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}
