import { describe, expect, it } from 'vitest';
import { createdOf, generationOf, itemMeta, ownerReference, uidOf } from '../../src/runtime/views/meta.js';

const meta = (createdAt: number | undefined) => itemMeta({ app: 'a', kind: 'Deployment', namespace: 'default', name: 'web', createdAt: createdAt ?? 500, ...(createdAt === undefined ? {} : { incarnation: createdAt }) });

describe('uid per incarnation, creationTimestamp and generation from the stored entry', () => {
  it.each([
    ['an update (same creation time) keeps the uid', 1000, 1000, true],
    ['a delete and re-create (new creation time) gets a new uid', 1000, 7000, false],
  ])('%s', (_name, before, after, same) => {
    expect(meta(before).uid === meta(after).uid).toBe(same);
  });

  it.each([1000, undefined])("an owner's reference carries the uid its own metadata shows (incarnation %s)", (createdAt) => {
    expect(ownerReference('a', 'Deployment', 'default', 'web', createdAt).uid).toBe(meta(createdAt).uid);
  });

  it('without an incarnation (derived objects) the uid is the key-stable one', () => {
    expect(meta(undefined).uid).toBe(uidOf('a', 'Deployment/default/web'));
  });

  it.each([
    [{ appliedAt: 9000, createdAt: 1000 }, 1000],
    [{ appliedAt: 9000 }, 9000],
  ])('creationTimestamp of %o is %i', (entry, want) => {
    expect(createdOf(entry)).toBe(want);
  });

  it.each([
    [{ generation: 4 }, 4],
    [{}, 1],
    [undefined, 1],
  ])('generation of %o is %i', (entry, want) => {
    expect(generationOf(entry)).toBe(want);
  });
});
