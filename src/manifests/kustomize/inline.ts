import type { Problem } from '../../model/problem.js';
import type { Locator, ParsedDocument, ParsedFile } from '../parse.js';
import { parseManifestFile } from '../parse.js';
import type { Position } from '../source-map.js';
import type { BuildContext, Origin } from './types.js';

/**
 * A patch written inline in a kustomization (`patch: |-` and the YAML below it) is parsed as a
 * file of its own, then every position is moved to where that text sits in the kustomization:
 * a problem in an inline patch points at its line in the kustomization file, which is what a
 * person edits. A block scalar maps line for line; a quoted one points at its start.
 */
export function parseInline(text: string, at: Origin, ctx: BuildContext): ParsedFile {
  const file = at.doc.file;
  const parsed = parseManifestFile({ path: file, content: Buffer.from(text, 'utf8') });
  const shift = shiftFor(at, ctx);
  const move = (p: Position): Position => shift(p);
  return {
    documents: parsed.documents.map((d): ParsedDocument => ({ ...d, file, locator: movedLocator(d.locator, move) })),
    problems: parsed.problems.map((p): Problem => ({ ...p, file, ...move({ line: p.line, column: p.column }) })),
    release: parsed.release,
  };
}

function movedLocator(inner: Locator, move: (p: Position) => Position): Locator {
  return {
    start: () => move(inner.start()),
    locate: (path, target) => move(inner.locate(path, target)),
    scalarText: (path) => inner.scalarText(path),
  };
}

function shiftFor(at: Origin, ctx: BuildContext): (p: Position) => Position {
  const keyPos = at.doc.locator.locate(at.path, 'key');
  const file = ctx.files.get(at.doc.file);
  const lines = file ? file.content.toString('utf8').split(/\r?\n/) : [];
  const fixed = (): Position => ({ ...at.doc.locator.locate(at.path, 'value'), file: at.doc.file });
  // `key: |-`, or a list item `- |-` (patchesStrategicMerge, located at its first content line);
  // anything else is one quoted scalar, located at its start.
  const item = typeof at.path[at.path.length - 1] === 'number';
  const indicator = item ? keyPos.line - 1 : keyPos.line;
  if (indicator <= 0 || !(item ? /^\s*-\s*[|>][-+0-9]*\s*(#.*)?$/ : /:\s*[|>][-+0-9]*\s*(#.*)?$/).test(lines[indicator - 1] ?? '')) return fixed;
  // The block's indentation is that of its first non-blank line.
  let indent = 0;
  for (let i = indicator; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    indent = l.length - l.trimStart().length;
    break;
  }
  return (p) => (p.line <= 0 ? fixed() : { line: indicator + p.line, column: p.column > 0 ? p.column + indent : 0, file: at.doc.file });
}
