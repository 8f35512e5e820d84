import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { DockerClient } from '../../../src/apply/docker.js';
import { packRootfs } from '../../../src/apply/images/rootfs.js';
import { readStatus } from '../../../src/apply/services/config-writer.js';
import { hostDirOf, readHostStatus, writeHostFile } from '../../../src/apply/services/host-status.js';
import { createConfigWriter } from '../../../src/apply/services/config-writer.js';

const root = mkdtempSync(join(tmpdir(), 'berth-host-status-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const status = (generation: number) =>
  JSON.stringify({ format: 'berth.dataplane/v1', kind: 'dns', generation, checksum: null, appliedAt: null, startedAt: '2026-12-05T00:00:00.000Z', updatedAt: '2026-12-05T00:00:00.000Z', pid: 1, listening: [], errors: [], records: { services: 0, names: 0 }, queries: { answered: 0, forwarded: 0, nxdomain: 0, failed: 0 } });

/** A directory laid out by `make`, named after the case. */
function dir(name: string, make: (d: string) => void): string {
  const d = join(root, name);
  mkdirSync(d);
  make(d);
  return d;
}

describe('hostDirOf', () => {
  const cases: Array<{ name: string; mounts: Parameters<typeof hostDirOf>[0]; want: string | undefined }> = [
    { name: 'a volume at the config dir', mounts: [{ Type: 'volume', Source: '/var/lib/docker/volumes/abc/_data', Destination: '/var/run/berth-proxy' }], want: '/var/lib/docker/volumes/abc/_data' },
    { name: 'the volume among others', mounts: [{ Type: 'bind', Source: '/etc', Destination: '/etc/x' }, { Type: 'volume', Source: '/v/_data', Destination: '/var/run/berth-proxy' }], want: '/v/_data' },
    { name: 'a bind mount at the config dir is not trusted as a volume', mounts: [{ Type: 'bind', Source: '/tmp/x', Destination: '/var/run/berth-proxy' }], want: undefined },
    { name: 'a volume elsewhere', mounts: [{ Type: 'volume', Source: '/v/_data', Destination: '/data' }], want: undefined },
    { name: 'a volume without a source', mounts: [{ Type: 'volume', Source: '', Destination: '/var/run/berth-proxy' }], want: undefined },
    { name: 'no mounts (a container made by an older berth)', mounts: [], want: undefined },
    { name: 'mounts not listed', mounts: undefined, want: undefined },
  ];
  for (const c of cases) it(c.name, () => expect(hostDirOf(c.mounts, '/var/run/berth-proxy')).toBe(c.want));
});

describe('readHostStatus', () => {
  const cases: Array<{ name: string; at: () => string; want: { text: string } | 'absent' | undefined }> = [
    { name: 'the file the program wrote', at: () => dir('file', (d) => writeFileSync(join(d, 'status.json'), status(7))), want: { text: status(7) } },
    { name: 'an empty file', at: () => dir('empty', (d) => writeFileSync(join(d, 'status.json'), '')), want: { text: '' } },
    { name: 'the directory without the file: not written yet', at: () => dir('none', () => undefined), want: 'absent' },
    { name: 'no such directory here (a remote engine): read through Docker', at: () => join(root, 'missing'), want: undefined },
    { name: 'a path that is a file, not a directory: read through Docker', at: () => dir('notdir', (d) => writeFileSync(join(d, 'f'), 'x')) + '/f', want: undefined },
    { name: 'a symlink planted in place of the file is not followed', at: () => dir('link', (d) => symlinkSync('/etc/hostname', join(d, 'status.json'))), want: 'absent' },
    { name: 'a directory in place of the file', at: () => dir('subdir', (d) => mkdirSync(join(d, 'status.json'))), want: 'absent' },
    // A FIFO would block an ordinary open until a writer came: opened non-blocking, it is refused as not a file.
    { name: 'a FIFO in place of the file does not block the read', at: () => dir('fifo', (d) => execFileSync('mkfifo', [join(d, 'status.json')])), want: 'absent' },
  ];
  for (const c of cases) it(c.name, async () => expect(await readHostStatus(c.at())).toEqual(c.want));
});

describe('readStatus with a host directory', () => {
  /** An engine whose archive API answers `text` and counts the calls (the fallback path). */
  function engine(text: string | undefined): { docker: DockerClient; calls: () => number } {
    let calls = 0;
    const getArchive = async () => {
      calls++;
      if (text === undefined) throw Object.assign(new Error('no such file'), { statusCode: 404 });
      return Readable.from([await packRootfs([{ type: 'file', path: 'status.json', content: Buffer.from(text), mode: 0o644 }])]);
    };
    return { docker: { api: { getContainer: () => ({ getArchive }) } } as unknown as DockerClient, calls: () => calls };
  }

  const cases: Array<{ name: string; hostDir: () => string | undefined; archive: string | undefined; generation: number | undefined; archiveCalls: number }> = [
    { name: 'reads the volume and makes no Docker call', hostDir: () => dir('read-file', (d) => writeFileSync(join(d, 'status.json'), status(11))), archive: status(99), generation: 11, archiveCalls: 0 },
    { name: 'a volume without the file yet: no status, no Docker call', hostDir: () => dir('read-none', () => undefined), archive: status(99), generation: undefined, archiveCalls: 0 },
    { name: 'a directory not on this host: the archive API', hostDir: () => join(root, 'read-missing'), archive: status(12), generation: 12, archiveCalls: 1 },
    { name: 'no host directory (an older container): the archive API', hostDir: () => undefined, archive: status(13), generation: 13, archiveCalls: 1 },
    { name: 'a file that does not decode reads as no status', hostDir: () => dir('read-junk', (d) => writeFileSync(join(d, 'status.json'), '{"format":"other"}')), archive: status(99), generation: undefined, archiveCalls: 0 },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const e = engine(c.archive);
      const s = await readStatus(e.docker, 'c0ffee', 'dns', c.hostDir());
      expect(s?.generation).toBe(c.generation);
      expect(e.calls()).toBe(c.archiveCalls);
    });
});

describe('writeHostFile', () => {
  const target = join(root, 'victim');
  writeFileSync(target, 'host file\n');
  const cases: Array<{ name: string; dir: () => string; file?: string; want: boolean; check: (d: string) => void }> = [
    { name: 'a new file, mode 0644, no temporary left', dir: () => dir('w-new', () => undefined), want: true, check: (d) => (expect(readFileSync(join(d, 'config-5.json'), 'utf8')).toBe('new\n'), expect(lstatSync(join(d, 'config-5.json')).mode & 0o777).toBe(0o644), expect(readdirSync(d)).toEqual(['config-5.json'])) },
    { name: 'replaces a file of the same name', dir: () => dir('w-old', (d) => writeFileSync(join(d, 'config-5.json'), 'old')), want: true, check: (d) => expect(readFileSync(join(d, 'config-5.json'), 'utf8')).toBe('new\n') },
    // The container planted a link where the file goes: the rename replaces the link, the host file is untouched.
    { name: 'a symlink planted at the name is replaced, not written through', dir: () => dir('w-link', (d) => symlinkSync(target, join(d, 'config-5.json'))), want: true, check: (d) => (expect(readFileSync(target, 'utf8')).toBe('host file\n'), expect(lstatSync(join(d, 'config-5.json')).isFile()).toBe(true)) },
    { name: 'no such directory here (a remote engine): not written, upload instead', dir: () => join(root, 'w-missing'), want: false, check: () => undefined },
    { name: 'a name with a directory in it (the edge apps/<app>/ fragments) is not written here', dir: () => dir('w-sub', () => undefined), file: 'apps/x/config-5.json', want: false, check: (d) => expect(readdirSync(d)).toEqual([]) },
    { name: 'a dot name is not written here', dir: () => dir('w-dot', () => undefined), file: '.config-5.json', want: false, check: (d) => expect(readdirSync(d)).toEqual([]) },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const d = c.dir();
      expect(await writeHostFile(d, c.file ?? 'config-5.json', 'new\n')).toBe(c.want);
      c.check(d);
    });
});

describe('config writer: a container whose config dir is on this host', () => {
  /** An engine that counts uploads. */
  function engine(): { docker: DockerClient; uploads: () => number } {
    let uploads = 0;
    return {
      docker: { api: { getContainer: () => ({ putArchive: async () => void uploads++ }) } } as unknown as DockerClient,
      uploads: () => uploads,
    };
  }
  const clock = { now: () => 1_000 } as never;
  const config = { domain: 'cluster.local', ttlSeconds: 5, services: [] };

  const cases: Array<{ name: string; hostDir: () => string | undefined; uploads: number; onHost: boolean }> = [
    { name: 'written into the volume, no upload', hostDir: () => dir('cw-host', () => undefined), uploads: 0, onHost: true },
    { name: 'not on this host: uploaded', hostDir: () => join(root, 'cw-missing'), uploads: 1, onHost: false },
    { name: 'no host dir known (not yet observed, or an older container): uploaded', hostDir: () => undefined, uploads: 1, onHost: false },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const e = engine();
      const writer = createConfigWriter();
      const d = c.hostDir();
      writer.noteHostDir('c1', d);
      const generation = await writer.writeConfig({ docker: e.docker, clock }, 'c1', 'dns', config);
      expect(e.uploads()).toBe(c.uploads);
      if (c.onHost) expect(readdirSync(d!)).toEqual([`config-${generation}.json`]);
      expect(writer.lastWritten('c1')?.generation).toBe(generation);
    });

  it('forgetting the container forgets its directory', async () => {
    const e = engine();
    const writer = createConfigWriter();
    writer.noteHostDir('c1', dir('cw-forget', () => undefined));
    writer.forgetContainer('c1');
    await writer.writeConfig({ docker: e.docker, clock }, 'c1', 'dns', config);
    expect(e.uploads()).toBe(1);
  });
});
