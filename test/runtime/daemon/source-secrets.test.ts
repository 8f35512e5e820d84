import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DockerClient } from '../../../src/apply/docker.js';
import { createHandlers } from '../../../src/runtime/api/handlers.js';
import { createDaemonMetrics } from '../../../src/runtime/api/metrics.js';
import { createApiServer } from '../../../src/runtime/api/server.js';
import { systemClock } from '../../../src/runtime/clock.js';
import { createControlPlane } from '../../../src/runtime/compose.js';
import { createDaemon } from '../../../src/runtime/daemon/daemon.js';
import { createLogger } from '../../../src/runtime/log.js';
import { openStore } from '../../../src/runtime/store/index.js';
import { createGitSource } from '../../../src/sources/git.js';
import { redactUrl, scrubText } from '../../../src/sources/git-url.js';
import { makeRepo, startGitServer } from '../../support/git-server.js';
import { processAlive } from '../../../src/cli/process-alive.js';

vi.setConfig({ testTimeout: 60_000 });

/**
 * A token in a repository URL (query string or user info) never leaves in any output (issue 11,
 * finding 8d): a real daemon fetches `http://user:pw@127.0.0.1:PORT/deploy.git?access_token=…`
 * from a real `git http-backend` server on loopback, the fetch fails, and the token is in none
 * of: the error, the status API, the events, the metrics, the logs, the cache on disk.
 */
const SECRET = 'SECRET-q7x9-access-token';
const PASSWORD = 'pw-3kd9-password';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function quietDocker(): DockerClient {
  const streams: PassThrough[] = [];
  cleanups.push(() => streams.forEach((s) => s.destroy()));
  const api = {
    listContainers: async () => [],
    listNetworks: async () => [],
    listVolumes: async () => ({ Volumes: [] }),
    ping: async () => 'OK',
    getEvents: async () => {
      const s = new PassThrough();
      streams.push(s);
      return s;
    },
  } as unknown as Dockerode;
  return { api, calls: { byOperation: new Map(), total: () => 0, mutating: () => 0, reset: () => undefined }, apiVersion: async () => '1.41' };
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
}

/** Every file under `dir`, names and contents, as one string. */
function everythingUnder(dir: string): string {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    out.push(path);
    if (e.isFile()) out.push(readFileSync(path).toString('latin1'));
  }
  return out.join('\n');
}

describe('a repository URL carrying credentials', () => {
  it('redactUrl masks user info and every query value; scrubText replaces every spelling of the URL', () => {
    const raw = `https://user:${PASSWORD}@git.example.com/r.git?access_token=${SECRET}&ref=x#frag`;
    expect(redactUrl(raw)).toBe('https://git.example.com/r.git?access_token=***&ref=***');
    const text = `GET https://git.example.com/r.git?access_token=${SECRET}&ref=x#frag failed; retry ${raw}; token ${encodeURIComponent(SECRET)} / ${PASSWORD}`;
    const scrubbed = scrubText(text, raw);
    for (const s of [SECRET, PASSWORD]) expect(scrubbed).not.toContain(s);
    expect(scrubbed).toContain('https://git.example.com/r.git?access_token=***&ref=***');
  });

  it.each([
    { name: 'a server that wants other credentials (401)', auth: { username: 'ci', password: 'right-password' } },
    { name: 'a server that does not find the repository', auth: undefined },
  ])('a failing fetch from $name shows the token nowhere: error, status API, events, metrics, logs, cache', async ({ auth }) => {
    const server = await startGitServer(auth ? { auth } : {});
    cleanups.push(() => server.close());
    await makeRepo(server.root, 'deploy.git', { files: { 'web.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n' } });
    const url = `http://user:${PASSWORD}@127.0.0.1:${server.port}/deploy.git?access_token=${SECRET}`;
    const state = mkdtempSync(join(tmpdir(), 'berth-url-secrets-'));
    cleanups.push(() => rmSync(state, { recursive: true, force: true }));

    // The source alone: the error it throws, as thrown and as pino prints it.
    const direct = createGitSource({ url, ref: { branch: 'main' }, cacheDir: join(state, 'git-direct'), clock: systemClock });
    const err = await direct.fetch().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'SOURCE_UNREACHABLE' });

    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString('utf8')), done()) });
    const log = createLogger({ level: 'trace', destination: sink });
    log.error({ err }, 'fetch failed');

    // A daemon following the same URL, and its API.
    const store = openStore({ isProcessAlive: processAlive, dir: state, clock: systemClock });
    cleanups.push(() => store.close());
    const metrics = createDaemonMetrics();
    const docker = quietDocker();
    const source = createGitSource({ url, ref: { branch: 'main' }, cacheDir: join(state, 'git'), clock: systemClock });
    const daemon = createDaemon(
      { docker, store, clock: systemClock, log, random: () => 0, metrics, plane: createControlPlane({ docker, store, clock: systemClock, log }, 'secrets'), holder: { id: 'daemon:test:1', pid: process.pid, hostname: 'test', kind: 'daemon' } },
      {
        app: 'secrets',
        source: { kind: 'git', source, pollIntervalMs: 3_600_000 },
        validate: {},
        allowEmpty: false,
        resyncIntervalMs: 3_600_000,
        passTimeoutMs: 60_000,
        passBackoff: { minMs: 60_000, factor: 2, capMs: 300_000, jitter: 0 },
        sourceBackoff: { minMs: 60_000, factor: 2, capMs: 300_000, jitter: 0 },
      },
    );
    cleanups.push(() => daemon.stop());
    await daemon.start();
    for (let i = 0; i < 200 && daemon.status().source.consecutiveFailures === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(daemon.status().source.consecutiveFailures).toBeGreaterThan(0);

    const api = createApiServer({ handlers: createHandlers({ daemon, app: 'secrets', docker, store, clock: systemClock, random: () => 0, metrics, log, validate: {}, version: 'test' }), log });
    cleanups.push(() => api.close());
    const { port } = await api.listen('127.0.0.1', 0);
    const status = await get(port, '/api/v1/status');
    expect(JSON.parse(status)).toMatchObject({ source: { description: `http://127.0.0.1:${server.port}/deploy.git?access_token=***@main`, lastError: { code: 'SOURCE_UNREACHABLE' } } });

    const outputs = {
      error: `${String(err)}\n${(err as Error).stack}\n${JSON.stringify(err)}\n${String((err as Error).cause)}`,
      status,
      events: await get(port, '/api/v1/events'),
      metrics: await get(port, '/metrics'),
      logs: lines.join(''),
      store: JSON.stringify(store.getSourceStatus('secrets')),
      cache: everythingUnder(state),
    };
    expect(outputs.logs).toContain('fetch failed');
    for (const [where, text] of Object.entries(outputs)) {
      for (const s of [SECRET, PASSWORD, encodeURIComponent(SECRET)]) expect(text.includes(s), `${where} holds ${s}`).toBe(false);
    }
  });
});
