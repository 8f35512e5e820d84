import type { NodeSelectorRequirement, NodeSelectorTerm, StringMap } from './types.js';

/**
 * Kubernetes' node selector terms (v1.NodeSelector) against this host's labels: the terms are
 * ORed, the requirements in a term ANDed; `matchFields` knows `metadata.name`, the host's name.
 * An empty term matches nothing, as in Kubernetes.
 */
export function nodeSelectorMatches(terms: readonly NodeSelectorTerm[], nodeLabels: StringMap, nodeName: string): boolean {
  return terms.some((t) => {
    const exprs = t.matchExpressions ?? [];
    const fields = t.matchFields ?? [];
    if (exprs.length === 0 && fields.length === 0) return false;
    return exprs.every((r) => requirementMatches(r, nodeLabels)) && fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, { 'metadata.name': nodeName }));
  });
}

function requirementMatches(r: NodeSelectorRequirement, labels: StringMap): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels[r.key]! : undefined;
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      const want = Number(values[0]);
      const got = Number(v);
      if (v === undefined || values.length !== 1 || !Number.isInteger(want) || !Number.isInteger(got)) return false;
      return r.operator === 'Gt' ? got > want : got < want;
    }
  }
}
