import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerProbeRunner, createProber, httpGetProbe, type HttpGetProbeAction } from '../../../src/apply/probes/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { container, pod, probe } from './builders.js';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';
import { DEFAULT_HOST_POLICY } from '../../../src/model/policy.js';

let server: LoopbackServer;
let other: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer();
  other = await startLoopbackServer();
});
afterAll(async () => {
  await server.close();
  await other.close();
});

const get = (path: string, extra: Partial<HttpGetProbeAction> = {}) =>
  httpGetProbe({ host: '127.0.0.1', port: server.port, path, scheme: 'HTTP', headers: [], ...extra }, new AbortController().signal);

describe('httpGetProbe against a loopback server', () => {
  const statuses: [code: number, ok: boolean][] = [
    [200, true],
    [204, true],
    [302, true], // a redirect without Location is a 3xx answer, which passes
    [399, true],
    [400, false],
    [404, false],
    [500, false],
    [503, false],
  ];
  it.each(statuses)('status %s → ok %s', async (code, ok) => {
    const outcome = await get(`/status/${code}`);
    expect(outcome).toEqual({
      ok,
      message: ok ? `HTTP probe succeeded with statuscode: ${code}` : `HTTP probe failed with statuscode: ${code}`,
    });
  });

  const redirects: { name: string; to: () => string; ok: boolean; message: () => string }[] = [
    { name: 'same host, relative: followed', to: () => '/status/200', ok: true, message: () => 'HTTP probe succeeded with statuscode: 200' },
    { name: 'same host, to a failing page: followed, fails', to: () => '/status/500', ok: false, message: () => 'HTTP probe failed with statuscode: 500' },
    { name: 'same host name on another port: followed', to: () => `http://127.0.0.1:${other.port}/status/204`, ok: true, message: () => 'HTTP probe succeeded with statuscode: 204' },
    { name: 'another host: not followed, passes', to: () => 'http://probe-target.invalid/status/500', ok: true, message: () => 'HTTP probe succeeded with statuscode: 302 (redirect to probe-target.invalid not followed)' },
    { name: 'a loop: stops after 10 requests', to: () => '/loop', ok: false, message: () => `GET http://127.0.0.1:${server.port}/loop: stopped after 10 redirects` },
  ];
  for (const r of redirects) {
    it(`redirect to ${r.name}`, async () => {
      const outcome = await get(`/redirect?to=${encodeURIComponent(r.to())}`);
      expect(outcome).toEqual({ ok: r.ok, message: r.message() });
    });
  }

  it('a redirect loop costs at most 10 requests', async () => {
    const before = server.requests.length;
    expect((await get('/loop')).ok).toBe(false);
    expect(server.requests.slice(before).map((r) => r.url)).toEqual(Array(10).fill('/loop'));
  });

  it('sends the probe headers, a Host override and kubelet-like defaults', async () => {
    const headers = [
      { name: 'Host', value: 'web.example' },
      { name: 'X-Probe', value: 'berth' },
      { name: 'X-Multi', value: 'a' },
      { name: 'x-multi', value: 'b' },
    ];
    expect((await get('/headers', { headers })).ok).toBe(true);
    const seen = server.requests.at(-1);
    expect(seen?.url).toBe('/headers');
    expect(seen?.headers).toMatchObject({
      host: 'web.example',
      'x-probe': 'berth',
      'x-multi': 'a, b',
      'user-agent': 'berth-probe/1',
      accept: '*/*',
      connection: 'close',
    });
  });

  it('a User-Agent from the probe replaces the default', async () => {
    await get('/ua', { headers: [{ name: 'User-Agent', value: 'custom/2' }] });
    expect(server.requests.at(-1)?.headers['user-agent']).toBe('custom/2');
  });

  it('a large body does not hold the probe up', async () => {
    expect(await get('/big')).toEqual({ ok: true, message: 'HTTP probe succeeded with statuscode: 200' });
  });

  it('a refused connection fails with the cause', async () => {
    const closed = await startLoopbackServer();
    await closed.close();
    const outcome = await httpGetProbe(
      { host: '127.0.0.1', port: closed.port, path: '/', scheme: 'HTTP', headers: [] },
      new AbortController().signal,
    );
    expect(outcome).toEqual({ ok: false, message: `GET http://127.0.0.1:${closed.port}/: connect ECONNREFUSED 127.0.0.1:${closed.port}` });
  });

  it('aborting the signal tears down a request the server never answers', async () => {
    const arrived = server.nextSlowRequest();
    const abort = new AbortController();
    const outcome = httpGetProbe({ host: '127.0.0.1', port: server.port, path: '/slow', scheme: 'HTTP', headers: [] }, abort.signal);
    const { closed } = await arrived;
    abort.abort();
    expect(await outcome).toEqual({ ok: false, message: `GET http://127.0.0.1:${server.port}/slow: request cancelled (timeout)` });
    await closed;
  });
});

describe('httpGetProbe over HTTPS', () => {
  let dir: string;
  let secure: LoopbackServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-probes-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=berth-probe-test',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    secure = await startLoopbackServer({ key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') });
  });
  afterAll(async () => {
    await secure?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a self-signed certificate, as kubelet does', async () => {
    const outcome = await httpGetProbe(
      { host: '127.0.0.1', port: secure.port, path: '/status/200', scheme: 'HTTPS', headers: [] },
      new AbortController().signal,
    );
    expect(outcome).toEqual({ ok: true, message: 'HTTP probe succeeded with statuscode: 200' });
  });
});

describe('prober with the real HTTP runner on a fake clock', () => {
  it('a server that never answers fails after timeoutSeconds and the connection is closed', async () => {
    const clock = new FakeClock();
    // The HTTP runner never touches Docker; the client points nowhere to make that plain.
    const runner = createDockerProbeRunner(new Dockerode({ socketPath: '/nonexistent/docker.sock' }));
    // The test server listens on loopback: a host the policy must name.
    const prober = createProber({ runner, clock, policy: { ...DEFAULT_HOST_POLICY, allowedProbeHosts: ['127.0.0.1'] } });
    try {
      const arrived = server.nextSlowRequest();
      const readiness = probe({ httpGet: { path: '/slow', port: server.port, host: '127.0.0.1', scheme: 'HTTP' } }, { timeoutSeconds: 1, failureThreshold: 1 });
      prober.update([pod([container(clock.now(), { readinessProbe: readiness })])]);
      await clock.advance(0);
      const { closed } = await arrived;
      expect(prober.status('default/web')?.containers.app?.lastResult).toBeUndefined();

      await clock.advance(1000);
      expect(prober.status('default/web')?.containers.app).toMatchObject({
        ready: false,
        lastResult: { kind: 'readiness', ok: false, message: `HTTP GET 127.0.0.1:${server.port}/slow: timed out after 1s` },
      });
      await closed;
    } finally {
      await prober.stop();
    }
  });
});
