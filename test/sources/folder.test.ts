import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../../src/manifests/limits.js';
import { isBerthError } from '../../src/model/errors.js';
import { contentRevisionId } from '../../src/sources/content-id.js';
import { mergeRevisions, readPath, readPaths, readStdin } from '../../src/sources/folder.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-folder-'));
});
afterEach(async () => {
  await chmod(join(root, 'locked'), 0o755).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
});

async function tree(files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

const names = (rev: { files: readonly { path: string }[] }) => rev.files.map((f) => f.path);

describe('readPath', () => {
  it('reads manifests recursively, skipping hidden directories, other extensions and .berthignore matches', async () => {
    await tree({
      'a.yaml': 'a',
      'b.yml': 'b',
      'c.json': '{}',
      'README.md': '#',
      '.hidden.yaml': 'h',
      '.git/config.yaml': 'g',
      'apps/web/deploy.yaml': 'w',
      'apps/web/.cache/x.yaml': 'x',
      'drafts/wip.yaml': 'd',
      'apps/web/values.test.yaml': 't',
      '.berthignore': 'drafts/\n*.test.yaml\n',
    });
    const rev = await readPath(root);
    expect(names(rev)).toEqual(['.hidden.yaml', 'a.yaml', 'apps/web/deploy.yaml', 'b.yml', 'c.json']);
    expect(rev.id).toBe(contentRevisionId(rev.files));
    expect(rev.origin).toBe(`folder ${root}`);
  });

  it('names a single file by its basename and reads it whatever its extension', async () => {
    await tree({ 'deploy/app.txt': 'x: 1\n' });
    const rev = await readPath(join(root, 'deploy/app.txt'));
    expect(rev.files.map((f) => [f.path, f.content.toString()])).toEqual([['app.txt', 'x: 1\n']]);
  });

  it('the same content is the same revision; a change is a new one', async () => {
    await tree({ 'a.yaml': 'one' });
    const first = await readPath(root);
    expect((await readPath(root)).id).toBe(first.id);
    await tree({ 'a.yaml': 'two' });
    expect((await readPath(root)).id).not.toBe(first.id);
  });

  it('reads a file larger than the limit only up to one byte past it', async () => {
    await tree({ 'big.yaml': Buffer.alloc(MAX_FILE_BYTES + 4096, 0x61) });
    const rev = await readPath(root);
    expect(rev.files.map((f) => f.content.length)).toEqual([MAX_FILE_BYTES + 1]);
  });

  it('follows symlinked directories once, and skips dangling links', async () => {
    await tree({ 'real/a.yaml': 'a' });
    await symlink(join(root, 'real'), join(root, 'link'));
    await symlink(root, join(root, 'real', 'loop'));
    await symlink(join(root, 'nowhere'), join(root, 'dangling.yaml'));
    expect(names(await readPath(root))).toEqual(['link/a.yaml', 'real/a.yaml']);
  });

  it.each([
    { name: 'a missing path', setup: async () => join(root, 'missing'), reason: 'not-found' },
    {
      name: 'an unreadable directory',
      setup: async () => {
        await tree({ 'locked/a.yaml': 'a' });
        await chmod(join(root, 'locked'), 0o000);
        return root;
      },
      reason: process.getuid?.() === 0 ? undefined : 'permission-denied',
    },
  ])('throws INPUT_UNREADABLE for $name', async ({ setup, reason }) => {
    const path = await setup();
    if (reason === undefined) {
      // root reads everything; the unreadable case cannot be produced for it.
      expect(names(await readPath(path))).toEqual(['locked/a.yaml']);
      return;
    }
    const err = await readPath(path).catch((e: unknown) => e);
    expect(isBerthError(err, 'INPUT_UNREADABLE') && err.data.reason).toBe(reason);
  });
});

describe('readPaths and readStdin', () => {
  it('keeps files from several arguments apart, named from where berth was run, read once each', async () => {
    await tree({ 'base/a.yaml': 'a', 'overlay/a.yaml': 'b', 'one.yaml': 'c' });
    const rev = await readPaths([join(root, 'base') + '/', join(root, 'overlay'), join(root, 'one.yaml'), join(root, 'base', 'a.yaml')]);
    expect(names(rev)).toEqual([`${root}/base/a.yaml`, `${root}/overlay/a.yaml`, `${root}/one.yaml`]);
  });

  it('reads stdin as a file named -', async () => {
    const rev = await readStdin(Readable.from([Buffer.from('a: 1\n'), Buffer.from('b: 2\n')]));
    expect(rev.files.map((f) => [f.path, f.content.toString()])).toEqual([['-', 'a: 1\nb: 2\n']]);
    expect(rev.origin).toBe('stdin');
  });

  it('drains stdin past the limit but keeps only one byte more', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const rev = await readStdin(Readable.from(Array.from({ length: 10 }, () => chunk)));
    expect(rev.files[0]!.content.length).toBe(MAX_FILE_BYTES + 1);
  });

  it('merges revisions under one content id', async () => {
    await tree({ 'a.yaml': 'a' });
    const merged = mergeRevisions([await readPaths([join(root, 'a.yaml')]), await readStdin(Readable.from([Buffer.from('s')]))]);
    expect({ files: names(merged), id: merged.id }).toEqual({ files: [`${root}/a.yaml`, '-'], id: contentRevisionId(merged.files) });
  });
});
