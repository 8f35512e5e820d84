import type { ParsedDocument } from './parse.js';
import type { ManifestDoc } from './report.js';
import { Reporter } from './report.js';
import type { Problem } from '../model/problem.js';
import { isRecord } from './checks/values.js';
import { SUPPORTED_KIND_NAMES } from '../model/kinds.js';
import { quote } from '../model/excerpt.js';

const LIST_KINDS = new Set(['List', ...SUPPORTED_KIND_NAMES.map((k) => `${k}List`)]);

/**
 * The objects of one YAML document: the document itself, or the items of a `kind: List`
 * (also `PodList`, `DeploymentList`, ... as `kubectl get -o yaml` writes them), as kubectl
 * apply accepts them.
 */
export function objectsOf(parsed: ParsedDocument, problems: Problem[]): ManifestDoc[] {
  const doc: ManifestDoc = { parsed, base: [], value: parsed.value };
  const value = parsed.value;
  if (!isRecord(value)) {
    const what = Array.isArray(value) ? 'a sequence' : `a ${typeof value} (${quote(value)})`;
    new Reporter(doc, problems).report('not-an-object', [], `document is ${what}, not a Kubernetes object with apiVersion and kind`);
    return [];
  }
  if (typeof value.kind !== 'string' || !LIST_KINDS.has(value.kind)) return [doc];
  const items = value.items;
  // `items:` left empty is an empty list, as the API server reads null (empty-values.ts).
  if (items === null) return [];
  if (!Array.isArray(items)) {
    new Reporter(doc, problems).report('invalid-list', ['items'], `a ${value.kind} needs an items sequence`, { locate: [], at: 'key' });
    return [];
  }
  const out: ManifestDoc[] = [];
  items.forEach((item, i) => {
    const itemDoc: ManifestDoc = { parsed, base: ['items', i], value: item };
    if (isRecord(item)) out.push(itemDoc);
    else new Reporter(itemDoc, problems).report('invalid-list', [], `${value.kind} items must be Kubernetes objects, not ${item === null ? 'null' : typeof item}`);
  });
  return out;
}
