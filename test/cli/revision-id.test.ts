import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDiffInput } from '../../src/cli/commands/diff.js';
import type { CliIO } from '../../src/cli/context.js';
import { readInput } from '../../src/cli/read-input.js';
import { validateRevision } from '../../src/manifests/index.js';
import type { Revision } from '../../src/model/revision.js';
import { readPath, readPaths, readStdin } from '../../src/sources/folder.js';
import { watchFolder } from '../../src/sources/watch.js';
import { FakeClock } from '../support/fake-clock.js';
import { makeTempDir } from '../support/git-server.js';

/**
 * Issue 12: the same folder is one revision, whoever reads it. `apply -f`, `diff -f` and
 * `delete -f` read through readInput, `validate` through readPaths with the CLI's cwd,
 * `diff --from/--to` through readDiffInput, the daemon's `--watch` through watchFolder. A pin
 * remembers the id of the revision it was set under, so one reader computing another id
 * lifted pins (and made `apply --dry-run` plan to undo them). Before the fix readPaths hashed
 * the files under the argument's prefix (`/abs/cwd/deploy/web.yaml`), so `apply -f deploy`
 * got an id that differed from the daemon's and even from one working directory to the next.
 */

const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {a: "1"}\n`;

let root: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  root = await makeTempDir('berth-revision-id-');
});
afterAll(async () => {
  await root.cleanup();
});

async function tree(base: string, files: Record<string, string>): Promise<void> {
  for (const [p, c] of Object.entries(files)) {
    await mkdir(dirname(join(base, p)), { recursive: true });
    await writeFile(join(base, p), c);
  }
}

function io(cwd: string, stdin: Readable = new PassThrough()): CliIO {
  return { stdout: new PassThrough(), stderr: new PassThrough(), stdin, env: {}, cwd, interrupted: new AbortController().signal };
}

/** The daemon's `--watch` reader: the first revision the watcher emits. */
async function watched(dir: string): Promise<Revision> {
  const revs: Revision[] = [];
  const errors: unknown[] = [];
  const w = await watchFolder({ dir, clock: new FakeClock(), onRevision: (r) => revs.push(r), onError: (e) => errors.push(e) });
  await w.close();
  expect(errors).toEqual([]);
  expect(revs).toHaveLength(1);
  return revs[0]!;
}

/** Every entry point's reading function, given the argument as a user in `cwd` would type it. */
const READERS: Array<[string, (cwd: string, arg: string) => Promise<Revision>]> = [
  ['readPath (the base reader)', (cwd, arg) => readPath(join(cwd, arg))],
  ['apply/diff/delete -f ARG', (cwd, arg) => readInput([arg], io(cwd))],
  ['apply -f ./ARG/', (cwd, arg) => readInput([`./${arg}/`], io(cwd))],
  ['apply -f /absolute/ARG', (cwd, arg) => readInput([join(cwd, arg)], io(cwd))],
  ['apply -f ARG from the parent directory', (cwd, arg) => readInput([join(relative(dirname(cwd), cwd), arg)], io(dirname(cwd)))],
  ['validate ARG', (cwd, arg) => readPaths([arg], { cwd })],
  ['diff --to-dir ARG', (cwd, arg) => readDiffInput({ value: arg, mode: 'dir' }, { cwd })],
  ['diff --to ARG (no repository: a directory)', (cwd, arg) => readDiffInput({ value: arg, mode: 'auto' }, { cwd })],
  ['daemon --watch ARG', (cwd, arg) => watched(join(cwd, arg))],
];

const FOLDERS: Array<[string, string, Record<string, string>]> = [
  ['a flat folder', 'deploy', { 'web.yaml': CM('web'), 'db.yml': CM('db') }],
  ['a folder nested below the working directory', 'apps/shop/deploy', { 'web.yaml': CM('web'), 'db.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db' } }) }],
  [
    'a folder with sub-directories (no kustomize), ignored files and a hidden directory',
    'site',
    { 'top.yaml': CM('top'), 'base/web.yaml': CM('web'), 'overlays/prod/extra.yaml': CM('extra'), 'README.md': '# not a manifest', '.git/x.yaml': CM('hidden') },
  ],
];

describe('one revision id for a folder, whoever reads it', () => {
  describe.each(FOLDERS)('%s', (name, arg, files) => {
    let cwd: string;
    let expected: Revision;
    beforeAll(async () => {
      cwd = join(root.path, name.replace(/\W+/g, '-'));
      await tree(join(cwd, arg), files);
      expected = await readPath(join(cwd, arg));
      expect(expected.files.length).toBeGreaterThan(1);
    });

    it.each(READERS)('%s', async (_reader, read) => {
      const rev = await read(cwd, arg);
      expect({ id: rev.id, contents: rev.files.map((f) => f.content.toString()).sort() }).toEqual({ id: expected.id, contents: expected.files.map((f) => f.content.toString()).sort() });
    });
  });

  it('a file argument is named by its basename, as readPath names it, however it is spelled', async () => {
    const cwd = join(root.path, 'file');
    await tree(cwd, { 'deploy/web.yaml': CM('web') });
    const ids = await Promise.all([
      readPath(join(cwd, 'deploy/web.yaml')),
      readInput(['deploy/web.yaml'], io(cwd)),
      readInput(['./deploy//web.yaml'], io(cwd)),
      readPaths(['deploy/web.yaml'], { cwd }),
      readDiffInput({ value: 'deploy/web.yaml', mode: 'dir' }, { cwd }),
    ]);
    expect(new Set(ids.map((r) => r.id)).size).toBe(1);
    // The same bytes in a folder of their own: the same files, so the same revision.
    expect((await readPath(join(cwd, 'deploy'))).id).toBe(ids[0]!.id);
  });

  it('standard input is one file named -, the same id through -f - as read directly', async () => {
    const cwd = join(root.path, 'stdin');
    await mkdir(cwd, { recursive: true });
    const viaInput = await readInput(['-'], io(cwd, Readable.from([Buffer.from(CM('web'))])));
    const direct = await readStdin(Readable.from([Buffer.from(CM('web'))]));
    expect(viaInput.id).toBe(direct.id);
    // Named `-`, not after a file: the same bytes from a file are another revision.
    await tree(cwd, { 'web.yaml': CM('web') });
    expect((await readPath(join(cwd, 'web.yaml'))).id).not.toBe(viaInput.id);
    // Merged with a folder: the folder's files and `-` side by side, in any order of arguments.
    await tree(cwd, { 'deploy/db.yaml': CM('db') });
    const a = await readInput(['-', 'deploy'], io(cwd, Readable.from([Buffer.from(CM('web'))])));
    const b = await readInput(['deploy', '-'], io(cwd, Readable.from([Buffer.from(CM('web'))])));
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe((await readPath(join(cwd, 'deploy'))).id);
  });
});

describe('several -f arguments', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = join(root.path, 'several');
    await tree(cwd, {
      'base/a.yaml': CM('a'),
      'base/b.yaml': CM('b'),
      'overlay/c.yaml': CM('c'),
      'together/a.yaml': CM('a'),
      'together/b.yaml': CM('b'),
      'together/c.yaml': CM('c'),
      'x/web.yaml': CM('x'),
      'y/web.yaml': CM('y'),
    });
  });

  it.each<[string, string[], string[]]>([
    ['a folder and a file inside it is the folder (the file is read once)', ['base', 'base/a.yaml'], ['base']],
    ['the file first, then its folder, too', ['base/a.yaml', 'base'], ['base']],
    ['two folders are their files side by side', ['base', 'overlay'], ['together']],
    ['the order of the arguments does not matter', ['overlay', 'base'], ['base', 'overlay']],
    ['nor when both hold a file of the same name', ['y', 'x'], ['x', 'y']],
    ['nor how each is spelled', ['./base/', '{cwd}/overlay'], ['base', 'overlay']],
  ])('%s', async (_name, args, same) => {
    const absolute = args.map((a) => a.replace('{cwd}', cwd));
    expect((await readInput(absolute, io(cwd))).id).toBe((await readInput(same, io(cwd))).id);
  });

  it.each<[string, string[], string[]]>([
    ['two same-named files are both part of the revision', ['x', 'y'], ['x']],
    ['a folder is not one of its parts', ['base'], ['base/a.yaml']],
  ])('%s', async (_name, args, other) => {
    expect((await readInput(args, io(cwd))).id).not.toBe((await readInput(other, io(cwd))).id);
  });
});

describe('problems keep the paths the user typed', () => {
  it('validate DIR prints DIR/file.yaml:line; apply -f names files from its argument; the id ignores both', async () => {
    const cwd = join(root.path, 'display');
    await tree(cwd, { 'deploy/sub/bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n' });
    const validate = await readPaths(['./deploy/'], { cwd });
    expect(validateRevision(validate.files).problems.map((p) => `${p.file}:${p.line}`)).toEqual(['deploy/sub/bad.yaml:3']);
    const apply = await readInput(['deploy'], io(cwd));
    expect(apply.files.map((f) => f.path)).toEqual([`${cwd}/deploy/sub/bad.yaml`]);
    const watchedRev = await readPath(join(cwd, 'deploy'));
    expect(watchedRev.files.map((f) => f.path)).toEqual(['sub/bad.yaml']);
    expect(new Set([validate.id, apply.id, watchedRev.id]).size).toBe(1);
  });
});
