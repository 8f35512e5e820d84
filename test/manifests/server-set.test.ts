import { describe, expect, it } from 'vitest';
import { validateRevision } from '../../src/manifests/index.js';
import { SERVER_SET_ANNOTATIONS } from '../../src/manifests/server-set.js';
import { specHash } from '../../src/model/hash.js';
import { files } from './support.js';

// A manifest saved from `get -o yaml` and applied again: what a server wrote is not the
// author's, so the object (and its spec hash: `unchanged`) is the one the manifest alone gives.
const authored = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'team.example/owner': 'ops' } },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } } },
};
const metaOf = (extra: Record<string, unknown>, annotations: Record<string, string> = {}) => ({
  ...authored,
  metadata: { ...authored.metadata, ...extra, annotations: { ...authored.metadata.annotations, ...annotations } },
});
const resultOf = (o: unknown) => validateRevision(files({ 'x.yaml': JSON.stringify(o) }));
const hashOf = (o: unknown) => specHash(resultOf(o).resources[0]!.object);

describe('server-set fields and annotations: dropped quietly, as kubectl reads a round trip', () => {
  it.each([
    ...SERVER_SET_ANNOTATIONS.map((a) => ({ name: `annotation ${a}`, object: metaOf({}, { [a]: a === 'kubectl.kubernetes.io/last-applied-configuration' ? '{"kind":"Deployment"}' : '2' }) })),
    { name: 'uid, resourceVersion, generation, creationTimestamp, managedFields', object: metaOf({ uid: 'u-1', resourceVersion: '12', generation: 3, creationTimestamp: '2026-12-05T10:00:00Z', managedFields: [{ manager: 'kubectl' }] }) },
    { name: 'status', object: { ...authored, status: { replicas: 1, readyReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] } } },
    {
      name: 'all of them at once, as `get -o yaml` prints them',
      object: { ...metaOf({ uid: 'u-1', generation: 1, creationTimestamp: '2026-12-05T10:00:00Z' }, { 'berth.dev/source-revision': '09e3b8b4f773', 'deployment.kubernetes.io/revision': '2' }), status: { replicas: 1 } },
    },
  ])('$name', ({ object }) => {
    expect(resultOf(object).problems).toEqual([]);
    expect(hashOf(object)).toBe(hashOf(authored));
  });

  it('an author annotation map holding only server-set ones is no map at all (the same hash as none)', () => {
    const bare = { ...authored, metadata: { name: 'web', labels: { app: 'web' } } };
    const roundTrip = { ...bare, metadata: { ...bare.metadata, annotations: { 'berth.dev/source-revision': 'abc' } } };
    expect(resultOf(roundTrip).resources[0]!.object.metadata.annotations).toEqual(resultOf(bare).resources[0]!.object.metadata.annotations);
    expect(hashOf(roundTrip)).toBe(hashOf(bare));
  });

  it("the author's own annotations stay", () => {
    expect(resultOf(metaOf({}, { 'berth.dev/source-revision': 'abc' })).resources[0]!.object.metadata.annotations).toEqual({ 'team.example/owner': 'ops' });
  });
});
