import type { ValidateOptions, ValidationResult } from '../../src/manifests/index.js';
import { validateRevision } from '../../src/manifests/index.js';
import type { Problem } from '../../src/model/problem.js';
import type { RevisionFile } from '../../src/model/revision.js';

/**
 * `yaml` tagged template: strips the first newline and the common indentation, so a test
 * can write a manifest inline and count lines as the file has them.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

export function files(map: Record<string, string | Buffer>): RevisionFile[] {
  return Object.entries(map).map(([path, content]) => ({ path, content: typeof content === 'string' ? Buffer.from(content) : content }));
}

export function validate(map: Record<string, string | Buffer>, options?: ValidateOptions): ValidationResult {
  return validateRevision(files(map), options);
}

/** A problem without its message: tests assert codes and positions, not wording. */
export type Finding = Omit<Problem, 'message'>;

export function findings(map: Record<string, string | Buffer>, options?: ValidateOptions): Finding[] {
  return validate(map, options).problems.map(({ message: _message, ...rest }) => rest);
}

/** Shorthand for an expected finding in file `f.yaml`. */
export function at(line: number, column: number, code: string, path: string, severity: 'error' | 'warning' = 'error', file = 'f.yaml'): Finding {
  return { file, line, column, path, severity, code };
}

/** A Pod named p whose spec is `spec` (written at indentation 0); spec line n is file line 5 + n. */
export function pod(spec: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n${indent(spec, 2)}`;
}

export function indent(text: string, n: number): string {
  return text.replace(/^(?=.)/gm, ' '.repeat(n));
}
