import { dump } from 'js-yaml';
import type { ReportChange, ReportField } from '../redact.js';

/**
 * Line-level building blocks the text and Markdown renderers share, so both show a change
 * the same way. Inputs are ReportChanges: already redacted (redact.ts).
 */

export type Sign = '+' | '-' | '~';

export interface DiffLine {
  sign: Sign;
  text: string;
}

/** `Deployment default/web`, `Namespace shop`. */
export function displayName(c: Pick<ReportChange, 'kind' | 'namespace' | 'name'>): string {
  return `${c.kind} ${c.namespace === '' ? '' : `${c.namespace}/`}${c.name}`;
}

export function actionSign(action: ReportChange['action']): Sign {
  return action === 'create' ? '+' : action === 'delete' ? '-' : '~';
}

/** Body lines of a change: the whole object for create/delete, field changes for update. */
export function changeLines(c: ReportChange): DiffLine[] {
  return c.fields.flatMap(fieldLines);
}

export function fieldLines(f: ReportField): DiffLine[] {
  if (f.redacted) {
    const what = f.op === 'replace' ? 'secret value changed' : 'secret value, not shown';
    return [{ sign: f.op === 'add' ? '+' : f.op === 'remove' ? '-' : '~', text: `${f.path}: (${what})` }];
  }
  switch (f.op) {
    case 'add':
      return valueLines('+', f.path, f.after);
    case 'remove':
      return valueLines('-', f.path, f.before);
    case 'replace':
      return [...valueLines('-', f.path, f.before), ...valueLines('+', f.path, f.after)];
  }
}

/**
 * `path: scalar` on one line; collections as an indented YAML block under `path:`. The whole
 * object (path '') is its YAML, unindented, as kubectl diff shows it.
 */
function valueLines(sign: Sign, path: string, value: unknown): DiffLine[] {
  if (path === '') return yamlLines(value).map((text) => ({ sign, text }));
  if (value === null || typeof value !== 'object') return [{ sign, text: `${path}: ${formatScalar(value)}` }];
  return [{ sign, text: `${path}:` }, ...yamlLines(value).map((text) => ({ sign, text: `  ${text}` }))];
}

export function yamlLines(value: unknown): string[] {
  return dump(value, { lineWidth: -1, noRefs: true }).replace(/\n$/, '').split('\n');
}

/** Strings quoted (JSON), so `"80"` and `80`, or `""` and nothing, read differently. */
export function formatScalar(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** First 7 characters of a SHA, the first 12 of other ids: enough to recognise. */
export function shortId(id: string): string {
  return /^[0-9a-f]{40}$/.test(id) ? id.slice(0, 7) : id.slice(0, 12);
}

/**
 * `apps/web.yaml:12`: in `to` for create/update, in `from` for delete. An object that comes from
 * the store, not from a manifest line (line 0: what an earlier apply left, which prune deletes),
 * says so instead of a fake `(applied):0`.
 */
export function sourceText(c: ReportChange): string {
  if (!c.source) return '';
  if (c.source.line < 1) return c.action === 'delete' ? 'applied earlier, not in PATH' : 'applied earlier';
  return `${c.source.file}:${c.source.line}`;
}
