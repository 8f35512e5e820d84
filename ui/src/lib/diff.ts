import type { DiffResponse, DivergenceBody, ReportChangeBody } from '../../../src/runtime/api/contract.js';
import { yamlLines } from './yaml.js';

/**
 * The diff page's content, drawn the way `berth diff` prints it (src/report/render/text.ts):
 * one block per resource with its header, effects and field lines, then drift, divergence
 * notes and the summary line. Values arrive redacted from the daemon; a redacted field says
 * so and never shows a value.
 */
export type Sign = '+' | '-' | '~';

export interface DiffLine {
  sign: Sign;
  text: string;
}

export interface DiffBlock {
  key: string;
  sign: Sign;
  /** `create Deployment shop/web` */
  title: string;
  /** `apps/web.yaml:12`, or '' */
  source: string;
  effects: Array<{ text: string; destructive: boolean }>;
  lines: DiffLine[];
}

export interface DiffView {
  blocks: DiffBlock[];
  drift: string[];
  notes: string[];
  summary: string;
  destructive: boolean;
}

type Report = NonNullable<DiffResponse['report']>;

const SIGN: Record<ReportChangeBody['action'], Sign> = { create: '+', update: '~', delete: '-' };

function displayName(c: ReportChangeBody): string {
  return `${c.kind} ${c.namespace === '' ? '' : `${c.namespace}/`}${c.name}`;
}

/** Where the manifest is; an object only the store knows (line 0) says so instead of `:0`. */
function sourceText(c: ReportChangeBody): string {
  if (!c.source) return '';
  if (c.source.line < 1) return c.action === 'delete' ? 'applied earlier, not in PATH' : 'applied earlier';
  return `${c.source.file}:${c.source.line}`;
}

function valueLines(sign: Sign, path: string, value: unknown): DiffLine[] {
  if (path === '') return yamlLines(value).map((text) => ({ sign, text }));
  if (value === null || typeof value !== 'object') return [{ sign, text: `${path}: ${JSON.stringify(value) ?? 'null'}` }];
  return [{ sign, text: `${path}:` }, ...yamlLines(value).map((text) => ({ sign, text: `  ${text}` }))];
}

export function fieldLines(f: ReportChangeBody['fields'][number]): DiffLine[] {
  if (f.redacted) {
    const what = f.op === 'replace' ? 'secret value changed' : 'secret value, not shown';
    return [{ sign: f.op === 'add' ? '+' : f.op === 'remove' ? '-' : '~', text: `${f.path}: (${what})` }];
  }
  if (f.op === 'add') return valueLines('+', f.path, f.after);
  if (f.op === 'remove') return valueLines('-', f.path, f.before);
  return [...valueLines('-', f.path, f.before), ...valueLines('+', f.path, f.after)];
}

/** As the CLI's (src/report/render/report.ts summaryLine), divergences included. */
export function summaryLine(s: Report['summary'], drift: number, divergences = 0): string {
  const repairs = drift > 0 ? `${drift} drift repair${drift === 1 ? '' : 's'}` : '';
  const kept = divergences > 0 ? `; ${divergences} divergence${divergences === 1 ? '' : 's'} kept (OutOfSync)` : '';
  if (s.added + s.changed + s.removed === 0) return (repairs || 'no differences') + kept;
  const destructive = s.destructive > 0 ? ` (${s.destructive} destructive)` : '';
  return `${s.added} to add, ${s.changed} to change, ${s.removed} to delete${destructive}${repairs ? `; ${repairs}` : ''}${kept}`;
}

export function divergenceNote(d: DivergenceBody): string {
  return `note: ${d.deployment} ${d.message}`;
}

export function diffView(report: Report): DiffView {
  const changes = report.changes;
  const drift = report.drift ?? [];
  return {
    blocks: changes.map((c) => ({
      key: c.key,
      sign: SIGN[c.action],
      title: `${c.action} ${displayName(c)}`,
      source: sourceText(c),
      effects: c.effects.map((e) => ({ text: e.message, destructive: e.destructive })),
      lines: c.fields.flatMap(fieldLines),
    })),
    drift: drift.map((d) => d.message),
    notes: (report.divergences ?? []).map(divergenceNote),
    summary: `Summary: ${summaryLine(report.summary, drift.length, report.divergences?.length ?? 0)}`,
    destructive: report.summary.destructive > 0,
  };
}

/** The whole view as `berth diff` text (no colour): what the page's "copy" offers and tests compare. */
export function diffText(view: DiffView): string {
  const blocks = view.blocks.map((b) =>
    [
      `${b.sign} ${b.title}${b.source ? `  (${b.source})` : ''}`,
      ...b.effects.map((e) => (e.destructive ? `    ⚠ ${e.text} [destructive]` : `    → ${e.text}`)),
      ...b.lines.map((l) => `  ${l.sign} ${l.text}`),
      '',
    ].join('\n'),
  );
  if (view.drift.length > 0) blocks.push(['~ drift on the host (manifests unchanged)', ...view.drift.map((d) => `    → ${d}`), ''].join('\n'));
  return [...blocks, ...view.notes, view.summary].join('\n') + '\n';
}
