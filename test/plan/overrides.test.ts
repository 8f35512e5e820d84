import { describe, expect, it } from 'vitest';
import { specHash } from '../../src/model/hash.js';
import type { AnyObject, Resource } from '../../src/model/types.js';
import { liftReplicaOverrides, scaleDivergences, withReplicaOverrides } from '../../src/plan/overrides.js';

const deploy = (replicas: number, image = 'web:1'): Resource => ({
  key: 'Deployment/shop/web',
  object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas, template: { spec: { containers: [{ name: 'web', image }] } } } } as unknown as AnyObject,
  source: { file: 'web.yaml', line: 1, column: 1 },
});
const cm: Resource = { key: 'ConfigMap/shop/web', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'shop' } } as AnyObject, source: { file: 'cm.yaml', line: 1, column: 1 } };
const applied = (r: Resource) => ({ key: r.key, specHash: specHash(r.object) });
const scaled = new Map([['Deployment/shop/web', 4]]);

describe('withReplicaOverrides: the objects as they run', () => {
  it('replaces spec.replicas of a scaled workload only, and leaves the input alone', () => {
    const input = [deploy(2), cm];
    const out = withReplicaOverrides(input, new Map([...scaled, ['ConfigMap/shop/web', 9]]));
    expect((out[0]!.object as { spec: { replicas: number } }).spec.replicas).toBe(4);
    expect(out[1]).toBe(cm);
    expect((input[0]!.object as { spec: { replicas: number } }).spec.replicas).toBe(2);
  });
});

describe('liftReplicaOverrides: how long a scale lasts (D2)', () => {
  it.each<{ name: string; revision: Resource[]; inventory: Resource[]; kept: boolean }>([
    { name: 'the same object applied again (apply of the unchanged source, a daemon resync) keeps it', revision: [deploy(2), cm], inventory: [deploy(2), cm], kept: true },
    { name: 'a revision that changes another object keeps it', revision: [deploy(2)], inventory: [deploy(2), cm], kept: true },
    { name: 'a changed replica count in the source lifts it', revision: [deploy(3)], inventory: [deploy(2)], kept: false },
    { name: 'a changed template lifts it', revision: [deploy(2, 'web:2')], inventory: [deploy(2)], kept: false },
    { name: 'an object applied anew (deleted and applied again) lifts it', revision: [deploy(2)], inventory: [], kept: false },
    { name: 'a revision without the object keeps it (not pruned yet)', revision: [cm], inventory: [deploy(2), cm], kept: true },
  ])('$name', ({ revision, inventory, kept }) => {
    const out = liftReplicaOverrides(revision, inventory.map(applied), scaled);
    expect(out.kept.has('Deployment/shop/web')).toBe(kept);
    expect(out.changes).toEqual(kept ? [] : [{ type: 'clear-override', deployment: 'Deployment/shop/web', kind: 'replicas' }]);
  });
});

describe('scaleDivergences: the scales the live diff lists as kept on purpose', () => {
  const rs: Resource = { key: 'ReplicaSet/shop/cache', object: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'cache', namespace: 'shop' }, spec: {} } as unknown as AnyObject, source: { file: 'rs.yaml', line: 1, column: 1 } };
  it.each<{ name: string; resources: Resource[]; kept: Map<string, number>; want: string[] }>([
    { name: 'a count other than the manifest\'s diverges', resources: [deploy(2), cm], kept: scaled, want: ['Deployment/shop/web scaled to 4 by berth scale (the manifest says 2) until the manifest changes'] },
    { name: 'a scale to the manifest\'s own count diverges from nothing', resources: [deploy(4)], kept: scaled, want: [] },
    { name: 'no scale in force (lifted by a changed manifest), no divergence', resources: [deploy(2)], kept: new Map(), want: [] },
    { name: 'a ReplicaSet without spec.replicas counts as 1', resources: [rs], kept: new Map([['ReplicaSet/shop/cache', 0]]), want: ['ReplicaSet/shop/cache scaled to 0 by berth scale (the manifest says 1) until the manifest changes'] },
    { name: 'a kind berth scale does not scale is never listed', resources: [cm], kept: new Map([['ConfigMap/shop/web', 3]]), want: [] },
    { name: 'a scaled object this revision no longer holds is not listed (nothing to diverge from)', resources: [cm], kept: scaled, want: [] },
  ])('$name', ({ resources, kept, want }) => {
    const out = scaleDivergences(resources, kept);
    expect(out.map((d) => `${d.deployment} ${d.message}`)).toEqual(want);
    expect(out.every((d) => d.reason === 'scaled')).toBe(true);
  });
});
