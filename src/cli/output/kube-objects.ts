import { dump } from 'js-yaml';
import { BerthError } from '../../model/errors.js';
import type { KubeItem, View } from '../../runtime/views/index.js';
import { kubectlName } from './kube-names.js';

export const GET_OUTPUT_FORMATS = ['wide', 'json', 'yaml', 'name'] as const;
export type GetOutputFormat = 'table' | (typeof GET_OUTPUT_FORMATS)[number];

export function parseGetOutput(value: string | undefined): GetOutputFormat {
  if (value === undefined || value === '') return 'table';
  if ((GET_OUTPUT_FORMATS as readonly string[]).includes(value)) return value as GetOutputFormat;
  throw new BerthError('USAGE', `unable to match a printer suitable for the output format "${value}", allowed formats are: ${GET_OUTPUT_FORMATS.join(',')}`, { output: value });
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
  return dump(doc, { noRefs: true, sortKeys: true, seqNoIndent: true, lineWidth: -1 });
}

/** `-o name`: `pod/web-5d4f8-abcde`, `deployment.apps/web`. */
export function nameLines(views: readonly View[]): string {
  return views.map((v) => `${kubectlName(v.kind, v.name)}\n`).join('');
}
