import type { RevisionFile } from '../../../src/model/revision.js';
import type { KustomizeBuild } from '../../../src/manifests/kustomize/index.js';
import { buildKustomization, renderKustomizeBuild } from '../../../src/manifests/kustomize/index.js';
import { problemLocation } from '../../../src/model/problem.js';

/** A revision's files from `path: text` pairs; text is dedented so trees read as written. */
export function tree(files: Record<string, string>): Map<string, RevisionFile> {
  return new Map(Object.entries(files).map(([path, text]) => [path, { path, content: Buffer.from(dedent(text), 'utf8') }]));
}

export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n').replace(/\s+$/, '\n');
}

export function build(files: Record<string, string>, dir = ''): KustomizeBuild {
  return buildKustomization(tree(files), dir);
}

/** The build's YAML, with its problems listed first (so an expected output that ignores them fails). */
export function output(files: Record<string, string>, dir = ''): string {
  const b = build(files, dir);
  const problems = b.problems.map((p) => `# ${problemLocation(p)} ${p.code}: ${p.message}\n`).join('');
  return problems + renderKustomizeBuild(b);
}

/** `file:line code` of each problem, sorted. */
export function problems(files: Record<string, string>, dir = ''): string[] {
  return build(files, dir).problems.map((p) => `${problemLocation(p)} ${p.code}`).sort();
}
