import { dump } from 'js-yaml';
import { BerthError } from '../../model/errors.js';
import type { KubeItem, View } from '../../runtime/views/index.js';
import { kubectlName } from './kube-names.js';

export const GET_OUTPUT_FORMATS = ['wide', 'json', 'yaml', 'name'] as const;
/** The template formats (cli/output/object-printers.ts), listed in the error as kubectl lists its printers. */
const TEMPLATE_OUTPUTS = ['jsonpath', 'jsonpath-file', 'jsonpath-as-json', 'custom-columns', 'custom-columns-file'];
export type GetOutputFormat = 'table' | (typeof GET_OUTPUT_FORMATS)[number];

export function parseGetOutput(value: string | undefined): GetOutputFormat {
  if (value === undefined || value === '') return 'table';
  if ((GET_OUTPUT_FORMATS as readonly string[]).includes(value)) return value as GetOutputFormat;
  throw new BerthError('USAGE', `unable to match a printer suitable for the output format "${value}", allowed formats are: ${[...GET_OUTPUT_FORMATS, ...TEMPLATE_OUTPUTS].sort().join(',')}`, { output: value });
}

/** What `kubectl get -o json` prints for several objects. */
export interface KubeList {
  apiVersion: 'v1';
  kind: 'List';
  metadata: { resourceVersion: '' };
  items: KubeItem[];
}

export function kubeList(items: readonly KubeItem[]): KubeList {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [...items] };
}

/**
 * The document `-o json|yaml` prints: the object itself when exactly one was asked for by
 * name, else a List (even of one or none), as kubectl does.
 */
export function outputDocument(views: readonly View[], single: boolean): KubeItem | KubeList {
  if (single && views.length === 1) return views[0]!.object;
  return kubeList(views.map((v) => v.object));
}

/** kubectl's JSON (4-space indent) and YAML (sorted keys, sequences flush with their key). */
export function renderDocument(doc: unknown, format: 'json' | 'yaml'): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 4)}\n`;
  return renderYaml(doc);
}

/** The characters the print boundary escapes that js-yaml leaves raw in a scalar (model/excerpt.ts). */
const INVISIBLE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * YAML in which a string holding a bidirectional control is double-quoted with the character
 * as a `\uXXXX` escape, so the print boundary (which escapes such characters wherever they are)
 * finds none raw and the document means the same. js-yaml writes them raw, even in plain
 * scalars where `\u202E` would be text: each is marked as U+FEFF and its code (js-yaml
 * double-quotes a string with U+FEFF and writes it `\uFEFF`; a U+FEFF of the document is
 * marked too), and the marks are turned into the escape after dumping. A document whose text
 * already holds a literal `\uFEFF` is written as JSON, which is YAML too, rather than guessed at.
 */
function renderYaml(doc: unknown): string {
  const options = { noRefs: true, sortKeys: true, seqNoIndent: true, lineWidth: -1 } as const;
  let marked = false;
  let literal = false;
  const mark = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (/\\ufeff/i.test(v)) literal = true;
      return v.replace(INVISIBLE, (c) => {
        marked = true;
        return `\ufeff${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
      });
    }
    if (Array.isArray(v)) return v.map(mark);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [mark(k), mark(x)]));
    return v;
  };
  const text = dump(mark(doc), options);
  if (!marked) return text;
  if (literal) return `${JSON.stringify(doc, null, 2)}\n`;
  return text.replace(/\\uFEFF([0-9a-f]{4})/g, (_m, hex: string) => `\\u${hex.toUpperCase()}`);
}

/** `-o name`: `pod/web-5d4f8-abcde`, `deployment.apps/web`. */
export function nameLines(views: readonly View[]): string {
  return views.map((v) => `${kubectlName(v.kind, v.name)}\n`).join('');
}
