import type { TreeNode } from '../../../src/runtime/api/contract.js';
import type { ObjectRef } from './routes.js';

/**
 * The resource tree as the rows the page draws: depth-first, children under their parent,
 * a collapsed node's descendants left out. Each row carries what an ARIA tree needs (level,
 * position in its set) so the page stays a plain list of rows.
 */
export interface TreeRow {
  /** Stable across refetches: the path of kind/namespace/name from the root. */
  key: string;
  node: TreeNode;
  /** 1 for a namespace. */
  level: number;
  posInSet: number;
  setSize: number;
  expandable: boolean;
  expanded: boolean;
  /** The resource page the row links to (a container's is its pod's). */
  target?: ObjectRef;
  parentKey?: string;
}

export function nodeKey(node: Pick<TreeNode, 'kind' | 'namespace' | 'name'>, parentKey?: string): string {
  const own = `${node.kind}/${node.namespace ?? ''}/${node.name}`;
  return parentKey === undefined ? own : `${parentKey}>${own}`;
}

/** Tree nodes that are no object with a page: a pod's containers, the group of cluster-scoped objects. */
const NO_PAGE = new Set(['Container', 'Cluster']);

export function nodeRef(node: TreeNode, parent?: TreeNode): ObjectRef | undefined {
  if (NO_PAGE.has(node.kind)) return parent && !NO_PAGE.has(parent.kind) ? nodeRef(parent) : undefined;
  return node.namespace === undefined ? { kind: node.kind, name: node.name } : { kind: node.kind, namespace: node.namespace, name: node.name };
}

/**
 * The status word a row shows beside its health badge: none when it only repeats the badge (a
 * ServiceAccount or IngressClass has no status of its own, so the daemon answers its health).
 */
export function statusWord(node: Pick<TreeNode, 'status' | 'health'>): string | undefined {
  return node.status === '' || node.status === node.health ? undefined : node.status;
}

function hasChildren(node: TreeNode): boolean {
  return node.children.length > 0 || (node.endpoints?.length ?? 0) > 0;
}

export function flattenTree(roots: readonly TreeNode[], collapsed: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (nodes: readonly TreeNode[], level: number, parent?: TreeNode, parentKey?: string) => {
    nodes.forEach((node, i) => {
      const key = nodeKey(node, parentKey);
      const expandable = hasChildren(node);
      const expanded = expandable && !collapsed.has(key);
      const target = nodeRef(node, parent);
      rows.push({ key, node, level, posInSet: i + 1, setSize: nodes.length, expandable, expanded, ...(target ? { target } : {}), ...(parentKey !== undefined ? { parentKey } : {}) });
      if (expanded) walk(node.children, level + 1, node, key);
    });
  };
  walk(roots, 1);
  return rows;
}

/** Every expandable key: what "collapse all" collapses. */
export function expandableKeys(roots: readonly TreeNode[]): string[] {
  const out: string[] = [];
  const walk = (nodes: readonly TreeNode[], parentKey?: string) => {
    for (const node of nodes) {
      const key = nodeKey(node, parentKey);
      if (hasChildren(node)) out.push(key);
      walk(node.children, key);
    }
  };
  walk(roots);
  return out;
}

/**
 * Kinds the overview lists with their pods. A ReplicaSet or Pod is at a namespace's top only when
 * no controller of the app owns it (a bare Pod, a standalone ReplicaSet): it runs, so it is listed.
 */
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController', 'ReplicaSet', 'Pod']);

export interface WorkloadSummary {
  node: TreeNode;
  pods: TreeNode[];
}

/** Workloads of every namespace with the pods under them (through their ReplicaSets or Jobs); a bare Pod lists none. */
export function workloads(roots: readonly TreeNode[]): WorkloadSummary[] {
  const pods = (node: TreeNode): TreeNode[] => node.children.flatMap((c) => (c.kind === 'Pod' ? [c] : c.kind === 'Container' ? [] : pods(c)));
  return roots.flatMap((ns) => ns.children.filter((n) => WORKLOADS.has(n.kind) && !n.ref).map((node) => ({ node, pods: pods(node) })));
}
