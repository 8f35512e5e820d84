import { describe, expect, it } from 'vitest';
import { generationContentHash, nextObjectMeta, type ObjectMetaRecord } from '../../src/model/object-meta.js';

const dep = (image: string, labels: Record<string, string> = {}, status?: unknown) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image }] } } },
  ...(status ? { status } : {}),
});
const rec = (createdAt: number, generation: number, object: unknown): ObjectMetaRecord => ({ createdAt, generation, contentHash: generationContentHash(object) });

describe('object metadata rules (creationTimestamp set once, generation counts spec changes)', () => {
  it.each([
    ['create', undefined, dep('a'), 500, { createdAt: 500, generation: 1 }],
    ['same object again', rec(100, 1, dep('a')), dep('a'), 500, { createdAt: 100, generation: 1 }],
    ['spec change', rec(100, 1, dep('a')), dep('b'), 500, { createdAt: 100, generation: 2 }],
    ['third spec change', rec(100, 4, dep('b')), dep('c'), 500, { createdAt: 100, generation: 5 }],
    ['labels only (metadata)', rec(100, 2, dep('a')), dep('a', { tier: 'web' }), 500, { createdAt: 100, generation: 2 }],
    ['status only', rec(100, 2, dep('a')), dep('a', {}, { replicas: 3 }), 500, { createdAt: 100, generation: 2 }],
    ['ConfigMap data change', rec(100, 1, { kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '1' } }), { kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '2' } }, 500, { createdAt: 100, generation: 2 }],
    ['row from before v13 (hash unknown): no bump', { createdAt: 100, generation: 1, contentHash: undefined }, dep('b'), 500, { createdAt: 100, generation: 1 }],
  ])('%s', (_name, previous, object, now, want) => {
    const got = nextObjectMeta(previous, object, now);
    expect({ createdAt: got.createdAt, generation: got.generation }).toEqual(want);
    expect(got.contentHash).toBe(generationContentHash(object));
  });

  it('a re-create after a delete (no previous record) starts over', () => {
    expect(nextObjectMeta(undefined, dep('b'), 900)).toEqual({ createdAt: 900, generation: 1, contentHash: generationContentHash(dep('b')) });
  });
});
