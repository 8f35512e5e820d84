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

// Rendering moved to report/render/kube-yaml.ts so the daemon's API (the web UI's YAML tab) renders exactly as get does.
export { renderDocument } from '../../report/render/kube-yaml.js';

/** `-o name`: `pod/web-5d4f8-abcde`, `deployment.apps/web`. */
export function nameLines(views: readonly View[]): string {
  return views.map((v) => `${kubectlName(v.kind, v.name)}\n`).join('');
}
