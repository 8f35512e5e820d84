import type { Problem } from '../../model/problem.js';
import { compareProblems, problemLocation } from '../../model/problem.js';
import { escapeControl } from '../../model/excerpt.js';

/**
 * How validation problems print, shared by every command that shows invalid input (validate,
 * apply, diff) so they read the same everywhere.
 */
export interface FormatOptions {
  /** ANSI colors; callers decide (useColor: TTY and not NO_COLOR). Default false. */
  color?: boolean;
}

const ANSI = { bold: '\u001b[1m', red: '\u001b[31m', yellow: '\u001b[33m', dim: '\u001b[2m', reset: '\u001b[0m' } as const;

/** Styles `text` after escaping it: the codes are berth's, the text may hold input (see cli/context.ts writeStyled). */
function paint(on: boolean, style: keyof typeof ANSI, text: string): string {
  const safe = escapeControl(text);
  return on ? `${ANSI[style]}${safe}${ANSI.reset}` : safe;
}

function sorted(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(compareProblems);
}


/** `file:line:col: error|warning: message [path]`, one line per problem, sorted by file and line. */
export function formatProblemsText(problems: readonly Problem[], options: FormatOptions = {}): string {
  const color = options.color === true;
  return sorted(problems)
    .map((p) => {
      const sev = paint(color, p.severity === 'error' ? 'red' : 'yellow', p.severity);
      const path = p.path ? ` ${paint(color, 'dim', `[${p.path}]`)}` : '';
      return `${paint(color, 'bold', problemLocation(p))}: ${sev}: ${escapeControl(p.message)}${path}\n`;
    })
    .join('');
}

/** The problems as a JSON array (the shape of Problem), sorted. */
export function formatProblemsJson(problems: readonly Problem[]): string {
  return `${JSON.stringify(sorted(problems).map(problemJson), null, 2)}\n`;
}

export function problemJson(p: Problem): Problem {
  return { file: p.file, line: p.line, column: p.column, path: p.path, severity: p.severity, code: p.code, message: p.message };
}

/**
 * GitHub Actions workflow commands: `::error file=..,line=..,col=..,title=..::message`, which
 * GitHub shows as annotations on the pull request's changed lines.
 */
export function formatProblemsGithub(problems: readonly Problem[]): string {
  return sorted(problems)
    .map((p) => {
      const props = [`file=${escapeProperty(p.file)}`];
      if (p.line > 0) props.push(`line=${p.line}`);
      if (p.line > 0 && p.column > 0) props.push(`col=${p.column}`);
      props.push(`title=${escapeProperty(`berth ${p.code}`)}`);
      const message = p.path ? `${p.message} [${p.path}]` : p.message;
      return `::${p.severity} ${props.join(',')}::${escapeData(message)}\n`;
    })
    .join('');
}

/** https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface ValidationSummary {
  errors: number;
  warnings: number;
  /** Files with at least one problem. */
  files: number;
  /** Valid resources. */
  resources: number;
}

export function summarize(problems: readonly Problem[], resources: number): ValidationSummary {
  let errors = 0;
  let warnings = 0;
  const files = new Set<string>();
  for (const p of problems) {
    if (p.severity === 'error') errors++;
    else warnings++;
    files.add(p.file);
  }
  return { errors, warnings, files: files.size, resources };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "3 errors, 1 warning in 2 files; 12 resources valid" */
export function formatSummary(s: ValidationSummary, options: FormatOptions = {}): string {
  const color = options.color === true;
  const errors = paint(color && s.errors > 0, 'red', plural(s.errors, 'error'));
  const warnings = paint(color && s.warnings > 0, 'yellow', plural(s.warnings, 'warning'));
  const where = s.files > 0 ? ` in ${plural(s.files, 'file')}` : '';
  return `${errors}, ${warnings}${where}; ${plural(s.resources, 'resource')} valid\n`;
}
