/**
 * Files in the edge's config volume are written from fragment data and treated as hostile: a
 * symlink is never followed, a FIFO or device never blocks the program, sizes are bounded, and
 * what the edge writes (status.json, owners.json) cannot be redirected through a planted link.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeEdgeConfig } from '../../src/dataplane/protocol.js';
import { backendOf, fragment, request, route, startHttpBackend, startTestEdge } from './edge-helpers.js';
import { tempDir, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();
const later = () => new Date(Date.now() + 600_000).toISOString();

async function servingEdge() {
  const web = await startHttpBackend(defer, 'web');
  const edge = await startTestEdge(defer);
  const config = fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]);
  await edge.configure(config, 1);
  return { web, edge, config };
}

describe('edge config volume', () => {
  it('answers ACME tokens only from regular files holding a key authorization for that token', async () => {
    const { edge } = await servingEdge();
    const outside = await tempDir(defer, 'berth-outside-');
    const acme = join(edge.dir, 'acme');
    await mkdir(acme, { recursive: true });
    await writeFile(join(acme, 'good.json'), JSON.stringify({ keyAuthorization: 'good.AbC-_1', notAfter: later() }));
    await writeFile(join(outside, 'secret.json'), JSON.stringify({ keyAuthorization: 'linked.x', notAfter: later() }));
    await symlink(join(outside, 'secret.json'), join(acme, 'linked.json'));
    await writeFile(join(acme, 'html.json'), JSON.stringify({ keyAuthorization: '<script>alert(1)</script>', notAfter: later() }));
    await writeFile(join(acme, 'other.json'), JSON.stringify({ keyAuthorization: 'good.AbC', notAfter: later() }));
    execFileSync('mkfifo', [join(acme, 'fifo.json')]);
    const good = await request(edge.port, { host: 'any.example', path: '/.well-known/acme-challenge/good' });
    expect([good.status, good.body, good.headers['x-content-type-options']]).toEqual([200, 'good.AbC-_1', 'nosniff']);
    for (const token of ['linked', 'html', 'other', 'fifo']) {
      const r = await request(edge.port, { path: `/.well-known/acme-challenge/${token}` });
      expect([token, r.body]).toEqual([token, `web GET /.well-known/acme-challenge/${token}`]);
    }
  });

  it('never loads a certificate through a symlink and is not blocked by a FIFO', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer, { httpsPort: undefined });
    const outside = await tempDir(defer, 'berth-outside-');
    const pem = 'not a pem, but hashed like one\n';
    const linked = `sha256:${createHash('sha256').update(pem).digest('hex')}`;
    const fifo = `sha256:${'f'.repeat(64)}`;
    await writeFile(join(outside, 'x.pem'), pem);
    await mkdir(join(edge.dir, 'certs'), { recursive: true });
    await symlink(join(outside, 'x.pem'), join(edge.dir, 'certs', `sha256-${linked.slice(7)}.pem`));
    execFileSync('mkfifo', [join(edge.dir, 'certs', `sha256-${fifo.slice(7)}.pem`)]);
    const config = fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]);
    config.virtualHosts = [
      { ...config.virtualHosts[0]!, listeners: ['http', 'https'], certificate: linked },
      { host: 'b.test', listeners: ['http', 'https'], certificate: fifo, routes: [route('rb', 'Prefix', '/', [{ backend: 'web', weight: 1 }])] },
    ];
    config.certificates = [
      { id: linked, source: 'Secret/shop/a' },
      { id: fifo, source: 'Secret/shop/b' },
    ];
    const status = await edge.configure(config, 1);
    expect(status.certificates.map((c) => [c.id, c.state, /symbolic link|not a regular file/.test(c.error ?? '')])).toEqual([
      [linked, 'invalid', true],
      [fifo, 'invalid', true],
    ]);
    expect((await request(edge.port)).status).toBe(200);
  });

  it('rejects a config file that is a symlink or a FIFO and keeps serving', async () => {
    const { edge, config } = await servingEdge();
    const outside = await tempDir(defer, 'berth-outside-');
    const { fileName, content } = encodeEdgeConfig({ ...config, virtualHosts: [{ ...config.virtualHosts[0]!, host: 'linked.test' }] }, 2);
    await writeFile(join(outside, fileName), content);
    await symlink(join(outside, fileName), join(edge.dir, 'apps', 'shop', fileName));
    execFileSync('mkfifo', [join(edge.dir, 'apps', 'shop', encodeEdgeConfig(config, 3).fileName)]);
    const status = await waitFor(async () => {
      const s = await edge.readStatus();
      return s.apps.shop!.errors.length === 2 ? s : undefined;
    }, 'both files rejected');
    expect(status.apps.shop!.generation).toBe(1);
    expect(status.apps.shop!.errors.map((e) => e.generation).sort()).toEqual([2, 3]);
    expect((await request(edge.port)).status).toBe(200);
    expect((await request(edge.port, { host: 'linked.test' })).status).toBe(404);
  });

  it('ignores app directories that are symlinks', async () => {
    const { edge, config } = await servingEdge();
    const outside = await tempDir(defer, 'berth-outside-');
    const { fileName, content } = encodeEdgeConfig({ ...config, app: 'evil', virtualHosts: [{ ...config.virtualHosts[0]!, host: 'evil.test' }] }, 1);
    await writeFile(join(outside, fileName), content);
    await symlink(outside, join(edge.dir, 'apps', 'evil'));
    await edge.program.rescan();
    await edge.program.flushStatus();
    expect(Object.keys((await edge.readStatus()).apps)).toEqual(['shop']);
    expect((await request(edge.port, { host: 'evil.test' })).status).toBe(404);
  });

  it('writes status.json and owners.json without following a planted temp-file symlink', async () => {
    const web = await startHttpBackend(defer, 'web');
    const outside = await tempDir(defer, 'berth-outside-');
    const dir = await tempDir(defer, 'berth-edge-');
    for (const name of ['status.json', 'owners.json']) {
      await writeFile(join(outside, name), 'untouched');
      await symlink(join(outside, name), join(dir, `.${name}.${process.pid}.tmp`));
    }
    const edge = await startTestEdge(defer, { configDir: dir });
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    await waitFor(async () => (await readFile(join(dir, 'owners.json'), 'utf8').catch(() => '')).includes('shop'), 'owners.json written');
    expect(await readFile(join(outside, 'status.json'), 'utf8')).toBe('untouched');
    expect(await readFile(join(outside, 'owners.json'), 'utf8')).toBe('untouched');
  });

  it('gives a tampered owners.json no power beyond choosing among the apps that claim a host', async () => {
    const web = await startHttpBackend(defer, 'web');
    const dir = await tempDir(defer, 'berth-edge-');
    await writeFile(join(dir, 'owners.json'), JSON.stringify({ 'shop.test': 'evil', '__proto__': 'x', 'other.test': 'shop' }));
    const edge = await startTestEdge(defer, { configDir: dir });
    const status = await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    expect(status.apps.shop!.hosts).toEqual(['shop.test']);
    expect((await request(edge.port, { host: 'other.test' })).status).toBe(404);
    expect(JSON.parse(await readFile(join(dir, 'owners.json'), 'utf8'))).toEqual({ 'shop.test': 'shop' });
  });

  it('reports an owners.json that is a symlink and does not read through it', async () => {
    const outside = await tempDir(defer, 'berth-outside-');
    const dir = await tempDir(defer, 'berth-edge-');
    await writeFile(join(outside, 'o.json'), JSON.stringify({ 'shop.test': 'shop' }));
    await symlink(join(outside, 'o.json'), join(dir, 'owners.json'));
    const edge = await startTestEdge(defer, { configDir: dir });
    expect((await edge.readStatus()).errors.map((e) => e.code)).toEqual(['BAD_OWNERS']);
  });
});
