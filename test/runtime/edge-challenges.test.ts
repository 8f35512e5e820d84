import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import { packRootfs } from '../../src/apply/images/rootfs.js';
import type { EdgeStatus } from '../../src/dataplane/protocol.js';
import { PROTOCOL_FORMAT } from '../../src/dataplane/protocol.js';
import { edgeChallengePublisher, heldByAnotherApp } from '../../src/runtime/edge-challenges.js';
import { FakeClock } from '../support/fake-clock.js';

/**
 * The edge answers every app's HTTP-01 tokens for any host, so berth publishes a token only for
 * a name no other app holds there: else app A could get a publicly trusted certificate, key
 * and all, for the host app B serves.
 */
function status(apps: Record<string, string[]>): EdgeStatus {
  return {
    format: PROTOCOL_FORMAT,
    kind: 'edge',
    generation: 1,
    checksum: null,
    appliedAt: null,
    apps: Object.fromEntries(Object.entries(apps).map(([a, hosts]) => [a, { generation: 1, checksum: null, appliedAt: null, errors: [], hosts, conflicts: [] }])),
    endpoints: [],
    routes: [],
    certificates: [],
  } as unknown as EdgeStatus;
}

describe('heldByAnotherApp', () => {
  it.each<[string, EdgeStatus | undefined, string, string | undefined]>([
    ['no status yet', undefined, 'b.test', undefined],
    ['nobody holds it', status({ a: ['a.test'] }), 'b.test', undefined],
    ['this app holds it', status({ a: ['a.test'] }), 'a.test', undefined],
    ['another app holds it', status({ a: ['a.test'], b: ['b.test'] }), 'b.test', 'b'],
    ['another app holds it, asked in other case with a trailing dot', status({ b: ['b.test'] }), 'B.Test.', 'b'],
    ['another app holds a wildcard over it (an exact host is routed first)', status({ b: ['*.b.test'] }), 'x.b.test', undefined],
  ])('%s', (_what, s, identifier, want) => {
    expect(heldByAnotherApp(s, 'a', identifier)).toBe(want);
  });
});

describe('edgeChallengePublisher', () => {
  it('refuses a token for a host another app holds on the edge, and uploads nothing', async () => {
    const tarball = await packRootfs([{ type: 'file', path: 'status.json', content: Buffer.from(JSON.stringify(status({ a: ['a.test'], b: ['b.test'] }))), mode: 0o644 }]);
    const uploads: string[] = [];
    const container = { getArchive: async () => Readable.from([tarball]), putArchive: async () => void uploads.push('put') };
    const docker = { api: { getContainer: () => container } } as unknown as DockerClient;
    const publisher = edgeChallengePublisher({ docker, store: { getAppliedPolicy: () => undefined }, clock: new FakeClock() }, 'a');
    await expect(publisher.publish('tok', 'tok.abc', 'b.test')).rejects.toThrow('host b.test is held by app b on edge berth-edge-80-443');
    expect(uploads).toEqual([]);
    await publisher.publish('tok', 'tok.abc', 'a.test');
    expect(uploads).toEqual(['put']);
  });
});
