import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DockerClient } from '../../../src/apply/docker.js';
import { ensureSwarmImage, pushFailureHint, registryHasManifest, swarmImageRef } from '../../../src/apply/swarm/images.js';
import { BerthError } from '../../../src/model/errors.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A registry stand-in on loopback answering every request with `status`, recording what it was asked. */
async function registry(status: number): Promise<{ address: string; requests: Array<{ method?: string; url?: string; accept?: string }> }> {
  const requests: Array<{ method?: string; url?: string; accept?: string }> = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, accept: req.headers.accept });
    res.writeHead(status).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function errorOf(fn: () => unknown): BerthError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BerthError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('swarmImageRef', () => {
  it.each([
    ['an IPv4 registry', 'berth/dataplane:0123abcd', '10.215.0.1:5000', { repo: '10.215.0.1:5000/berth/dataplane', tag: '0123abcd', ref: '10.215.0.1:5000/berth/dataplane:0123abcd', manifestUrl: 'http://10.215.0.1:5000/v2/berth/dataplane/manifests/0123abcd' }],
    ['a named registry', 'berth/pause:p-1.0', 'registry.lab:443', { repo: 'registry.lab:443/berth/pause', tag: 'p-1.0', ref: 'registry.lab:443/berth/pause:p-1.0', manifestUrl: 'http://registry.lab:443/v2/berth/pause/manifests/p-1.0' }],
    ['an IPv6 registry', 'berth/dataplane:x', '[fd00::1]:5000', { repo: '[fd00::1]:5000/berth/dataplane', tag: 'x', ref: '[fd00::1]:5000/berth/dataplane:x', manifestUrl: 'http://[fd00::1]:5000/v2/berth/dataplane/manifests/x' }],
  ])('%s', (_name, local, reg, want) => {
    expect(swarmImageRef(local, reg)).toEqual(want);
  });

  it.each(['', '10.0.0.1', 'http://10.0.0.1:5000', '10.0.0.1:5000/v2', '10.0.0.1:0', '10.0.0.1:70000', 'bad_host:5000', ' 10.0.0.1:5000'])('refuses the registry %j as a usage error', (reg) => {
    const err = errorOf(() => swarmImageRef('berth/dataplane:x', reg));
    expect(err.code).toBe('USAGE');
    expect(err.data).toMatchObject({ value: reg, hint: expect.stringContaining('e.g. 10.0.0.1:5000') });
  });

  it.each(['berth/dataplane', 'localhost:5000/berth/dataplane:x', 'registry.lab/berth/dataplane:x', 'berth/dataplane@sha256:abc', 'Berth/dataplane:x'])('refuses %j as its own local ref (a bug, not input)', (local) => {
    expect(errorOf(() => swarmImageRef(local, '10.0.0.1:5000')).code).toBe('INTERNAL');
  });
});

describe('pushFailureHint', () => {
  const reg = '10.215.0.1:5000';
  it.each([
    ['an engine that wants HTTPS', 'Get "https://10.215.0.1:5000/v2/": http: server gave HTTP response to HTTPS client', 'insecure-registries'],
    ['a certificate the engine does not trust', 'Get "https://10.215.0.1:5000/v2/": x509: certificate signed by unknown authority', 'insecure-registries'],
    ['nothing listening', 'Get "http://10.215.0.1:5000/v2/": dial tcp 10.215.0.1:5000: connect: connection refused', 'not reachable from the Swarm manager'],
    ['no route', 'Get "http://10.215.0.1:5000/v2/": dial tcp 10.215.0.1:5000: connect: no route to host', 'not reachable from the Swarm manager'],
    ['a name that does not resolve', 'Get "http://registry.lab:5000/v2/": dial tcp: lookup registry.lab: no such host', 'not reachable from the Swarm manager'],
    ['a registry that wants credentials', 'unauthorized: authentication required', 'refuses anonymous pushes'],
    ['anything else', 'received unexpected HTTP status: 500 Internal Server Error', 'is a Docker registry (v2 API)'],
  ])('%s', (_name, message, says) => {
    expect(pushFailureHint(message, reg)).toContain(says);
  });
});

describe('registryHasManifest', () => {
  it('asks the registry with HEAD for the tag\'s manifest, accepting the manifest types Docker pushes', async () => {
    const r = await registry(200);
    expect(await registryHasManifest(`http://${r.address}/v2/berth/dataplane/manifests/abc`)).toBe(true);
    expect(r.requests).toEqual([{ method: 'HEAD', url: '/v2/berth/dataplane/manifests/abc', accept: expect.stringContaining('application/vnd.docker.distribution.manifest.v2+json') }]);
  });

  it.each([
    [404, false],
    [401, undefined],
    [500, undefined],
  ])('reads %i as %s', async (status, want) => {
    const r = await registry(status);
    expect(await registryHasManifest(`http://${r.address}/v2/x/manifests/y`)).toBe(want);
  });

  it('cannot say when nothing answers', async () => {
    const r = await registry(200);
    await new Promise((done) => servers.pop()!.close(done));
    expect(await registryHasManifest(`http://${r.address}/v2/x/manifests/y`)).toBeUndefined();
  });
});

describe('ensureSwarmImage', () => {
  it('touches no image when the registry already has the tag (tags are content hashes)', async () => {
    const r = await registry(200);
    const untouchable = new Proxy({}, { get: (_t, prop) => { throw new Error(`Docker was called: ${String(prop)}`); } });
    const docker = { api: untouchable } as unknown as DockerClient;
    expect(await ensureSwarmImage(docker, 'berth/dataplane:abc', r.address)).toBe(`${r.address}/berth/dataplane:abc`);
    expect(r.requests.map((q) => q.method)).toEqual(['HEAD']);
  });
});
