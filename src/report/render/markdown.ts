import type { ReportChange } from '../redact.js';
import type { DiffReport, RevisionRef } from './report.js';
import { summaryLine } from './report.js';
import { changeLines, displayName, shortId, sourceText } from './format.js';

/**
 * A pull-request comment: heading with counts, a warning listing destructive changes, a
 * summary table (destructive first), then one collapsible section per resource with a
 * ```diff block. GitHub rejects comments over 65,536 characters, so details (and, for huge
 * diffs, table rows) stop at a budget with a note saying how many were left out.
 */
export interface MarkdownOptions {
  /** Character budget for the whole comment; default 60,000 (GitHub's limit is 65,536). */
  maxLength?: number;
}

const WARN = '⚠️';
const ICON: Record<ReportChange['action'], string> = { create: '➕', update: '✏️', delete: '➖' };

export function renderMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const budget = options.maxLength ?? 60_000;
  const s = report.summary;
  const heading = `### berth diff: ${summaryLine(s, report.drift?.length ?? 0, report.divergences?.length ?? 0)}${s.destructive > 0 ? ` ${WARN}` : ''}`;
  const head = [heading, '', `${revision(report.from)} → ${revision(report.to)}`, ''];
  if (report.drift?.length) head.push('**Drift on the host** (manifests unchanged):', '', ...report.drift.map((d) => `- ${escapeHtml(d.message)}`), '');
  if (report.divergences?.length) head.push('**Kept on purpose** (applying keeps them):', '', ...report.divergences.map((d) => `- \`${escapeCode(d.deployment)}\` ${escapeHtml(d.message)}`), '');
  if (report.changes.length === 0) return head.join('\n');

  // Destructive first; otherwise the report's order (namespace, kind, name).
  const ordered = [...report.changes.filter((c) => c.destructive), ...report.changes.filter((c) => !c.destructive)];
  const destructive = ordered.filter((c) => c.destructive).length;
  if (destructive > 0)
    head.push(
      '> [!WARNING]',
      `> **${destructive} destructive ${destructive === 1 ? 'change' : 'changes'}** (listed first): ${destructive === 1 ? 'it deletes' : 'they delete'} data or stop${destructive === 1 ? 's' : ''} pods without a rolling replacement.`,
      '',
    );

  const out = [...head, '| | Resource | Action | Effect |', '|---|---|---|---|'];
  let used = length(out);
  let rows = 0;
  for (const c of ordered) {
    const row = tableRow(c);
    if (used + row.length + 1 > budget / 2) break;
    out.push(row);
    used += row.length + 1;
    rows++;
  }
  if (rows < ordered.length) out.push(`| | _${ordered.length - rows} more not listed_ | | |`);
  out.push('');

  let shown = 0;
  for (const c of ordered.slice(0, rows)) {
    const section = details(c);
    if (length(out) + section.length + 200 > budget) break;
    out.push(section);
    shown++;
  }
  if (shown < ordered.length)
    out.push(`_Details of ${ordered.length - shown} more resources left out to fit a comment; run \`berth diff\` locally or use \`-o json\`._`, '');
  return out.join('\n');
}

function revision(r: RevisionRef): string {
  return `\`${escapeCode(r.origin)}\` (\`${shortId(r.id)}\`)`;
}

function tableRow(c: ReportChange): string {
  const icon = c.destructive ? WARN : ICON[c.action];
  const effects = c.effects.map((e) => (e.destructive ? `**${escapeCell(e.message)}**` : escapeCell(e.message))).join('<br>');
  return `| ${icon} | \`${displayName(c)}\` | ${c.action} | ${effects} |`;
}

function details(c: ReportChange): string {
  const icon = c.destructive ? WARN : ICON[c.action];
  const source = sourceText(c);
  const summary = `<summary>${icon} <b>${c.action}</b> <code>${escapeHtml(displayName(c))}</code>${source ? ` <sub>${escapeHtml(source)}</sub>` : ''}</summary>`;
  const lines = changeLines(c).map((l) => `${l.sign === '~' ? '!' : l.sign} ${l.text}`);
  // A workload restarted only because its config changed has no field to show.
  if (lines.length === 0) return ['<details>', summary, '', '_The manifest itself is unchanged._', '', '</details>', ''].join('\n');
  const body = lines.join('\n');
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  return ['<details>', summary, '', `${fence}diff`, body, fence, '', '</details>', ''].join('\n');
}

function length(lines: readonly string[]): number {
  return lines.reduce((n, l) => n + l.length + 1, 0);
}

function longestBacktickRun(text: string): number {
  let best = 0;
  for (const m of text.matchAll(/`+/g)) best = Math.max(best, m[0].length);
  return best;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Table cells: no pipes or line breaks; HTML-escaped so a message cannot inject markup. */
function escapeCell(text: string): string {
  return escapeHtml(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function escapeCode(text: string): string {
  return text.replace(/`/g, "'");
}
