import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolveOptions } from '../../../src/apply/volumes/safe-path.js';
import { beneath, openInRoot } from '../../../src/apply/volumes/safe-path.js';
import { hostPathPrefix, safeMountTarget } from '../../../src/apply/volumes/safe-mounts.js';
import { BerthError } from '../../../src/model/errors.js';

/**
 * The resolution itself, on real directories: a root (the volume) beside a directory it must
 * never reach (the host). Each row names a path inside the root and what it must resolve to,
 * or the reason it is refused.
 */
let base: string;
let root: string;
let outside: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'berth-safe-path-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(join(root, 'a', 'b'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'secret'), 'host');
  await writeFile(join(root, 'a', 'file'), 'in');
  await mkdir(join(root, 'releases', 'v1'), { recursive: true });
  await symlink('/', join(root, 'slash'));
  await symlink(outside, join(root, 'abs-out'));
  await symlink('..', join(root, 'dotdot'));
  await symlink('../outside', join(root, 'rel-out'));
  await symlink('../../..', join(root, 'a', 'up3'));
  await symlink('releases/v1', join(root, 'current'));
  await symlink('../releases/v1', join(root, 'a', 'current'));
  await symlink(join(root, 'releases'), join(root, 'abs-in'));
  await symlink('.', join(root, 'self'));
  await symlink('loop2', join(root, 'loop1'));
  await symlink('loop1', join(root, 'loop2'));
  await symlink('a/../a/b', join(root, 'dots-in'));
  await symlink('missing/deeper', join(root, 'dangling'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const opts = (o: Partial<ResolveOptions> = {}): ResolveOptions => ({ create: 'none', symlinks: 'within-root', describe: 'subPath', ...o });

/** The canonical host path of what was opened, relative to the root (or the error's reason). */
async function resolve(rel: string, o: Partial<ResolveOptions> = {}): Promise<{ at: string; type: string } | { reason: unknown }> {
  try {
    const r = await openInRoot(root, rel, opts(o));
    try {
      const at = await readlink(`/proc/self/fd/${r.handle.fd}`);
      return { at: at === root ? '.' : at.startsWith(`${root}/`) ? at.slice(root.length + 1) : `OUTSIDE:${at}`, type: r.type };
    } finally {
      await r.handle.close();
    }
  } catch (err) {
    if (err instanceof BerthError && err.code === 'VOLUME_ERROR') return { reason: err.data.reason };
    throw err;
  }
}

describe('openInRoot', () => {
  it.each([
    ['a plain directory', 'a/b', { at: 'a/b', type: 'directory' }],
    ['a file', 'a/file', { at: 'a/file', type: 'file' }],
    ['the root itself', '', { at: '.', type: 'directory' }],
    ['empty and . components', './a//b/', { at: 'a/b', type: 'directory' }],
    ['a relative link inside the root', 'current', { at: 'releases/v1', type: 'directory' }],
    ['a relative link climbing back but staying inside', 'a/current', { at: 'releases/v1', type: 'directory' }],
    ['an absolute link naming a path below the root', 'abs-in/v1', { at: 'releases/v1', type: 'directory' }],
    ['a link to the root itself', 'self/a', { at: 'a', type: 'directory' }],
    ['.. inside a link target that stays inside', 'dots-in', { at: 'a/b', type: 'directory' }],
    ['a FIFO (opened O_PATH: never blocks)', 'fifo', { at: 'fifo', type: 'fifo' }],
    // The attacks: every one must be refused, none may open anything outside.
    ['ln -s / (the reported attack)', 'slash', { reason: 'escapes-root' }],
    ['a path through ln -s /', 'slash{outside}', { reason: 'escapes-root' }],
    ['an absolute link out of the root', 'abs-out/secret', { reason: 'escapes-root' }],
    ['a link to ..', 'dotdot/outside/secret', { reason: 'escapes-root' }],
    ['a relative link out of the root', 'rel-out', { reason: 'escapes-root' }],
    ['a link deep inside climbing above the root', 'a/up3', { reason: 'escapes-root' }],
    ['a symlink loop', 'loop1', { reason: 'too-many-links' }],
    ['a missing path, nothing created', 'nope/x', { reason: 'not-found' }],
    ['a file used as a directory', 'a/file/x', { reason: 'not-a-directory' }],
  ])('%s: %s', async (_name, rel, want) => {
    expect(await resolve(rel.replace('{outside}', outside))).toEqual(want);
  });

  it.each([
    ['an in-root link', 'current'],
    ['an escaping link', 'slash'],
  ])('refuses %s when symlinks are refused (hostPath with no known prefix)', async (_name, rel) => {
    expect(await resolve(rel, { symlinks: 'refuse' })).toEqual({ reason: 'symlink-refused' });
  });

  it('creates a missing subPath as directories, inside the root only', async () => {
    expect(await resolve('made/x/y', { create: 'directory', mode: 0o750 })).toEqual({ at: 'made/x/y', type: 'directory' });
    expect((await lstat(join(root, 'made', 'x'))).mode & 0o777).toBe(0o750 & ~process.umask());
    // A dangling link inside the root: its target is created where the link points (inside).
    expect(await resolve('dangling', { create: 'directory' })).toEqual({ at: 'missing/deeper', type: 'directory' });
    // Creation never goes through a link out of the root.
    expect(await resolve(`slash${outside}/new`, { create: 'directory' })).toEqual({ reason: 'escapes-root' });
    await expect(lstat(join(outside, 'new'))).rejects.toThrow(/ENOENT/);
  });

  it('creates only the last component as a file (FileOrCreate), never through a link', async () => {
    expect(await resolve('a/new-file', { create: 'file' })).toEqual({ at: 'a/new-file', type: 'file' });
    expect(await resolve('no-dir/new-file', { create: 'file' })).toEqual({ reason: 'not-found' });
    expect(await resolve('abs-out/created', { create: 'file' })).toEqual({ reason: 'escapes-root' });
    await expect(lstat(join(outside, 'created'))).rejects.toThrow(/ENOENT/);
  });

  it('names the component in the message, JSON-quoted, never the content behind it', async () => {
    const err = await openInRoot(root, 'slash/etc', opts({ describe: 'subPath "slash/etc" of volume "work"' })).catch((e: unknown) => e as BerthError);
    expect(err).toBeInstanceOf(BerthError);
    expect((err as BerthError).message).toBe('subPath "slash/etc" of volume "work" must not escape the volume root (symlink "slash" leads outside it)');
    expect((err as BerthError).data).toEqual({ reason: 'escapes-root', path: 'slash/etc' });
  });
});

describe('beneath', () => {
  it.each([
    [['/srv/data'], '/srv/data/x/y', 'x/y'],
    [['/srv/data'], '/srv/data', ''],
    [['/srv/data/'], '/srv/data/x', 'x'],
    [['/srv/data'], '/srv/data2/x', undefined],
    [['/srv/data'], '/srv/data/../etc', undefined],
    [['/srv/data'], '/srv', undefined],
    [['/'], '/etc/passwd', 'etc/passwd'],
    [['/a', '/b/c'], '/b/c/d', 'd'],
  ])('%j, %s → %s', (roots, target, want) => {
    expect(beneath(roots, target)).toBe(want);
  });
});

describe('hostPathPrefix', () => {
  it.each([
    // The widest: a nested prefix lies in pod-writable territory of the wider one.
    [['/srv/data', '/srv'], '/srv/data/x', '/srv'],
    [['/srv/data/', '/srv/'], '/srv/data', '/srv/'],
    [['/srv/data', '/opt'], '/srv/data/x', '/srv/data'],
    [['/srv'], '/srv2/x', undefined],
    [['/'], '/var/run/docker.sock', '/'],
    [[], '/srv', undefined],
  ])('%j, %s → %s', (prefixes, path, want) => {
    expect(hostPathPrefix(prefixes, path)).toBe(want);
  });
});

describe('safeMountTarget', () => {
  it('is a path of validated names below the root', () => {
    expect(safeMountTarget('/run/berth/subpaths', 'default', 'shop', 'web-7d9f-abcde', 'app', 2)).toBe('/run/berth/subpaths/default/shop/web-7d9f-abcde/app/2');
  });
  it.each([['..'], ['a/b'], [''], ['.hidden']])('refuses %j as a path part', (name) => {
    expect(() => safeMountTarget('/run/berth/subpaths', 'default', 'shop', name, 'app', 0)).toThrow(BerthError);
  });
});
