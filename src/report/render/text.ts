import type { ReportChange } from '../redact.js';
import type { DiffReport } from './report.js';
import { divergenceNote, summaryLine } from './report.js';
import type { Sign } from './format.js';
import { actionSign, changeLines, displayName, sourceText } from './format.js';
import { escapeControl } from '../../model/excerpt.js';

/**
 * kubectl-diff-like text for a terminal or a CI log: one block per resource (header, effects,
 * field lines), a summary line at the end. Colour only when the caller says so (a TTY without
 * NO_COLOR, decided in cli/); otherwise plain, byte-for-byte stable.
 */
export interface TextOptions {
  color: boolean;
}

const ANSI = { green: '\x1b[32m', red: '\x1b[31m', yellow: '\x1b[33m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' };
const SIGN_COLOR: Record<Sign, string> = { '+': ANSI.green, '-': ANSI.red, '~': ANSI.yellow };
const VERB: Record<ReportChange['action'], string> = { create: 'create', update: 'update', delete: 'delete' };

export function renderText(report: DiffReport, options: TextOptions): string {
  // Data is escaped before it is styled: the codes are berth's, the text may hold input (names,
  // values, messages), which must not reach a terminal as control sequences (SPEC §8).
  const paint = (code: string, text: string) => (options.color ? `${code}${escapeControl(text)}${ANSI.reset}` : escapeControl(text));
  const blocks = report.changes.map((c) => changeBlock(c, paint));
  if (report.drift?.length) {
    blocks.push([paint(ANSI.bold + ANSI.yellow, '~ drift on the host (manifests unchanged)'), ...report.drift.map((d) => `    → ${escapeControl(d.message)}`), ''].join('\n'));
  }
  // Kept on purpose (a pin, a scale): said, so nobody reads "no differences" as "runs the source".
  for (const d of report.divergences ?? []) blocks.push(paint(ANSI.dim, divergenceNote(d)));
  const summary = `Summary: ${summaryLine(report.summary, report.drift?.length ?? 0, report.divergences?.length ?? 0)}`;
  const line = report.summary.destructive > 0 ? paint(ANSI.bold + ANSI.red, summary) : paint(ANSI.bold, summary);
  return [...blocks, line].join('\n') + '\n';
}

function changeBlock(c: ReportChange, paint: (code: string, text: string) => string): string {
  const sign = actionSign(c.action);
  const source = sourceText(c);
  const header =
    paint(ANSI.bold + SIGN_COLOR[sign], `${sign} ${VERB[c.action]} ${displayName(c)}`) + (source ? paint(ANSI.dim, `  (${source})`) : '');
  const effects = c.effects.map((e) =>
    e.destructive ? paint(ANSI.bold + ANSI.red, `    ⚠ ${e.message} [destructive]`) : `    → ${escapeControl(e.message)}`,
  );
  const body = changeLines(c).map((l) => paint(SIGN_COLOR[l.sign], `  ${l.sign} ${l.text}`));
  return [header, ...effects, ...body, ''].join('\n');
}
