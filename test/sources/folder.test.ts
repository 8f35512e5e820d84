import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../../src/model/limits.js';
import { isBerthError } from '../../src/model/errors.js';
import { contentRevisionId } from '../../src/model/revision.js';
import { validateRevision } from '../../src/manifests/index.js';
import { mergeRevisions, readPath, readPaths, readStdin } from '../../src/sources/folder.js';
import { listFolder, readContained } from '../../src/sources/folder-tree.js';

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

  it('follows symlinked directories inside the root once each', async () => {
    await tree({ 'real/a.yaml': 'a' });
    await symlink(join(root, 'real'), join(root, 'link'));
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

/**
 * SPEC §8: a folder source never follows a link out of its root. Every case below holds a
 * marker outside the root; none of it may reach the revision or a problem, and each refused
 * link is reported at its own name.
 */
describe('symlinks in a manifest folder', () => {
  const MARKER = 'HOST-FILE-MARKER-7f3a';
  let outside: string;
  let dir: string;
  beforeEach(async () => {
    outside = join(root, 'outside');
    dir = join(root, 'app');
    await tree({
      'outside/secret.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leaked}\ndata: {k: ${MARKER}}\n`,
      'outside/plain': `${MARKER}\n`,
      'outside/dir/x.yaml': `${MARKER}\n`,
      'app2/s.yaml': `${MARKER}\n`,
      'app/real/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
    });
  });

  async function read(): Promise<{ files: Record<string, string>; problems: Array<[string, string]>; everything: string }> {
    const rev = await readPath(dir);
    const { problems } = validateRevision(rev.files);
    const files = Object.fromEntries(rev.files.map((f) => [f.path, f.refused ?? f.content.toString()]));
    // Links inside the root duplicate what they point at; only the refusals matter here.
    const refusals = problems.filter((p) => p.code.startsWith('symlink-')).map((p): [string, string] => [p.file, p.code]);
    return { files, problems: refusals, everything: JSON.stringify({ rev, problems }) };
  }

  it.each([
    { name: 'an in-root file link is followed', link: 'alias.yaml', to: 'real/a.yaml', want: { 'alias.yaml': 'content' } },
    { name: 'an in-root directory link is followed', link: 'more', to: 'real', want: { 'more/a.yaml': 'content' } },
    { name: 'a file link out of the root', link: 'leak.yaml', to: '../outside/secret.yaml', want: { 'leak.yaml': 'symlink-outside-root' } },
    { name: 'an absolute file link out of the root', link: 'abs.yaml', to: '<outside>/secret.yaml', want: { 'abs.yaml': 'symlink-outside-root' } },
    { name: 'a directory link out of the root', link: 'ext', to: '<outside>/dir', want: { ext: 'symlink-outside-root' } },
    { name: 'a link to the root of the file system', link: 'slash', to: '/', want: { slash: 'symlink-outside-root' } },
    { name: "a link to the root's parent", link: 'parent', to: '..', want: { parent: 'symlink-outside-root' } },
    { name: 'a sibling sharing the root as a name prefix (app2 vs app)', link: 'sib.yaml', to: '../app2/s.yaml', want: { 'sib.yaml': 'symlink-outside-root' } },
    { name: 'a link out of the root from a sub-directory', link: 'real/deep.yaml', to: '../../outside/secret.yaml', want: { 'real/deep.yaml': 'symlink-outside-root' } },
    { name: 'a dangling link', link: 'gone.yaml', to: 'nowhere.yaml', want: { 'gone.yaml': 'symlink-dangling' } },
    { name: 'a dangling directory link', link: 'gone', to: 'nowhere', want: { gone: 'symlink-dangling' } },
    { name: 'a link to itself', link: 'self.yaml', to: 'self.yaml', want: { 'self.yaml': 'symlink-loop' } },
    { name: 'a link to the root', link: 'real/top', to: '..', want: { 'real/top': 'symlink-loop' } },
    // Refused whatever its name: whether it would be read as a directory depends on what is out
    // there, and that must not show (a missing target would be reported, a present file not).
    { name: 'an outside link without a manifest name is refused too', link: 'LICENSE', to: '../outside/plain', want: { LICENSE: 'symlink-outside-root' } },
    { name: 'a hidden directory link is not descended into', link: '.cache', to: '<outside>/dir', want: {} },
    { name: "an Emacs lock file (a dangling link by design) is not a manifest", link: '.#a.yaml', to: 'me@host.123:456', want: {} },
  ])('$name', async ({ link, to, want }) => {
    await symlink(to.replace('<outside>', outside), join(dir, link));
    const got = await read();
    const real = { 'real/a.yaml': 'content' };
    const expected = { ...real, ...want };
    expect(Object.fromEntries(Object.entries(got.files).map(([k, v]) => [k, v.startsWith('apiVersion') ? 'content' : v]))).toEqual(expected);
    const refused = Object.entries(want).filter(([, v]) => v !== 'content');
    expect(got.problems).toEqual(refused.map(([file, code]) => [file, code]));
    expect(got.everything).not.toContain(MARKER);
    expect(got.everything).not.toContain(outside);
  });

  /**
   * berth checks as root: the reason a link is refused, and whether it is reported at all, must
   * not tell whether a path outside the root exists (a link to /etc/shadow and one to
   * /root/.nonexistent looked different: outside-root and dangling).
   */
  describe('what lies outside the root never shows in the reason', () => {
    it.each([
      ['an existing file', 'secret.yaml'],
      ['a missing file', 'nothing-here.yaml'],
      ['an existing directory', 'dir'],
      ['a missing directory below a file', 'plain/sub'],
      ['a loop out there', 'loop-a'],
    ])('a link to %s outside the root, with and without a manifest name, is symlink-outside-root', async (_what, target) => {
      await symlink('loop-b', join(outside, 'loop-a'));
      await symlink('loop-a', join(outside, 'loop-b'));
      await symlink(join(outside, target), join(dir, 'abs.yaml'));
      await symlink(`../outside/${target}`, join(dir, 'rel.yaml'));
      await symlink(join(outside, target), join(dir, 'noext'));
      expect((await read()).problems).toEqual([
        ['abs.yaml', 'symlink-outside-root'],
        ['noext', 'symlink-outside-root'],
        ['rel.yaml', 'symlink-outside-root'],
      ]);
    });

    it('through an in-root link that leaves the root, a missing target is outside-root too, not dangling', async () => {
      await symlink(join(outside, 'no-such-dir'), join(dir, 'hop'));
      await symlink('hop/x.yaml', join(dir, 'chained.yaml'));
      await symlink('real/../hop/y.yaml', join(dir, 'dotted.yaml'));
      expect((await read()).problems).toEqual([
        ['chained.yaml', 'symlink-outside-root'],
        ['dotted.yaml', 'symlink-outside-root'],
        ['hop', 'symlink-outside-root'],
      ]);
    });

    it('dangling and loop are said only of what lies inside the root, absolute paths into it included', async () => {
      await symlink(join(dir, 'real', 'missing.yaml'), join(dir, 'abs-gone.yaml'));
      await symlink('real/a.yaml/x.yaml', join(dir, 'under-file.yaml'));
      await symlink('l2.yaml', join(dir, 'l1.yaml'));
      await symlink(join(dir, 'l1.yaml'), join(dir, 'l2.yaml'));
      expect((await read()).problems).toEqual([
        ['abs-gone.yaml', 'symlink-dangling'],
        ['l1.yaml', 'symlink-loop'],
        ['l2.yaml', 'symlink-loop'],
        ['under-file.yaml', 'symlink-dangling'],
      ]);
    });

    it.each([['an existing file', 'plain'], ['a missing file', 'nothing-here']])('a .berthignore linked to %s outside the root is outside-root', async (_what, target) => {
      await symlink(join(outside, target), join(dir, '.berthignore'));
      expect((await read()).problems).toEqual([['.berthignore', 'symlink-outside-root']]);
    });

    it('an outside link listed in .berthignore is not judged', async () => {
      await writeFile(join(dir, '.berthignore'), 'LICENSE\n');
      await symlink('../outside/plain', join(dir, 'LICENSE'));
      expect((await read()).problems).toEqual([]);
    });
  });

  it('two links that point at each other are both refused as a loop', async () => {
    await symlink('b.yaml', join(dir, 'a.yaml'));
    await symlink('a.yaml', join(dir, 'b.yaml'));
    expect((await read()).problems).toEqual([
      ['a.yaml', 'symlink-loop'],
      ['b.yaml', 'symlink-loop'],
    ]);
  });

  it('the problem names the link and says what to do, never the target', async () => {
    await symlink(join(outside, 'secret.yaml'), join(dir, 'leak.yaml'));
    const { problems } = validateRevision((await readPath(dir)).files);
    expect(problems).toEqual([
      {
        file: 'leak.yaml',
        line: 0,
        column: 0,
        path: '',
        severity: 'error',
        code: 'symlink-outside-root',
        message: 'this symlink points outside the manifest folder, and berth does not follow links out of it; replace the link with the file, point it at a file inside the folder, or list it in .berthignore',
      },
    ]);
  });

  it('a .berthignore that links out of the root is refused and not used as rules', async () => {
    await writeFile(join(outside, 'ignore'), 'real/\n');
    await symlink(join(outside, 'ignore'), join(dir, '.berthignore'));
    const got = await read();
    expect(Object.keys(got.files)).toEqual(['.berthignore', 'real/a.yaml']);
    expect(got.problems).toEqual([['.berthignore', 'symlink-outside-root']]);
  });

  it('a file swapped for an outside link after listing is refused when read (the open file is checked)', async () => {
    const listing = await listFolder(dir);
    const entry = listing.entries.find((e) => e.rel === 'real/a.yaml');
    expect(entry && 'full' in entry).toBe(true);
    await rm(join(dir, 'real/a.yaml'));
    await symlink(join(outside, 'secret.yaml'), join(dir, 'real/a.yaml'));
    expect(readContained((entry as { full: string }).full, listing.rootReal)).toBe('symlink-outside-root');
  });

  it('a refused link is part of the revision id: fixing it is a new revision', async () => {
    await symlink(join(outside, 'secret.yaml'), join(dir, 'leak.yaml'));
    const refused = await readPath(dir);
    await rm(join(dir, 'leak.yaml'));
    await writeFile(join(dir, 'leak.yaml'), '');
    const fixed = await readPath(dir);
    expect(fixed.id).not.toBe(refused.id);
  });

  it('the folder and a file named on the command line are the user’s choice, links included', async () => {
    await symlink(dir, join(root, 'via-link'));
    await symlink(join(outside, 'secret.yaml'), join(root, 'one.yaml'));
    expect(names(await readPath(join(root, 'via-link')))).toEqual(['real/a.yaml']);
    expect((await readPath(join(root, 'one.yaml'))).files[0]!.content.toString()).toContain(MARKER);
  });

  it('readPaths keeps the refusal under the argument’s prefix', async () => {
    await symlink(join(outside, 'secret.yaml'), join(dir, 'leak.yaml'));
    const rev = await readPaths([dir]);
    expect(rev.files.map((f) => [f.path, f.refused])).toEqual([
      [`${dir}/leak.yaml`, 'symlink-outside-root'],
      [`${dir}/real/a.yaml`, undefined],
    ]);
  });
});
