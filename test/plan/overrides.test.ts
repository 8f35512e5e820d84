import { describe, expect, it } from 'vitest';
import { specHash } from '../../src/model/hash.js';
import type { AnyObject, Resource } from '../../src/model/types.js';
import { liftReplicaOverrides, withReplicaOverrides } from '../../src/plan/overrides.js';

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
