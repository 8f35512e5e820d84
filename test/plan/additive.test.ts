import { describe, expect, it } from 'vitest';
import { specHash } from '../../src/model/hash.js';
import type { PruneScope } from '../../src/model/prune-scope.js';
import { inPruneScope } from '../../src/model/prune-scope.js';
import { parseSelector } from '../../src/model/selectors.js';
import type { InventoryEntry } from '../../src/model/state.js';
import type { Resource } from '../../src/model/types.js';
import { additiveSet, keptByApply } from '../../src/plan/additive.js';
import { res } from '../support/builders.js';

function configMap(name: string, labels: Record<string, string> = {}): Resource {
  return res({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } });
}
function secret(name: string, labels: Record<string, string> = {}): Resource {
  return res({ apiVersion: 'v1', kind: 'Secret', metadata: { name, labels }, stringData: { k: name } });
}
function entry(r: Resource): InventoryEntry {
  const { kind, metadata } = r.object;
  return { key: r.key, kind, namespace: metadata.namespace ?? '', name: metadata.name, specHash: specHash(r.object), object: r.object, sourceRevision: 'r0', appliedAt: 0 };
}

const a = configMap('a', { app: 'x' });
const b = configMap('b', { app: 'x' });
const c = secret('c', { app: 'y' });
const app = [entry(a), entry(b), entry(c)];
const names = (rs: readonly Resource[]) => rs.map((r) => r.object.metadata.name);

describe('additiveSet: apply -f joins the app, a prune deletes only what its scope holds', () => {
  it.each<[string, Resource[], { prune: boolean; scope?: PruneScope }, string[], string[], number]>([
    ['one file, no prune: the rest of the app kept', [a], { prune: false }, ['a', 'b', 'c'], ['b', 'c'], 0],
    ['one file changed, no prune: nothing else reported', [configMap('a', { v: '2' })], { prune: false }, ['a', 'b', 'c'], ['b', 'c'], 0],
    ['a new object joins the app', [configMap('d')], { prune: false }, ['d', 'a', 'b', 'c'], ['a', 'b', 'c'], 0],
    ['--prune --all: the whole app, what it lacks goes', [a, b], { prune: true }, ['a', 'b'], [], 1],
    ['--prune -l app=x: only labelled objects go', [a], { prune: true, scope: { selector: parseSelector('app=x') } }, ['a', 'c'], ['c'], 1],
    ['--prune --prune-allowlist Secret: only Secrets go', [a], { prune: true, scope: { kinds: ['Secret'] } }, ['a', 'b'], ['b'], 1],
    ['both scopes: kind and labels', [a], { prune: true, scope: { kinds: ['Secret'], selector: parseSelector('app=x') } }, ['a', 'b', 'c'], ['b', 'c'], 0],
    ['-l filters the applied objects too (kubectl apply -l)', [a, configMap('e', { app: 'z' })], { prune: false, scope: { selector: parseSelector('app=x') } }, ['a', 'b', 'c'], ['b', 'c'], 0],
  ])('%s', (_name, applied, o, want, kept, pruned) => {
    const set = additiveSet(applied, app, o);
    expect(names(set.resources)).toEqual(want);
    expect([...set.kept].map((k) => k.split('/').pop())).toEqual(kept);
    expect(set.pruned).toBe(pruned);
  });

  it('a StatefulSet’s generated claim is left to its set (never kept or counted here)', () => {
    const claim = res({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-db-0', annotations: { 'berth.dev/statefulset': 'db' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    const set = additiveSet([a], [entry(a), entry(claim)], { prune: true });
    expect(names(set.resources)).toEqual(['a']);
    expect(set.pruned).toBe(0);
  });
});

describe('inPruneScope', () => {
  it.each<[string, PruneScope | undefined, string, Record<string, string> | undefined, boolean]>([
    ['no scope: everything', undefined, 'ConfigMap', undefined, true],
    ['kind listed', { kinds: ['ConfigMap'] }, 'ConfigMap', undefined, true],
    ['kind not listed', { kinds: ['Secret'] }, 'ConfigMap', undefined, false],
    ['selector matches', { selector: parseSelector('app=x') }, 'ConfigMap', { app: 'x' }, true],
    ['selector misses unlabelled', { selector: parseSelector('app=x') }, 'ConfigMap', undefined, false],
  ])('%s', (_name, scope, kind, labels, want) => {
    expect(inPruneScope(scope, kind, labels)).toBe(want);
  });
});

describe('keptByApply: what an apply is validated against besides its files', () => {
  it.each<[string, { prune: boolean; scope?: PruneScope }, string[]]>([
    ['no prune: the whole app (its files replace what they define again)', { prune: false }, ['a', 'b', 'c']],
    ['--prune --all: nothing, the files are the whole app', { prune: true }, []],
    ['--prune -l app=x: what the prune cannot take', { prune: true, scope: { selector: parseSelector('app=x') } }, ['c']],
    ['--prune --prune-allowlist Secret: all but Secrets', { prune: true, scope: { kinds: ['Secret'] } }, ['a', 'b']],
  ])('%s', (_name, o, want) => {
    expect(keptByApply(app, o).map((x) => x.metadata.name)).toEqual(want);
  });
});
