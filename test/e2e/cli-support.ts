import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import Dockerode from 'dockerode';
import { run } from '../../src/cli/main.js';

/**
 * The CLI end to end, in process: `run(argv, io)` with buffers for stdio, a temp state dir and
 * an app name of its own per test file, against the real Docker engine. Everything an app
 * creates carries `berth.app=<app>`; `removeApp` deletes by that label and nothing else.
 */
export const docker = new Dockerode(process.env.DOCKER_HOST?.startsWith('unix://') ? { socketPath: process.env.DOCKER_HOST.slice(7) } : {});

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Harness {
  app: string;
  stateDir: string;
  dir: string;
  berth(argv: string[], options?: { stdin?: string; interrupt?: AbortSignal }): Promise<CliResult>;
  write(file: string, content: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function harness(prefix: string): Promise<Harness> {
  const app = `${prefix}-${randomBytes(3).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), `berth-${prefix}-`));
  const stateDir = join(dir, 'state');
  return {
    app,
    stateDir,
    dir,
    // A test may name another app (`--app X`); the harness's own app is only the default.
    berth: (argv, options = {}) => {
      const flags = [...(argv.includes('--app') ? [] : ['--app', app]), '--state-dir', stateDir];
      // Flags go before `--`: what follows it is the command `exec` runs.
      const dash = argv.indexOf('--');
      return berth(dash < 0 ? [...argv, ...flags] : [...argv.slice(0, dash), ...flags, ...argv.slice(dash)], options.stdin, options.interrupt);
    },
    write: async (file, content) => {
      const path = join(dir, file);
      await writeFile(path, content);
      return path;
    },
    cleanup: async () => {
      await removeApp(app);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function berth(argv: string[], stdin?: string, interrupt?: AbortSignal): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await run(argv, {
    stdout,
    stderr,
    stdin: stdin === undefined ? new PassThrough() : Readable.from([Buffer.from(stdin)]),
    env: { PATH: process.env.PATH, ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}) },
    cwd: process.cwd(),
    interrupted: interrupt ?? new AbortController().signal,
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** What the app has on Docker: containers, volumes and networks by name. */
export async function owned(app: string): Promise<{ containers: string[]; volumes: string[]; networks: string[] }> {
  const filters = { label: [`berth.app=${app}`] };
  const [containers, volumes, networks] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listVolumes({ filters }),
    docker.listNetworks({ filters }),
  ]);
  return {
    containers: containers.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')).sort(),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name).sort(),
    networks: networks.map((n) => n.Name).sort(),
  };
}

/** Removes everything labelled with the app, whatever state the test left it in. */
export async function removeApp(app: string): Promise<void> {
  const filters = { label: [`berth.app=${app}`] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  await Promise.all(volumes.map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
}

/** Lines of a table as arrays of cells (columns are separated by 2+ spaces). */
export function cells(table: string): string[][] {
  return table
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/\s{2,}/));
}
