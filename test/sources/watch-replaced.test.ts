import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/runtime/clock.js';
import type { Revision } from '../../src/model/revision.js';
import { watchFolder, type WatchEvent } from '../../src/sources/watch.js';
import { makeTempDir } from '../support/git-server.js';

vi.setConfig({ testTimeout: 30_000 });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a folder replaced (rm -rf + mkdir + write, as the e2e harness write does) is still watched afterwards', async () => {
  const t = await makeTempDir('berth-watch-');
  cleanups.push(t.cleanup);
  const dir = join(t.path, 'manifests');
  await mkdir(dir);
  await writeFile(join(dir, 'web.yaml'), 'v: 1\n');
  const revs: Revision[] = [];
  const events: WatchEvent[] = [];
  const errors: unknown[] = [];
  const w = await watchFolder({ dir, clock: systemClock, debounceMs: 200, onRevision: (r) => revs.push(r), onError: (e) => errors.push(e), onEvent: (e) => events.push(e) });
  cleanups.push(() => w.close());
  const replace = async (files: Record<string, string>) => {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const [n, c] of Object.entries(files)) await writeFile(join(dir, n), c);
  };
  await replace({ 'web.yaml': 'v: 2\n' });
  await sleep(1500);
  const afterFirst = { revs: revs.length, events: events.map((e) => `${e.type} ${e.path}`), errors: errors.length };
  await writeFile(join(dir, 'other.yaml'), 'v: cm\n');
  await sleep(1500);
  console.log(JSON.stringify({ afterFirst, final: { revs: revs.length, events: events.map((e) => `${e.type} ${e.path}`), errors: errors.length } }));
  expect(afterFirst.revs).toBe(2);
  expect(revs).toHaveLength(3);
});
