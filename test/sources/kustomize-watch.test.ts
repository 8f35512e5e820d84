import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { contentRevisionId, type Revision } from '../../src/model/revision.js';
import { readPath } from '../../src/sources/folder.js';
import { buildBoundary, fetchBuildInputs, folderLookup } from '../../src/sources/kustomize-read.js';
import { watchFolder, type WatchEvent } from '../../src/sources/watch.js';
import { FakeClock } from '../support/fake-clock.js';
import { makeTempDir } from '../support/git-server.js';
import { fakeWanted } from '../support/kustomize-fake.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const DEBOUNCE = 300;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** readPath with the fake build's wants fetched, as readPath does with the real build's. */
async function readWithFakeBuild(dir: string): Promise<Revision> {
  const rev = await readPath(dir);
  const real = await realpath(dir);
  const { files } = await fetchBuildInputs(rev.files, folderLookup(real, buildBoundary(real)), fakeWanted);
  return { ...rev, id: contentRevisionId(files), files };
}

describe('watchFolder and files a kustomization reads from outside the folder', () => {
  it('re-reads when a base outside the folder changes, and watches nothing the build did not read from', async () => {
    const t = await makeTempDir('berth-kwatch-');
    cleanups.push(t.cleanup);
    const root = t.path;
    for (const [p, c] of Object.entries({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'base/kustomization.yaml': 'deploy.yaml\n',
      'base/deploy.yaml': 'v: 1\n',
      'unrelated/x.yaml': 'u: 1\n',
      'overlays/a/kustomization.yaml': '../../base\n',
    })) {
      await mkdir(join(root, p, '..'), { recursive: true });
      await writeFile(join(root, p), c);
    }
    const clock = new FakeClock();
    const revs: Revision[] = [];
    const events: WatchEvent[] = [];
    const errors: unknown[] = [];
    let reads = 0;
    const watcher = await watchFolder({
      dir: join(root, 'overlays/a'),
      clock,
      debounceMs: DEBOUNCE,
      onRevision: (r) => revs.push(r),
      onError: (e) => errors.push(e),
      onEvent: (e) => events.push(e),
      onRead: () => reads++,
      read: readWithFakeBuild,
    });
    cleanups.push(() => watcher.close());
    const files = (r: Revision | undefined) => Object.fromEntries((r?.files ?? []).map((f) => [f.path, f.content.toString()]));
    expect(files(revs[0])).toEqual({ 'kustomization.yaml': '../../base\n', '../../base/kustomization.yaml': 'deploy.yaml\n', '../../base/deploy.yaml': 'v: 1\n' });

    // A directory outside that the build does not read: no event.
    await writeFile(join(root, 'unrelated/x.yaml'), 'u: 2\n');
    // The base's own file: an event, then a new revision once the debounce passes.
    await writeFile(join(root, 'base/deploy.yaml'), 'v: 2\n');
    await waitFor(() => events.some((e) => e.path === '../../base/deploy.yaml'), 'the base edit seen');
    await clock.advance(DEBOUNCE);
    await waitFor(() => revs.length === 2, 'a revision with the new base');
    expect(files(revs[1])['../../base/deploy.yaml']).toBe('v: 2\n');
    expect(events.filter((e) => e.path.includes('unrelated'))).toEqual([]);

    // A file the base's kustomization starts to name, added next to it: read in.
    await writeFile(join(root, 'base/extra.yaml'), 'e: 1\n');
    await writeFile(join(root, 'base/kustomization.yaml'), 'deploy.yaml\nextra.yaml\n');
    await waitFor(() => events.some((e) => e.path === '../../base/kustomization.yaml'), 'the base kustomization edit seen');
    await clock.advance(DEBOUNCE);
    await waitFor(() => revs.length === 3, 'a revision with the extra file');
    expect(files(revs[2])['../../base/extra.yaml']).toBe('e: 1\n');
    expect(errors).toEqual([]);
    expect(reads).toBeGreaterThanOrEqual(3);
  });
});
