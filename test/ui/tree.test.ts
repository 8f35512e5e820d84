import { describe, expect, it } from 'vitest';
import type { TreeNode } from '../../src/runtime/api/contract.js';
import { expandableKeys, flattenTree, nodeRef, statusWord, workloads } from '../../ui/src/lib/tree.js';

function node(kind: string, name: string, children: TreeNode[] = [], extra: Partial<TreeNode> = {}): TreeNode {
  return { kind, name, namespace: kind === 'Namespace' ? undefined : 'shop', health: 'Healthy', status: 'Running', children, ...extra };
}

const container = node('Container', 'web', [], { status: 'Running' });
const pod = node('Pod', 'web-abc12-x1', [container], { ready: '1/1' });
const rs = node('ReplicaSet', 'web-abc12', [pod], { status: '1/1' });
const deployment = node('Deployment', 'web', [rs], { status: '1/1', ready: '1/1' });
const service = node('Service', 'web', [], { endpoints: [{ address: '10.0.0.2:80', pod: 'web-abc12-x1', ready: true }] });
const ingress = node('Ingress', 'web', [node('Service', 'web', [], { ref: true })]);
const secret = node('Secret', 'creds', [], { status: 'Opaque' });
const ns = node('Namespace', 'shop', [deployment, service, ingress, secret], { status: 'Active' });

const rowsOf = (collapsed: string[]) => flattenTree([ns], new Set(collapsed)).map((r) => [r.key, r.level, r.posInSet, r.setSize, r.expandable, r.expanded]);

describe('resource tree rows', () => {
  it('lists every node depth-first with ARIA level and position', () => {
    expect(rowsOf([])).toEqual([
      ['Namespace//shop', 1, 1, 1, true, true],
      ['Namespace//shop>Deployment/shop/web', 2, 1, 4, true, true],
      ['Namespace//shop>Deployment/shop/web>ReplicaSet/shop/web-abc12', 3, 1, 1, true, true],
      ['Namespace//shop>Deployment/shop/web>ReplicaSet/shop/web-abc12>Pod/shop/web-abc12-x1', 4, 1, 1, true, true],
      ['Namespace//shop>Deployment/shop/web>ReplicaSet/shop/web-abc12>Pod/shop/web-abc12-x1>Container/shop/web', 5, 1, 1, false, false],
      ['Namespace//shop>Service/shop/web', 2, 2, 4, true, true],
      ['Namespace//shop>Ingress/shop/web', 2, 3, 4, true, true],
      ['Namespace//shop>Ingress/shop/web>Service/shop/web', 3, 1, 1, false, false],
      ['Namespace//shop>Secret/shop/creds', 2, 4, 4, false, false],
    ]);
  });

  it('leaves out what a collapsed node holds, and keeps the node itself', () => {
    expect(rowsOf(['Namespace//shop>Deployment/shop/web']).map((r) => r[0])).toEqual([
      'Namespace//shop',
      'Namespace//shop>Deployment/shop/web',
      'Namespace//shop>Service/shop/web',
      'Namespace//shop>Ingress/shop/web',
      'Namespace//shop>Ingress/shop/web>Service/shop/web',
      'Namespace//shop>Secret/shop/creds',
    ]);
    expect(rowsOf(['Namespace//shop'])).toEqual([['Namespace//shop', 1, 1, 1, true, false]]);
  });

  it('links a container to its pod and a namespace without one', () => {
    expect(nodeRef(container, pod)).toEqual({ kind: 'Pod', namespace: 'shop', name: 'web-abc12-x1' });
    expect(nodeRef(container)).toBeUndefined();
    expect(nodeRef(ns)).toEqual({ kind: 'Namespace', name: 'shop' });
    const rows = flattenTree([ns], new Set());
    expect(rows.find((r) => r.node === container)?.target).toEqual({ kind: 'Pod', namespace: 'shop', name: 'web-abc12-x1' });
  });

  it('gives the group of cluster-scoped objects no page, and its objects theirs', () => {
    const pv = { kind: 'PersistentVolume', name: 'data', health: 'Healthy', status: 'Bound', children: [] } as TreeNode;
    const cluster = { kind: 'Cluster', name: '(cluster)', health: 'Healthy', status: '', children: [pv] } as TreeNode;
    const rows = flattenTree([cluster], new Set());
    expect(rows.map((r) => [r.key, r.target])).toEqual([
      ['Cluster//(cluster)', undefined],
      ['Cluster//(cluster)>PersistentVolume//data', { kind: 'PersistentVolume', name: 'data' }],
    ]);
  });

  it('finds every expandable node for "collapse all"', () => {
    expect(expandableKeys([ns])).toEqual([
      'Namespace//shop',
      'Namespace//shop>Deployment/shop/web',
      'Namespace//shop>Deployment/shop/web>ReplicaSet/shop/web-abc12',
      'Namespace//shop>Deployment/shop/web>ReplicaSet/shop/web-abc12>Pod/shop/web-abc12-x1',
      'Namespace//shop>Service/shop/web',
      'Namespace//shop>Ingress/shop/web',
    ]);
  });

  it('summarises workloads with the pods under their ReplicaSets', () => {
    expect(workloads([ns])).toEqual([{ node: deployment, pods: [pod] }]);
  });

  it('lists a bare Pod and a standalone ReplicaSet as workloads of their own', () => {
    const bare = node('Pod', 'notes', [node('Container', 'notes')], { health: 'Degraded', status: 'CrashLoopBackOff' });
    const cachePod = node('Pod', 'cache-x1', [node('Container', 'cache')]);
    const cache = node('ReplicaSet', 'cache', [cachePod]);
    const withBare = node('Namespace', 'shop', [deployment, cache, bare, service]);
    expect(workloads([withBare])).toEqual([
      { node: deployment, pods: [pod] },
      { node: cache, pods: [cachePod] },
      { node: bare, pods: [] },
    ]);
  });

  it.each([
    [{ status: 'Healthy', health: 'Healthy' }, undefined],
    [{ status: '', health: 'Healthy' }, undefined],
    [{ status: 'Running', health: 'Healthy' }, 'Running'],
    [{ status: 'Missing', health: 'Missing' }, undefined],
    [{ status: '1/2', health: 'Progressing' }, '1/2'],
  ] as const)('a row with %j shows status %j (never its health twice)', (n, word) => {
    expect(statusWord(n)).toBe(word);
  });
});
