import { parseManifestFile } from '../../../src/manifests/parse.js';
import type { ParsedDocument } from '../../../src/manifests/parse.js';
import { Provenance } from '../../../src/manifests/kustomize/provenance.js';
import type { BuildContext, Obj, Origin } from '../../../src/manifests/kustomize/types.js';
import type { Problem } from '../../../src/model/problem.js';
import type { RevisionFile } from '../../../src/model/revision.js';

/** `yaml` tagged template: strips the first newline and the common indentation, so line numbers read as the file has them. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

export function buildContext(files: Record<string, string | Buffer> = {}): BuildContext {
  const map = new Map<string, RevisionFile>();
  for (const [path, content] of Object.entries(files)) map.set(path, { path, content: typeof content === 'string' ? Buffer.from(content) : content });
  return { files: map, prov: new Provenance(), problems: [], wanted: new Set() };
}

/** The documents of one YAML file, parsed with positions. */
export function parseDocs(path: string, text: string): ParsedDocument[] {
  const parsed = parseManifestFile({ path, content: Buffer.from(text) });
  if (parsed.problems.length > 0) throw new Error(`test input ${path} does not parse: ${parsed.problems.map((p) => p.message).join('; ')}`);
  return parsed.documents;
}

export function parseDoc(path: string, text: string): ParsedDocument {
  return parseDocs(path, text)[0]!;
}

/** Where a path of a built object points, as `file:line:column`. */
export function located(ctx: BuildContext, root: Obj, path: Array<string | number>): string {
  const p = ctx.prov.locator(root).locate(path);
  return `${p.file}:${p.line}:${p.column}`;
}

export function originOf(doc: ParsedDocument, ...path: Array<string | number>): Origin {
  return { doc, path };
}

/** A problem without its message: tests assert codes and positions. */
export function brief(p: Problem): string {
  return `${p.file}:${p.line} ${p.code}`;
}
