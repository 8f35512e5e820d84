import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../src/apply/docker.js';
import { ensureDataplaneImage } from '../../src/apply/images/dataplane.js';
import type { SwarmProxySpec } from '../../src/dataplane/swarm-proxy-spec.js';
import { encodeSwarmProxySpec, SWARM_PROXY_ENV, swarmProxyHealthcheck } from '../../src/dataplane/swarm-proxy-spec.js';
import { systemClock } from '../../src/runtime/clock.js';

/**
 * The Swarm service proxy in berth's real data-plane image, on the host's dockerd (no Swarm):
 * a user-defined bridge network's embedded DNS answers `tasks.demo` with the addresses of the
 * containers carrying that alias, as a Swarm overlay's answers `tasks.<service>` with its
 * running tasks. The backends are the example web app, which on SIGTERM stops accepting and
 * finishes what is in flight, as a Kubernetes pod should.
 */
const docker = createDockerClient({ clock: systemClock, ...(process.env.DOCKER_HOST ? { host: process.env.DOCKER_HOST } : {}) });
const api = docker.api;
const run = randomBytes(4).toString('hex');
const prefix = `berth-test-swproxy-${run}`;
const labels = { 'berth.test': 'swarm-proxy', 'berth.test.run': run };
const network = `${prefix}-net`;
const WEB_IMAGE = 'berth-examples/web:1.0';
const RESOLVE_MS = 500;
const created: { containers: string[]; network?: string } = { containers: [] };

let proxy: Dockerode.Container;
let port = 0;
const backends = new Map<string, Dockerode.Container>();

async function startBackend(id: string, alias = 'tasks.demo', env: string[] = []): Promise<Dockerode.Container> {
  const c = await api.createContainer({
    name: `${prefix}-${id}`,
    Image: WEB_IMAGE,
    Hostname: id,
    Labels: labels,
    Env: ['PORT=8080', ...env],
    HostConfig: { NetworkMode: network },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [alias] } } },
  });
  created.containers.push(c.id);
  backends.set(id, c);
  await c.start();
  return c;
}

/** One request on a new connection (each one is balanced anew); the answering backend's id. */
function get(to = port): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: to, path: '/', agent: false, timeout: 15_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve((JSON.parse(body) as { pod: string }).pod) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

async function proxyLogs(of = proxy): Promise<Array<Record<string, unknown>>> {
  const raw = (await of.logs({ stdout: true, stderr: true })) as unknown as Buffer;
  // Docker multiplexes the streams in 8-byte-headed frames (no TTY).
  const lines: string[] = [];
  for (let i = 0; i + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(i + 4);
    lines.push(...raw.subarray(i + 8, i + 8 + size).toString('utf8').split('\n'));
    i += 8 + size;
  }
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** When the example app logged `listening` (Docker's timestamp of the line, same host clock as ours). */
async function listeningTime(c: Dockerode.Container): Promise<number> {
  const raw = ((await c.logs({ stdout: true, timestamps: true })) as unknown as Buffer).toString('utf8');
  const line = raw.split('\n').find((l) => l.includes('"listening"'));
  const stamp = line ? /(\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(line)?.[1] : undefined;
  if (!stamp) throw new Error(`no listening line in ${JSON.stringify(raw)}`);
  return Date.parse(stamp);
}

async function until<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}; proxy log: ${JSON.stringify(await proxyLogs().catch(() => []))}`);
}

const spec: SwarmProxySpec = {
  service: { namespace: 'default', name: 'demo' },
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
  sessionAffinity: { type: 'None' },
  backends: ['tasks.demo'],
  resolveMs: RESOLVE_MS,
};

let image = '';

/** A proxy container running `proxySpec`, its port 80 published on loopback; waits for its healthcheck. */
async function startProxy(id: string, proxySpec: SwarmProxySpec): Promise<{ container: Dockerode.Container; port: number }> {
  const container = await api.createContainer({
    name: `${prefix}-${id}`,
    Image: image,
    Labels: labels,
    Cmd: ['node', '/app/swarm-proxy.js'],
    Env: [`${SWARM_PROXY_ENV}=${encodeSwarmProxySpec(proxySpec)}`],
    // What berth gives the proxy's Swarm service, so Swarm names a proxy task only once it listens.
    Healthcheck: { Test: swarmProxyHealthcheck(proxySpec), Interval: 300_000_000, Timeout: 2_000_000_000, Retries: 3 },
    ExposedPorts: { '80/tcp': {} },
    HostConfig: { NetworkMode: network, PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  created.containers.push(container.id);
  await container.start();
  const published = Number((await container.inspect()).NetworkSettings.Ports['80/tcp']?.[0]?.HostPort);
  expect(published).toBeGreaterThan(0);
  await until(async () => ((await container.inspect()).State.Health?.Status === 'healthy' ? true : undefined), `the ${id} healthcheck to pass`);
  return { container, port: published };
}

beforeAll(async () => {
  image = await ensureDataplaneImage(docker);
  const net = await api.createNetwork({ Name: network, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
  created.network = net.id;
  await Promise.all(['b1', 'b2'].map((id) => startBackend(id)));
  ({ container: proxy, port } = await startProxy('proxy', spec));
});

afterAll(async () => {
  await Promise.all(created.containers.map((id) => api.getContainer(id).remove({ force: true }).catch(() => undefined)));
  if (created.network) await api.getNetwork(created.network).remove().catch(() => undefined);
});

describe('Swarm service proxy in the data-plane image', () => {
  it('balances requests over every container the backend name resolves to', async () => {
    await until(async () => ((await proxyLogs()).some((l) => l.msg === 'reconfigured' && l.endpoints === 2) ? true : undefined), 'both backends resolved');
    const pods: string[] = [];
    for (let i = 0; i < 40; i++) pods.push(await get());
    const count = (id: string) => pods.filter((p) => p === id).length;
    // Round-robin over new connections: an even split, give or take a connection that failed over.
    expect(count('b1')).toBeGreaterThanOrEqual(15);
    expect(count('b2')).toBeGreaterThanOrEqual(15);
    expect(count('b1') + count('b2')).toBe(40);
  });

  it('fails no request while a backend stops, and takes a new one in within about resolveMs', async () => {
    let stop = false;
    const answers: Array<{ pod: string; at: number }> = [];
    const failures: string[] = [];
    const client = async () => {
      while (!stop) {
        await get().then(
          (pod) => void answers.push({ pod, at: Date.now() }),
          (err: Error) => void failures.push(err.message),
        );
      }
    };
    const clients = [client(), client()];
    try {
      await until(async () => (answers.length >= 20 ? true : undefined), 'traffic flowing');
      // Graceful: SIGTERM, the app closes its listener and finishes what is in flight.
      await backends.get('b1')!.stop({ t: 10 });
      const stoppedAt = Date.now();
      // Within a resolve interval (plus a connect timeout for a request already trying it) only b2 answers.
      await new Promise((r) => setTimeout(r, RESOLVE_MS + 2_500));
      expect(answers.filter((a) => a.at > stoppedAt + RESOLVE_MS + 2_500 - 1_000).map((a) => a.pod)).not.toContain('b1');

      const b3 = await startBackend('b3');
      const firstB3 = await until(async () => answers.find((a) => a.pod === 'b3'), 'b3 answering');
      // Docker adds the alias as the container starts; the proxy picks the address up on its next
      // round. Measured from the app's own "listening" line, so a slow node start on a busy host
      // does not count against the proxy.
      const listeningAt = await listeningTime(b3);
      expect(firstB3.at - listeningAt).toBeLessThan(RESOLVE_MS + 1_000);
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    expect(failures).toEqual([]);
    expect(answers.length).toBeGreaterThan(50);
    const reconfigured = (await proxyLogs()).filter((l) => l.msg === 'reconfigured').map((l) => l.endpoints);
    expect(reconfigured.slice(-2)).toEqual([1, 2]);
  });
});

describe('Swarm service proxy readiness in the data-plane image', () => {
  // The example app answers /healthz with 503 until READY_AFTER_MS after it started.
  const READY_AFTER_MS = 6_000;
  const probed: SwarmProxySpec = {
    ...spec,
    service: { namespace: 'default', name: 'probed' },
    backends: ['tasks.probed'],
    readiness: [{ backend: 'tasks.probed', httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1 }],
  };

  it('sends no request to a task whose readiness probe fails while another is ready, and sends it requests once it passes', async () => {
    await startBackend('r1', 'tasks.probed');
    const p = await startProxy('proxy-probed', probed);
    await until(async () => ((await get(p.port)) === 'r1' ? true : undefined), 'r1 ready and answering');

    const r2 = await startBackend('r2', 'tasks.probed', [`READY_AFTER_MS=${READY_AFTER_MS}`]);
    const listeningAt = await until(() => listeningTime(r2).catch(() => undefined), 'r2 listening');
    const answers: Array<{ pod: string; at: number }> = [];
    const failures: string[] = [];
    // Requests all through r2's unready time and on until it has answered a few.
    while (answers.filter((a) => a.pod === 'r2').length < 5) {
      if (Date.now() - listeningAt > READY_AFTER_MS + 20_000) throw new Error(`r2 never answered; proxy log: ${JSON.stringify(await proxyLogs(p.container))}`);
      await get(p.port).then(
        (pod) => void answers.push({ pod, at: Date.now() }),
        (err: Error) => void failures.push(err.message),
      );
    }
    expect(failures).toEqual([]);
    const firstR2 = answers.find((a) => a.pod === 'r2')!.at;
    // Not before its /healthz passed (READY_AFTER_MS after the app started, just before it listened),
    // and soon after: a probe period plus a resolve interval.
    expect(firstR2 - listeningAt).toBeGreaterThanOrEqual(READY_AFTER_MS - 500);
    expect(firstR2 - listeningAt).toBeLessThan(READY_AFTER_MS + 1_000 + RESOLVE_MS + 1_500);
    // r1 answered everything while r2 was not ready.
    const unready = answers.filter((a) => a.at < listeningAt + READY_AFTER_MS - 500);
    expect(new Set(unready.map((a) => a.pod))).toEqual(new Set(['r1']));
    expect(unready.length).toBeGreaterThan(20);
    // And once ready, it takes its share.
    const after = await Promise.all(Array.from({ length: 20 }, () => get(p.port)));
    expect(after.filter((pod) => pod === 'r2').length).toBeGreaterThanOrEqual(5);

    const verdicts = (await proxyLogs(p.container)).filter((l) => l.msg === 'endpoint ready' || l.msg === 'endpoint not ready').map((l) => [l.msg, l.result]);
    expect(verdicts).toEqual([
      ['endpoint ready', 'HTTP 200'],
      // Why depends on how far r2 got when first probed: no answer or refused before its app listens, 503 after.
      ['endpoint not ready', expect.stringMatching(/^(HTTP 503|GET \/healthz: ECONNREFUSED|timed out after 1 s)$/)],
      ['endpoint ready', 'HTTP 200'],
    ]);
  });
});
