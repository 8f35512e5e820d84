import type { Explanation, ExplainedField } from './explain.js';
import type { Field, Verdict } from './fields.js';

/**
 * kubectl explain's plain-text layout (kubectl's explain v2 template): GROUP/KIND/VERSION,
 * `FIELD: name <type>`, DESCRIPTION, and FIELDS as `name\t<type>` with ` -required-` and an
 * `enum:` line; `--recursive` prints the field tree with types only. Added where kubectl
 * prints nothing like it: a `BERTH:` line for the field asked for and a `berth:` line under
 * each field (under --recursive, a `(berth: ...)` mark on each field berth does not run).
 */
const WIDTH = 80;

export function renderExplanation(e: Explanation, options: { recursive?: boolean } = {}): string {
  const out: string[] = [];
  const [group, version] = e.info.apiVersion.includes('/') ? e.info.apiVersion.split('/') : [undefined, e.info.apiVersion];
  if (group) out.push(`GROUP:      ${group}`);
  out.push(`KIND:       ${e.info.kind}`, `VERSION:    ${version}`);
  if (e.convertedFrom) out.push(`BERTH:      reads ${e.convertedFrom} (deprecated) and converts it to ${e.info.apiVersion}, whose fields these are`);
  if (options.recursive && e.fields.length > 0) out.push('BERTH:      runs every field below but those marked (berth: warns|refuses|drops); explain one to see why');
  out.push('');
  if (e.field) {
    out.push(`FIELD: ${e.field.name} <${e.field.type}>`);
    out.push(...wrap(`BERTH: ${verdictText(e.field.verdict)}`, ''));
    out.push('');
  }
  const description = e.field ? e.field.description : e.description;
  out.push('DESCRIPTION:');
  if (description.length === 0) out.push('    <empty>');
  for (const paragraph of description) out.push(...wrap(paragraph, '    '));
  if (e.field?.enum) out.push(...wrap(`enum: ${e.field.enum.join(', ')}`, '    '));
  out.push('');
  if (e.fields.length > 0) {
    out.push('FIELDS:');
    if (options.recursive) {
      renderTree(e.fields, '  ', out);
      out.push('');
    } else for (const f of e.fields) out.push(...renderField(f), '');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function renderField(f: Field): string[] {
  const lines = [`  ${f.name}\t<${f.type}>${f.required ? ' -required-' : ''}`];
  if (f.enum) lines.push(...wrap(`enum: ${f.enum.join(', ')}`, '  '));
  lines.push(...wrap(`berth: ${verdictText(f.verdict)}`, '  ', '    '));
  for (const paragraph of f.description) lines.push(...wrap(paragraph, '    '));
  return lines;
}

function renderTree(fields: readonly ExplainedField[], indent: string, out: string[]): void {
  for (const f of fields) {
    const mark = f.verdict.word === 'runs' ? '' : ` (berth: ${f.verdict.word})`;
    out.push(`${indent}${f.name}\t<${f.type}>${f.required ? ' -required-' : ''}${mark}`);
    if (f.children) renderTree(f.children, `${indent}  `, out);
  }
}

/** One line saying what berth does with the field, and why when the schema says. */
export function verdictText(v: Verdict): string {
  switch (v.word) {
    case 'runs':
      return v.reason ? `runs (${v.reason})` : 'runs';
    case 'warns':
      return [
        'warns: accepted and ignored, with a warning',
        v.reason ? `; ${v.reason}` : '',
        v.quietAt !== undefined ? `; none when it holds its Kubernetes default, ${v.quietAt}` : '',
      ].join('');
    case 'refuses':
      return `refuses: an error, since ignoring it would change what runs${v.reason ? `; ${v.reason}` : ''}`;
    case 'drops':
      return `drops: removed without a warning${v.reason ? ` (${v.reason})` : ''}`;
  }
}

/** Word-wraps `text` to WIDTH columns, the first line indented by `first`, the rest by `rest`. */
function wrap(text: string, first: string, rest = first): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    let indent = lines.length === 0 ? first : rest;
    for (const word of para.split(/\s+/).filter((w) => w !== '')) {
      if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
        lines.push(indent + line);
        line = '';
        indent = rest;
      }
      line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(indent + line);
  }
  return lines;
}
