import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DockerClient } from '../../../src/apply/docker.js';
import type { MountTool } from '../../../src/apply/volumes/bind-mount.js';
import { unescapeMountinfo } from '../../../src/apply/volumes/bind-mount.js';
import { makeSafeMount, pruneSafeMounts, removePodSafeMounts } from '../../../src/apply/volumes/safe-mounts.js';
import { BerthError } from '../../../src/model/errors.js';

/**
 * Cleanup of berth's bind directory, over a fake mount table (the real mounts are proven in
 * test/e2e/security-volumes.test.ts): idempotent, never a recursive delete, only what is stale.
 */
let root: string;
let mounted: Set<string>;
let unmounted: string[];
const tool: MountTool = {
  bindFd: async () => undefined,
  tmpfs: async () => undefined,
  unmount: async (target) => {
    if (mounted.delete(target)) unmounted.push(target);
  },
  mountpoints: async () => new Set(mounted),
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-safe-mounts-'));
  mounted = new Set();
  unmounted = [];
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function bound(...parts: string[]): Promise<string> {
  const p = join(root, ...parts);
  await mkdir(p, { recursive: true });
  mounted.add(p);
  return p;
}

describe('removePodSafeMounts', () => {
  it('unmounts every bind of the pod, then removes its directories and the emptied ones above', async () => {
    const a = await bound('app', 'ns', 'web', 'c1', '0');
    const b = await bound('app', 'ns', 'web', 'c2', '3');
    const file = join(root, 'app', 'ns', 'web', 'c2', '4');
    await writeFile(file, '');
    mounted.add(file);
    const other = await bound('app', 'ns', 'db', 'c', '0');
    await removePodSafeMounts({ root, mount: tool }, 'app', 'ns', 'web');
    expect(unmounted.sort()).toEqual([a, b, file].sort());
    expect(await readdir(join(root, 'app', 'ns'))).toEqual(['db']);
    expect(mounted).toEqual(new Set([other]));
    // Again, and for a pod that never had binds: nothing to do, no error.
    await removePodSafeMounts({ root, mount: tool }, 'app', 'ns', 'web');
    await removePodSafeMounts({ root, mount: tool }, 'app', 'ns', 'never');
    await removePodSafeMounts({ root, mount: tool }, 'app', 'ns', 'db');
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses to remove a bind directory that is still mounted, rather than delete through it', async () => {
    const stuck = await bound('app', 'ns', 'web', 'c', '0');
    await writeFile(join(stuck, 'volume-file'), 'data');
    const failing: MountTool = { ...tool, unmount: async () => undefined };
    await expect(removePodSafeMounts({ root, mount: failing }, 'app', 'ns', 'web')).rejects.toMatchObject({ code: 'VOLUME_ERROR', data: { reason: 'mount-failed' } });
    expect(await readdir(stuck)).toEqual(['volume-file']);
  });
});

describe('pruneSafeMounts', () => {
  it('removes the binds of pods that are gone and keeps those of live pods', async () => {
    await bound('app', 'ns', 'gone', 'c', '0');
    const live = await bound('app', 'ns', 'live', 'c', '0');
    await bound('app', 'other', 'gone2', 'c', '1');
    const otherApp = await bound('app2', 'ns', 'gone', 'c', '0');
    await pruneSafeMounts({ root, mount: tool }, 'app', new Set(['ns/live']));
    expect(mounted).toEqual(new Set([live, otherApp]));
    expect(await readdir(join(root, 'app'))).toEqual(['ns']);
  });

  it('does nothing for an app that has no binds', async () => {
    await pruneSafeMounts({ root, mount: tool }, 'none', new Set());
    expect(unmounted).toEqual([]);
  });
});

describe('makeSafeMount', () => {
  it('fails closed with VOLUME_ERROR when berth cannot prepare its bind directory', async () => {
    const docker = {} as DockerClient; // never reached
    // A file where the directory should be (as a read-only /run would refuse it).
    await writeFile(join(root, 'file'), '');
    const unusable = join(root, 'file', 'subpaths');
    const err = await makeSafeMount(
      { docker, root: unusable, mount: tool },
      { target: join(unusable, 'a/n/p/c/0'), source: { volume: 'v', subPath: 'x' }, describe: 'subPath "x" of volume "v"' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BerthError);
    expect(err).toMatchObject({ code: 'VOLUME_ERROR', data: { reason: 'mount-failed' } });
  });
});

describe('makeSafeMount: what a refusal names as the root', () => {
  // Issue 11 review, finding 6: a hostPath leaving its allowed prefix said "escape the volume
  // root", where the root it must stay below is the operator's prefix.
  it('a hostPath must not escape the allowed host path prefix, named by its path', async () => {
    const prefix = join(root, 'prefix');
    await mkdir(prefix);
    await symlink('/', join(prefix, 'escape'));
    const err = await makeSafeMount(
      { docker: {} as DockerClient, root: join(root, 'binds'), mount: tool },
      { target: join(root, 'binds', 'a/n/p/c/0'), source: { hostPath: join(prefix, 'escape', 'etc'), prefix }, describe: 'hostPath volume "h" (container c of pod n/p)' },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'VOLUME_ERROR',
      data: { reason: 'escapes-root' },
      message: `hostPath volume "h" (container c of pod n/p): hostPath ${JSON.stringify(join(prefix, 'escape', 'etc'))} must not escape the allowed host path prefix ${prefix} (symlink "escape" leads outside it)`,
    });
  });
});

describe('unescapeMountinfo', () => {
  it.each([
    ['/run/berth/subpaths/a', '/run/berth/subpaths/a'],
    ['/mnt/with\\040space', '/mnt/with space'],
    ['/a\\134b', '/a\\b'],
  ])('%s → %s', (field, want) => {
    expect(unescapeMountinfo(field)).toBe(want);
  });
});
