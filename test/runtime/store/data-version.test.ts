import { describe, expect, it } from 'vitest';
import { storeHarness } from './harness.js';

const h = storeHarness();
const entry = (name: string) => ({ key: `Pod/default/${name}`, kind: 'Pod', namespace: 'default', name, specHash: `h-${name}`, object: { name } });

/** `get -w` looks again when another process commits: the marker it polls. */
describe('the store change marker (dataVersion)', () => {
  it.each([
    { name: 'another connection commits: it moves', writer: 'other' as const, moves: true },
    { name: 'this connection commits: it stays (own writes are known)', writer: 'self' as const, moves: false },
    { name: 'nobody commits: it stays', writer: 'none' as const, moves: false },
  ])('$name', ({ writer, moves }) => {
    const dir = h.tempDir();
    const { store: watcher } = h.open({ dir });
    const { store: other } = h.open({ dir });
    const before = watcher.dataVersion();
    if (writer === 'other') other.upsertInventory('app', entry('web'), { sourceRevision: 'r1' });
    if (writer === 'self') watcher.upsertInventory('app', entry('web'), { sourceRevision: 'r1' });
    expect(watcher.dataVersion() !== before).toBe(moves);
  });
});
