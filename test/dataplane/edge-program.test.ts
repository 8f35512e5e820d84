import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeEdgeConfig } from '../../src/dataplane/protocol.js';
import { backendOf, fragment, request, route, startHttpBackend, startTestEdge } from './edge-helpers.js';
import { freePort, tempDir, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('edge program', () => {
  it('keeps a removed endpoint draining while its request is in flight, then drops it', async () => {
    let finish: (() => void) | undefined;
    const slow = http.createServer((req, res) => {
      res.writeHead(200);
      res.write('started ');
      finish = () => res.end('done');
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    defer(() => new Promise((r) => slow.close(r)));
    const port = (slow.address() as net.AddressInfo).port;
    const other = await startHttpBackend(defer, 'other');
    const edge = await startTestEdge(defer);
    const slowBackend = { id: 'web', service: { namespace: 'shop', name: 'web', port: 80 }, endpoints: [{ name: 'web-1', ip: '127.0.0.1', port, ready: true }] };
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [slowBackend]), 1);
    const body = new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: edge.port, path: '/', headers: { host: 'shop.test' }, agent: false }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => resolve(b));
        })
        .on('error', reject);
    });
    await waitFor(() => finish, 'request at the backend');
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [other])]), 2);
    const draining = await waitFor(async () => (await edge.readStatus()).endpoints.find((e) => e.name === 'web-1'), 'draining entry');
    expect([draining.state, draining.active]).toEqual(['draining', 1]);
    expect((await request(edge.port)).body).toBe('other GET /');
    finish!();
    expect(await body).toBe('started done');
    await waitFor(async () => !(await edge.readStatus()).endpoints.some((e) => e.name === 'web-1'), 'drained endpoint gone');
  });

  it('reports a fragment found under another app directory and drops an app whose directory goes', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer);
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    const wrong = encodeEdgeConfig(fragment('blog', 'blog.test', [], []), 1);
    await mkdir(join(edge.dir, 'apps', 'other'), { recursive: true });
    await writeFile(join(edge.dir, 'apps', 'other', wrong.fileName), wrong.content);
    const err = await waitFor(async () => (await edge.readStatus()).apps.other?.errors[0], 'apply error');
    expect(err).toMatchObject({ code: 'APPLY_FAILED', message: 'fragment is for app "blog", found in apps/other' });
    await rm(join(edge.dir, 'apps', 'shop'), { recursive: true });
    await waitFor(async () => (await edge.readStatus()).apps.shop === undefined, 'app gone');
    expect((await request(edge.port)).status).toBe(404);
  });

  it('reports LISTEN_FAILED while its port is taken and listens once it is free', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    const edge = await startTestEdge(defer, { httpPort: port });
    expect(edge.program.status().errors.map((e) => e.code)).toEqual(['LISTEN_FAILED']);
    await new Promise((r) => blocker.close(r));
    await waitFor(() => edge.program.status().listening[0]?.state === 'listening', 'listener retried', 10_000);
    expect(edge.program.status().errors).toEqual([]);
  });

  it('runs as a process: serves, exits 0 on SIGTERM, 2 on a usage error', async () => {
    const web = await startHttpBackend(defer, 'web');
    const dir = await tempDir(defer, 'berth-edge-');
    const port = await freePort();
    const tlsPort = await freePort();
    const run = (args: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/dataplane/edge.ts'), ...args], { cwd: root, stdio: 'ignore' });
      defer(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      return { child, exited: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
    };
    expect(await run(['--http-port', '0']).exited).toBe(2);
    const proc = run(['--config-dir', dir, '--http-port', String(port), '--https-port', String(tlsPort), '--listen-host', '127.0.0.1', '--poll-ms', '50', '--grace-ms', '1000']);
    const { fileName, content } = encodeEdgeConfig(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    await mkdir(join(dir, 'apps', 'shop'), { recursive: true });
    await writeFile(join(dir, 'apps', 'shop', fileName), content);
    await waitFor(async () => (JSON.parse(await readFile(join(dir, 'status.json'), 'utf8')) as { generation: number }).generation === 1, 'edge process to apply', 15_000);
    expect((await request(port)).body).toBe('web GET /');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });

  it('answers ACME HTTP-01 challenges for any host from token files, until they expire', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer);
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    await mkdir(join(edge.dir, 'acme'), { recursive: true });
    await writeFile(join(edge.dir, 'acme', 'tok-1.json'), JSON.stringify({ keyAuthorization: 'tok-1.thumb', notAfter: new Date(Date.now() + 600_000).toISOString() }));
    await writeFile(join(edge.dir, 'acme', 'old.json'), JSON.stringify({ keyAuthorization: 'old.thumb', notAfter: new Date(Date.now() - 1).toISOString() }));
    const answered = await request(edge.port, { host: 'anything.example', path: '/.well-known/acme-challenge/tok-1' });
    expect([answered.status, answered.body]).toEqual([200, 'tok-1.thumb']);
    // Unknown or expired tokens are routed like any request (here: to the app's backend).
    expect((await request(edge.port, { path: '/.well-known/acme-challenge/old' })).body).toBe('web GET /.well-known/acme-challenge/old');
    await expect(readFile(join(edge.dir, 'acme', 'old.json'))).rejects.toThrow();
    expect((await request(edge.port, { host: 'nope.test', path: '/.well-known/acme-challenge/missing' })).status).toBe(404);
  });
});
