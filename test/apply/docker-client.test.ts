import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createDockerClient, dockerError, isMutating, operationName } from '../../src/apply/docker.js';
import { systemClock } from '../../src/runtime/clock.js';

describe('operationName', () => {
  it.each([
    ['GET', '/v1.41/containers/json?all=1', 'GET /containers/json'],
    ['GET', '/containers/3f2a9c/json?', 'GET /containers/{id}/json'],
    ['POST', '/containers/create?name=x', 'POST /containers/create'],
    ['POST', '/containers/abc/start?', 'POST /containers/{id}/start'],
    ['DELETE', '/containers/abc?force=true', 'DELETE /containers/{id}'],
    ['GET', '/images/berth/pause:1/json', 'GET /images/{name}/json'],
    ['POST', '/images/create?fromSrc=-', 'POST /images/create'],
    ['POST', '/exec/123/start', 'POST /exec/{id}/start'],
    ['GET', '/networks?filters=x', 'GET /networks'],
    ['DELETE', '/volumes/berth_x', 'DELETE /volumes/{id}'],
  ])('%s %s → %s', (method, path, want) => {
    expect(operationName(method, path)).toBe(want);
  });
});

describe('Docker call deadline', () => {
  it('turns an engine that never answers into DOCKER_UNREACHABLE naming the call', async () => {
    // A "dockerd" that accepts the request and never responds, like the wedged network controller.
    const server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const docker = createDockerClient({ host: `tcp://127.0.0.1:${port}`, requestTimeoutMs: 300, clock: systemClock });
      const started = Date.now();
      const err = await docker.api.listNetworks().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(5000);
      const wrapped = dockerError(err, 'listing networks');
      expect(wrapped.code).toBe('DOCKER_UNREACHABLE');
      expect(wrapped.message).toContain('GET /networks');
      expect(docker.calls.byOperation.get('GET /networks')).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('Docker call latency by operation', () => {
  it('sums, per operation, the clock time from sending each call to its answer', async () => {
    // A "dockerd" that answers every list with an empty one; the clock advances 7 ms per reading.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    let t = 0;
    const clock = { ...systemClock, now: () => (t += 7) };
    try {
      const docker = createDockerClient({ host: `tcp://127.0.0.1:${port}`, clock });
      await docker.api.listNetworks();
      await docker.api.listNetworks();
      await docker.api.listContainers();
      expect(docker.calls.byOperation.get('GET /networks')).toBe(2);
      expect(docker.calls.msByOperation?.get('GET /networks')).toBe(14);
      expect(docker.calls.msByOperation?.get('GET /containers/json')).toBe(7);
      docker.calls.reset();
      expect(docker.calls.msByOperation?.size).toBe(0);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('isMutating', () => {
  it.each([
    ['POST /containers/create', true],
    ['DELETE /containers/{id}', true],
    ['POST /containers/{id}/start', true],
    ['GET /containers/json', false],
    ['HEAD /images/{name}', false],
    ['POST /containers/{id}/exec', false],
    ['POST /exec/{id}/start', false],
    ['POST /exec/{id}/resize', false],
  ])('%s: %s', (op, expected) => {
    expect(isMutating(op)).toBe(expected);
  });
});

describe('onCall', () => {
  // The daemon takes the create events of the containers it asked for as its own (runtime/daemon/own-creates.ts).
  it.each([
    { call: 'createContainer', want: ['POST /containers/create', true, 'berth_a_default_web-abc_main'] },
    { call: 'listNetworks', want: ['GET /networks', false, undefined] },
    // A web terminal or an exec probe during a pass is not the pass's first change (its latency metric).
    { call: 'exec', want: ['POST /containers/{id}/exec', false, undefined] },
  ])('$call: the operation, whether it mutates, and the name a create asks for', async ({ call, want }) => {
    const server = createServer((req, res) => {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(req.method === 'POST' ? '{"Id":"c1"}' : '[]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const seen: unknown[][] = [];
      const docker = createDockerClient({ host: `tcp://127.0.0.1:${port}`, clock: systemClock, onCall: (...args) => seen.push(args) });
      if (call === 'createContainer') await docker.api.createContainer({ name: 'berth_a_default_web-abc_main', Image: 'x' });
      else if (call === 'exec') await docker.api.getContainer('c1').exec({ Cmd: ['true'] });
      else await docker.api.listNetworks();
      expect(seen).toEqual([want]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
