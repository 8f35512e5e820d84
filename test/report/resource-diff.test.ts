import { describe, expect, it } from 'vitest';
import { compareKeys, diffObjects, diffResources, equivalentObjects, normalizeObject } from '../../src/report/resource-diff.js';
import { loadFixtureResources } from '../support/diff-fixtures.js';
import { withDefaults } from '../../src/model/defaults.js';
import type { AnyObject, Resource } from '../../src/model/types.js';

/** `namespace` '' for cluster-scoped kinds. */
function resource(object: AnyObject, namespace = 'default'): Resource {
  const obj = withDefaults(object);
  return { key: `${obj.kind}/${namespace}/${obj.metadata.name}`, object: obj, source: { file: 'x.yaml', line: 1, column: 1 } };
}

function cm(name: string, data: Record<string, string>, extra: Record<string, unknown> = {}): AnyObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data } as AnyObject;
}

describe('diffObjects', () => {
  it.each([
    {
      title: 'scalar replaced',
      before: { spec: { replicas: 3 } },
      after: { spec: { replicas: 5 } },
      fields: [{ path: 'spec.replicas', op: 'replace', before: 3, after: 5 }],
    },
    {
      title: 'keys that are not identifiers are quoted',
      before: { metadata: { labels: { 'app.kubernetes.io/name': 'web' } } },
      after: { metadata: { labels: { 'app.kubernetes.io/name': 'api' } } },
      fields: [{ path: 'metadata.labels["app.kubernetes.io/name"]', op: 'replace', before: 'web', after: 'api' }],
    },
    {
      title: 'named list items are paired by name, not index',
      before: { containers: [{ name: 'a', image: 'x:1' }, { name: 'b', image: 'y:1' }] },
      after: { containers: [{ name: 'b', image: 'y:2' }, { name: 'a', image: 'x:1' }] },
      fields: [{ path: 'containers[b].image', op: 'replace', before: 'y:1', after: 'y:2' }],
    },
    {
      title: 'named items added and removed whole',
      before: { env: [{ name: 'A', value: '1' }, { name: 'OLD', value: '0' }] },
      after: { env: [{ name: 'NEW', value: '2' }, { name: 'A', value: '1' }] },
      fields: [
        { path: 'env[NEW]', op: 'add', after: { name: 'NEW', value: '2' } },
        { path: 'env[OLD]', op: 'remove', before: { name: 'OLD', value: '0' } },
      ],
    },
    {
      title: 'names with odd characters are quoted in the path',
      before: { env: [{ name: 'a b', value: '1' }] },
      after: { env: [{ name: 'a b', value: '2' }] },
      fields: [{ path: 'env["a b"].value', op: 'replace', before: '1', after: '2' }],
    },
    {
      title: 'lists without names compare as values: order matters',
      before: { args: ['a', 'b'] },
      after: { args: ['b', 'a'] },
      fields: [{ path: 'args', op: 'replace', before: ['a', 'b'], after: ['b', 'a'] }],
    },
    {
      title: 'lists with duplicate names compare as values',
      before: { volumeMounts: [{ name: 'v', mountPath: '/a' }, { name: 'v', mountPath: '/b' }] },
      after: { volumeMounts: [{ name: 'v', mountPath: '/b' }, { name: 'v', mountPath: '/a' }] },
      fields: [
        {
          path: 'volumeMounts',
          op: 'replace',
          before: [{ name: 'v', mountPath: '/a' }, { name: 'v', mountPath: '/b' }],
          after: [{ name: 'v', mountPath: '/b' }, { name: 'v', mountPath: '/a' }],
        },
      ],
    },
    {
      title: 'resource quantities compare by value',
      before: { resources: { limits: { memory: '1Gi', cpu: '500m' }, requests: { cpu: '0.1' } } },
      after: { resources: { limits: { memory: '1024Mi', cpu: '0.5' }, requests: { cpu: '200m' } } },
      fields: [{ path: 'resources.requests.cpu', op: 'replace', before: '0.1', after: '200m' }],
    },
    {
      title: 'quantity-looking values elsewhere compare as text',
      before: { metadata: { labels: { size: '1Gi' } } },
      after: { metadata: { labels: { size: '1024Mi' } } },
      fields: [{ path: 'metadata.labels.size', op: 'replace', before: '1Gi', after: '1024Mi' }],
    },
    {
      title: 'a type change is a replace',
      before: { targetPort: 8080 },
      after: { targetPort: 'http' },
      fields: [{ path: 'targetPort', op: 'replace', before: 8080, after: 'http' }],
    },
  ])('$title', ({ before, after, fields }) => {
    expect(diffObjects(before, after)).toEqual(fields);
  });

  it('skips ignored paths and everything beneath them', () => {
    const fields = diffObjects({ spec: { a: 1, b: { c: 1 } } }, { spec: { a: 2, b: { c: 2 } } }, new Set(['spec.b']));
    expect(fields).toEqual([{ path: 'spec.a', op: 'replace', before: 1, after: 2 }]);
  });
});

describe('normalizeObject', () => {
  it('drops what Kubernetes serializes as absent and takes the namespace from the key', () => {
    const r: Resource = {
      key: 'ConfigMap/shop/c',
      object: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', labels: {}, annotations: {} },
        data: { b: '2', a: '1' },
        binaryData: {},
      } as AnyObject,
      source: { file: 'c.yaml', line: 1, column: 1 },
    };
    const normalized = normalizeObject(r);
    expect(normalized).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { a: '1', b: '2' } });
    expect(Object.keys(normalized.data as object)).toEqual(['a', 'b']);
  });

  it('keeps empty objects that carry meaning (emptyDir: {})', () => {
    const pod = resource({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'x:1' }], volumes: [{ name: 'v', emptyDir: {} }] },
    } as AnyObject);
    expect((normalizeObject(pod).spec as { volumes: unknown }).volumes).toEqual([{ name: 'v', emptyDir: {} }]);
  });
});

describe('diffResources', () => {
  it('pairs by key and sorts by namespace, kind in dependency order, then name', () => {
    const before = [resource(cm('b', { k: '1' })), resource(cm('gone', { k: '1' })), resource(cm('same', { k: '1' }))];
    const after = [
      resource(cm('same', { k: '1' }, { labels: {} })),
      resource(cm('b', { k: '2' })),
      resource({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'zz' } } as AnyObject, ''),
      resource(cm('a', { k: '1' }), 'other'),
    ];
    const diff = diffResources(before, after);
    expect(diff.changes.map((c) => [c.action, c.key])).toEqual([
      ['create', 'Namespace//zz'],
      ['update', 'ConfigMap/default/b'],
      ['delete', 'ConfigMap/default/gone'],
      ['create', 'ConfigMap/other/a'],
    ]);
    expect(diff.unchanged.map((r) => r.key)).toEqual(['ConfigMap/default/same']);
    expect(diff.changes[1]!.fields).toEqual([{ path: 'data.k', op: 'replace', before: '1', after: '2' }]);
    expect(diff.changes[0]!.fields).toEqual([
      { path: '', op: 'add', after: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'zz' } } },
    ]);
  });

  it('orders keys the same way compareKeys does', () => {
    const keys = ['Deployment/default/a', 'Namespace//x', 'ConfigMap/default/z', 'ConfigMap/a/z', 'Service/default/a'];
    expect([...keys].sort(compareKeys)).toEqual([
      'Namespace//x',
      'ConfigMap/a/z',
      'ConfigMap/default/z',
      'Service/default/a',
      'Deployment/default/a',
    ]);
  });

  it('does not mutate its inputs', () => {
    const before = [resource(cm('c', { k: '1' }, { labels: {} }))];
    const after = [resource(cm('c', { k: '2' }))];
    const snapshot = structuredClone([before, after]);
    diffResources(before, after);
    expect([before, after]).toEqual(snapshot);
  });
});

describe('equivalentObjects (the fast path for unchanged resources)', () => {
  const r = (object: Record<string, unknown>): Resource => ({ key: 'ConfigMap/default/c', object: object as unknown as AnyObject, source: { file: 'c.yaml', line: 1, column: 1 } });
  const fullDiff = (a: Record<string, unknown>, b: Record<string, unknown>) => diffObjects(normalizeObject(r(a)), normalizeObject(r(b)));

  it.each([
    { title: 'empty labels vs none', a: { metadata: { name: 'c', labels: {} } }, b: { metadata: { name: 'c' } }, equivalent: true },
    { title: 'null vs absent', a: { metadata: { name: 'c' }, data: null }, b: { metadata: { name: 'c' } }, equivalent: true },
    { title: 'empty list vs absent', a: { spec: { args: [] } }, b: { spec: {} }, equivalent: true },
    { title: 'namespace spelled out', a: { metadata: { name: 'c', namespace: 'default' } }, b: { metadata: { name: 'c' } }, equivalent: true },
    { title: 'omitempty map holding only nulls', a: { metadata: { name: 'c', labels: { a: null } } }, b: { metadata: { name: 'c' } }, equivalent: true },
    { title: 'named items reordered', a: { env: [{ name: 'A', value: '1' }, { name: 'B' }] }, b: { env: [{ name: 'B' }, { name: 'A', value: '1' }] }, equivalent: true },
    { title: 'emptyDir {} vs absent', a: { volumes: [{ name: 'v', emptyDir: {} }] }, b: { volumes: [{ name: 'v' }] }, equivalent: false },
    { title: 'unnamed items reordered', a: { args: ['a', 'b'] }, b: { args: ['b', 'a'] }, equivalent: false },
    { title: 'a value changed', a: { data: { a: '1' } }, b: { data: { a: '2' } }, equivalent: false },
    { title: 'a key added', a: { data: { a: '1' } }, b: { data: { a: '1', b: '2' } }, equivalent: false },
    // Conservative: quantities respelled are left to the full diff, which finds them equal.
    { title: 'quantity respelled', a: { resources: { limits: { memory: '1Gi' } } }, b: { resources: { limits: { memory: '1024Mi' } } }, equivalent: false },
  ])('$title: $equivalent', ({ a, b, equivalent }) => {
    expect(equivalentObjects(a, b)).toBe(equivalent);
    expect(equivalentObjects(b, a)).toBe(equivalent);
    if (equivalent) expect(fullDiff(a, b)).toEqual([]);
  });

  it('never calls two objects equivalent that the full diff tells apart (random edits of fixture resources)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const edits: Array<(v: unknown) => unknown> = [() => null, () => [], () => ({}), () => undefined, () => 'x', () => 0, (v) => (Array.isArray(v) ? [...v].reverse() : v)];
    const cases = ['rollouts', 'config-restart', 'services', 'secret-change', 'batch'].flatMap((n) => loadFixtureResources(n, 'from'));
    let checked = 0;
    for (let round = 0; round < 2000; round++) {
      const original = pick(cases).object as unknown as Record<string, unknown>;
      const edited = structuredClone(original);
      // Walk to a random place and apply a random edit there.
      let node: Record<string, unknown> = edited;
      for (let depth = 0; depth < 8; depth++) {
        const keys = Object.keys(node);
        if (keys.length === 0) break;
        const k = pick(keys);
        const child = node[k];
        if (random() < 0.3 || child === null || typeof child !== 'object') {
          node[k] = pick(edits)(child);
          break;
        }
        node = (Array.isArray(child) ? (child.length ? pick(child) : {}) : child) as Record<string, unknown>;
        if (node === null || typeof node !== 'object') break;
      }
      if (equivalentObjects(original, edited)) {
        expect(fullDiff(original, edited)).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});
