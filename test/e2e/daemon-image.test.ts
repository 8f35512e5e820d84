import { randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ignore from 'ignore';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNodeBaseImage } from '../../deploy/build-base-image.js';
import { createDockerClient } from '../../src/apply/docker.js';
import { VERSION } from '../../src/cli/version-info.js';
import { systemClock } from '../../src/runtime/clock.js';

/**
 * deploy/Dockerfile builds with no registry: its base image comes from
 * deploy/build-base-image.ts, the context (the repository root, minus .dockerignore) is sent
 * as a tar through dockerode's buildImage, and the image runs `berth version`.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const docker = createDockerClient({ clock: systemClock });
const tag = `berth-e2e/berth:${randomBytes(3).toString('hex')}`;
const created: { images: string[]; containers: string[] } = { images: [], containers: [] };

afterAll(async () => {
  for (const id of created.containers) await docker.api.getContainer(id).remove({ force: true, v: true }).catch(() => undefined);
  await docker.api.getImage(tag).remove({ force: true }).catch(() => undefined);
  // Layers of the build stage this build created (untagged); ones shared with other images stay.
  for (const id of created.images.reverse()) await docker.api.getImage(id).remove().catch(() => undefined);
});

/** The build context as `docker build .` would send it: every file not matched by .dockerignore. */
async function contextTar(): Promise<NodeJS.ReadableStream> {
  const rules = ignore().add(await readFile(join(ROOT, '.dockerignore'), 'utf8'));
  const pack = tar.pack();
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name);
      const rel = relative(ROOT, full);
      const st = await lstat(full);
      if (rules.ignores(st.isDirectory() ? `${rel}/` : rel)) continue;
      if (st.isSymbolicLink()) pack.entry({ name: rel, type: 'symlink', linkname: await readlink(full) });
      else if (st.isDirectory()) {
        pack.entry({ name: `${rel}/`, type: 'directory', mode: st.mode & 0o777 });
        await walk(full);
      } else if (st.isFile()) pack.entry({ name: rel, mode: st.mode & 0o777 }, await readFile(full));
    }
  };
  await walk(ROOT);
  pack.finalize();
  return pack as unknown as NodeJS.ReadableStream;
}

describe('deploy/Dockerfile', () => {
  it('builds from a locally made base image and runs `berth version`', async () => {
    const bases = await buildNodeBaseImage(docker);
    expect(bases).toEqual([`berth/node-base:${process.versions.node}`, `berth/node-base:${process.versions.node.split('.')[0]}`]);
    const stream = await docker.api.buildImage(await contextTar(), { t: tag, dockerfile: 'deploy/Dockerfile', buildargs: { NODE_VERSION: process.versions.node }, forcerm: true, rm: true });
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      docker.api.modem.followProgress(
        stream,
        (err: Error | null, items: Array<{ stream?: string; error?: string }>) => {
          const failed = items.find((i) => i.error);
          if (err || failed) reject(new Error(`build failed: ${err?.message ?? failed?.error}\n${output.join('').slice(-4000)}`));
          else resolve();
        },
        (item: { stream?: string }) => {
          if (!item.stream) return;
          output.push(item.stream);
          for (const m of item.stream.matchAll(/---> ([0-9a-f]{12})\b/g)) created.images.push(m[1]!);
        },
      );
    });
    const info = await docker.api.getImage(tag).inspect();
    expect(info.Config.Entrypoint).toEqual(['node', '/opt/berth/bin/berth']);
    expect(info.Config.Env).toEqual(expect.arrayContaining(['BERTH_STATE_DIR=/var/lib/berth']));

    const container = await docker.api.createContainer({ Image: tag, Cmd: ['version'], Labels: { 'berth.e2e': 'image' } });
    created.containers.push(container.id);
    await container.start();
    const result = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
    expect([result.StatusCode, logs]).toEqual([0, expect.stringContaining(VERSION)]);

    // The production dependencies are there (the validator, SQLite's native module); dev ones
    // are not; the web UI the daemon serves is (dist/ui, built on the host).
    const check = await docker.api.createContainer({
      Image: tag,
      Entrypoint: ['node', '-e', "require('/opt/berth/node_modules/better-sqlite3')(':memory:'); require('fs').statSync('/opt/berth/dist/ui/index.html'); try { require.resolve('/opt/berth/node_modules/vitest'); process.exit(2) } catch { console.log('ok') }"],
    });
    created.containers.push(check.id);
    await check.start();
    expect(((await check.wait()) as { StatusCode: number }).StatusCode).toBe(0);
  }, 600_000);
});
