import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient, isNotFound } from '../../src/apply/docker.js';
import { ensureDataplaneImage } from '../../src/apply/images/dataplane.js';
import { followProgress } from '../../src/apply/images/index.js';
import { ensureSwarmImage, registryHasManifest, swarmImageRef } from '../../src/apply/swarm/images.js';
import { BerthError } from '../../src/model/errors.js';
import { systemClock } from '../../src/runtime/clock.js';
import { freePort } from './support/daemon.js';

/**
 * berth's own image pushed to a real registry, as a Swarm's workers need it: Debian's
 * docker-registry (scripts/setup-host.sh installs it), run by the test on loopback with its
 * storage in a temp dir. The host's dockerd treats registries in 127.0.0.0/8 as insecure, so
 * plain HTTP is fine here as on the lab's registry its nodes are told about.
 */
const REGISTRY_BIN = '/usr/bin/docker-registry';
const docker = createDockerClient({ clock: systemClock, ...(process.env.DOCKER_HOST ? { host: process.env.DOCKER_HOST } : {}) });
let dir = '';
let registry = '';
let child: ChildProcess | undefined;
let registryLog = '';
/** Refs this test made in the local engine, removed at the end. */
const madeRefs = new Set<string>();

function ping(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(`http://${address}/v2/`, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  registry = `127.0.0.1:${await freePort()}`;
  const config = join(dir, 'config.yml');
  await writeFile(config, ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: ${registry}`, ''].join('\n'));
  child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (registryLog += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (registryLog += d.toString()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${registryLog}`);
    if ((await ping(registry).catch(() => 0)) === 200) break;
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${registry}: ${registryLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  for (const ref of madeRefs) await docker.api.getImage(ref).remove({ noprune: true }).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ensureSwarmImage against a real registry', () => {
  it('pushes the data-plane image once, and nodes can pull it back by the ref it returns', async () => {
    const local = await ensureDataplaneImage(docker);
    const expected = swarmImageRef(local, registry).ref;
    madeRefs.add(expected);
    expect(await registryHasManifest(swarmImageRef(local, registry).manifestUrl)).toBe(false);

    expect(await ensureSwarmImage(docker, local, registry)).toBe(expected);
    expect(await registryHasManifest(swarmImageRef(local, registry).manifestUrl)).toBe(true);

    // The registry has the tag now: a second call asks it and leaves Docker alone.
    docker.calls.reset();
    expect(await ensureSwarmImage(docker, local, registry)).toBe(expected);
    expect(docker.calls.total()).toBe(0);

    // What a worker does: pull by the ref, with no local copy of it.
    const localId = (await docker.api.getImage(local).inspect()).Id;
    await docker.api.getImage(expected).remove({ noprune: true });
    await expect(docker.api.getImage(expected).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await followProgress(docker, (await docker.api.pull(expected)) as NodeJS.ReadableStream);
    expect((await docker.api.getImage(expected).inspect()).Id).toBe(localId);
  });

  it('fails with IMAGE_UNAVAILABLE and says what to do when the registry is not reachable', async () => {
    const local = await ensureDataplaneImage(docker);
    const nowhere = `127.0.0.1:${await freePort()}`;
    madeRefs.add(swarmImageRef(local, nowhere).ref);
    const err = await ensureSwarmImage(docker, local, nowhere).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BerthError);
    expect(err).toMatchObject({ code: 'IMAGE_UNAVAILABLE', data: { image: swarmImageRef(local, nowhere).ref, registry: nowhere, hint: expect.stringContaining('not reachable from the Swarm manager') } });
  });
});
