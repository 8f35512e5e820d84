/**
 * One change of the diff report as JSON carries it (docs/diff-json.md): what `diff -o json`
 * prints, what GET /api/v1/diff answers and what the web UI draws, declared once. Pure types
 * with no imports: the API's contract (runtime/api/contract.ts) and through it the web UI's
 * bundle read them with `import type`, and redact.ts brands them (a ReportChange is one that
 * went through redaction).
 */

export interface ReportField {
  path: string;
  op: 'add' | 'remove' | 'replace';
  before?: unknown;
  after?: unknown;
  /** Set when the values were secret: `before`/`after` are then absent. */
  redacted?: true;
}

export interface ReportEffect {
  kind: string;
  message: string;
  destructive: boolean;
}

export interface ReportSource {
  file: string;
  line: number;
  column: number;
}

export interface ReportChangeBody {
  action: 'create' | 'update' | 'delete';
  key: string;
  kind: string;
  namespace: string;
  name: string;
  destructive: boolean;
  /** Where the manifest is: in `to` for create/update, in `from` for delete. */
  source?: ReportSource;
  effects: ReportEffect[];
  fields: ReportField[];
}
