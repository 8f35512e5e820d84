import type { DiffReport } from './report.js';

/** `-o json`: the report itself (schema: docs/diff-json.md), two-space indented. */
export function renderJson(report: DiffReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
