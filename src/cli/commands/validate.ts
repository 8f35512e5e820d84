import type { Command } from 'commander';
import type { ValidationResult } from '../../manifests/index.js';
import { BerthError } from '../../model/errors.js';
import { hasErrors } from '../../model/problem.js';
import type { Revision } from '../../model/revision.js';
import type { CliContext, CliIO } from '../context.js';
import { useColor, write, writeStyled } from '../context.js';
import { formatProblemsGithub, formatProblemsText, formatSummary, problemJson, summarize } from '../output/problems.js';
import type { ValidationFlags } from '../validation-flags.js';
import { addValidationOptions, validateOptionsFrom } from '../validation-flags.js';

const FORMATS = ['text', 'json', 'github'] as const;
type Format = (typeof FORMATS)[number];

interface ValidateFlags extends ValidationFlags {
  filename?: string[];
  output: string;
}

export function registerValidate(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('validate')
    .description('check manifests without touching Docker: every problem with file:line:col (exit 0 valid, 1 invalid, 2 unreadable)')
    .argument('[path...]', 'manifest files or directories (default: the current directory)')
    .option('-f, --filename <path>', 'manifest file or directory; repeatable; - reads stdin', (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option('-o, --output <format>', `output format: ${FORMATS.join(', ')}`, 'text');
  addValidationOptions(cmd);
  cmd.action(async (paths: string[], flags: ValidateFlags) => {
    ctx.exitCode = await validate([...paths, ...(flags.filename ?? [])], flags, ctx.io);
  });
}

async function validate(inputs: string[], flags: ValidateFlags, io: CliIO): Promise<number> {
  const format = parseFormat(flags.output);
  // The reader, parser and checks load when a validation runs, not for `validate --help` (start-up, issue 18).
  const { validateRevision } = await import('../../manifests/index.js');
  const revision = await readInputs(inputs.length > 0 ? inputs : ['.'], io);
  const result = validateRevision(revision.files, validateOptionsFrom(flags));
  // Text is styled by its renderer, which escapes the data first; JSON and GitHub output are escaped here.
  const out = render(format, result, useColor(io));
  if (format === 'text') writeStyled(io.stdout, out);
  else write(io.stdout, out);
  return hasErrors(result.problems) ? 1 : 0;
}

function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new BerthError('USAGE', `unknown output format "${value}"; use ${FORMATS.join(', ')}`, { output: value });
}

async function readInputs(inputs: string[], io: CliIO): Promise<Revision> {
  const stdin = inputs.filter((p) => p === '-').length;
  if (stdin > 1) throw new BerthError('USAGE', '- (standard input) may be given only once', {});
  const paths = inputs.filter((p) => p !== '-');
  const { mergeRevisions, readPaths, readStdin } = await import('../../sources/folder.js');
  const revisions: Revision[] = [];
  if (paths.length > 0) revisions.push(await readPaths(paths, { cwd: io.cwd }));
  if (stdin === 1) revisions.push(await readStdin(io.stdin));
  return mergeRevisions(revisions);
}

function render(format: Format, result: ValidationResult, color: boolean): string {
  const summary = summarize(result.problems, result.resources.length);
  switch (format) {
    case 'json':
      return `${JSON.stringify(
        {
          valid: summary.errors === 0,
          problems: result.problems.map(problemJson),
          resources: result.resources.map((r) => ({ key: r.key, file: r.source.file, line: r.source.line })),
          summary,
        },
        null,
        2,
      )}\n`;
    case 'github':
      return formatProblemsGithub(result.problems) + formatSummary(summary);
    case 'text':
      return formatProblemsText(result.problems, { color }) + formatSummary(summary, { color });
  }
}
