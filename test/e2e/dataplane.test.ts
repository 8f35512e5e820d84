import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../src/apply/docker.js';
import { getFile as getArchiveFile, putFile } from '../../src/apply/services/archive.js';
import type { DataplaneStatus, DnsConfig, DnsStatus, ProxyConfig, ProxyStatus } from '../../src/dataplane/protocol.js';
import { decodeStatus, encodeDnsConfig, encodeProxyConfig, STATUS_FILE } from '../../src/dataplane/protocol.js';
import { buildDataplaneTestImage, DNS_CONFIG_DIR, PROXY_CONFIG_DIR } from './dataplane-image.js';
import { systemClock } from '../../src/runtime/clock.js';

/**
 * The data plane on a real Docker engine, driven only through the Docker API the way berth will
 * drive it: config files go in with putArchive, acknowledgements come back with getArchive.
 * No berth process runs at any point, which is the point: traffic flows without one.
 */
const docker = createDockerClient({ clock: systemClock, ...(process.env.DOCKER_HOST ? { host: process.env.DOCKER_HOST } : {}) });
const api = docker.api;
const run = randomBytes(4).toString('hex');
const prefix = `berth-test-dp-${run}`;
const labels = { 'berth.test': 'dataplane', 'berth.test.run': run };
const image = `berth-test/dataplane:${run}`;
const network = `${prefix}-net`;
const created: { containers: string[]; network?: string; image?: string } = { containers: [] };

let proxy: Dockerode.Container;
let ipA = '';
let ipB = '';
let proxyIp = '';
let publishedPort = 0;

// ---------------------------------------------------------------- Docker helpers

async function createContainer(name: string, options: Omit<Dockerode.ContainerCreateOptions, 'name' | 'Image' | 'Labels'>): Promise<Dockerode.Container> {
  const c = await api.createContainer({ name: `${prefix}-${name}`, Image: image, Labels: labels, ...options });
  created.containers.push(c.id);
  return c;
}

function onNetwork(aliases: string[] = []): Pick<Dockerode.ContainerCreateOptions, 'NetworkingConfig'> {
  return { NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: aliases } } } };
}

async function ipOf(c: Dockerode.Container): Promise<string> {
  return (await c.inspect()).NetworkSettings.Networks[network]!.IPAddress;
}

/** One file out of a container, with berth's own reader (drains the archive before parsing it). */
async function getFile(c: Dockerode.Container, path: string): Promise<string> {
  const text = await getArchiveFile(c, path);
  if (text === undefined) throw new Error(`no file in the archive of ${path}`);
  return text;
}

async function readStatus(c: Dockerode.Container, dir: string): Promise<DataplaneStatus> {
  const decoded = decodeStatus(await getFile(c, `${dir}/${STATUS_FILE}`));
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.status;
}

async function waitForStatus<S extends DataplaneStatus>(c: Dockerode.Container, dir: string, accept: (s: S) => boolean, what: string): Promise<S> {
  const deadline = Date.now() + 30_000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const s = (await readStatus(c, dir)) as S;
      if (accept(s)) return s;
      last = s;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** Runs a one-shot container to completion and returns its stdout. */
async function runOnce(name: string, cmd: string[], extra: Partial<Dockerode.HostConfig> = {}): Promise<string> {
  const c = await createContainer(name, { Cmd: cmd, HostConfig: { NetworkMode: network, ...extra }, ...onNetwork() });
  await c.start();
  const result = (await Promise.race([c.wait(), new Promise((_, reject) => setTimeout(() => reject(new Error(`${name} did not finish`)), 60_000))])) as { StatusCode: number };
  const logs = demux((await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
  expect(result.StatusCode, logs.stderr).toBe(0);
  return logs.stdout;
}

/** Docker's multiplexed log format: 8-octet frame headers (stream, 0, 0, 0, size). */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Record<number, Buffer[]> = { 1: [], 2: [] };
  for (let pos = 0; pos + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(pos + 4);
    out[buf[pos]!]?.push(buf.subarray(pos + 8, pos + 8 + size));
    pos += 8 + size;
  }
  return { stdout: Buffer.concat(out[1]!).toString('utf8'), stderr: Buffer.concat(out[2]!).toString('utf8') };
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

function proxyConfig(readyB: boolean): ProxyConfig {
  return {
    service: { namespace: 'shop', name: 'web' },
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
    endpoints: [
      { name: 'web-a', ip: ipA, ready: true },
      { name: 'web-b', ip: ipB, ready: readyB },
    ],
    sessionAffinity: { type: 'None' },
  };
}

// ---------------------------------------------------------------- setup and cleanup

beforeAll(async () => {
  await buildDataplaneTestImage(docker, image);
  created.image = image;
  const net = await api.createNetwork({ Name: network, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
  created.network = net.id;
  const backends = await Promise.all(
    ['a', 'b'].map((id) =>
      createContainer(`backend-${id}`, { Cmd: ['node', '/app/backend.mjs'], Env: [`ID=${id}`, 'PORT=8080'], HostConfig: { NetworkMode: network }, ...onNetwork() }),
    ),
  );
  proxy = await createContainer('proxy', {
    Cmd: ['node', '/app/proxy.js', '--config-dir', PROXY_CONFIG_DIR, '--poll-ms', '200', '--status-ms', '500'],
    ExposedPorts: { '80/tcp': {} },
    HostConfig: { NetworkMode: network, PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    ...onNetwork(['web', 'web.shop', 'web.shop.svc', 'web.shop.svc.cluster.local']),
  });
  await Promise.all([...backends, proxy].map((c) => c.start()));
  [ipA, ipB, proxyIp] = await Promise.all([...backends, proxy].map(ipOf)) as [string, string, string];
  const ports = (await proxy.inspect()).NetworkSettings.Ports['80/tcp'];
  publishedPort = Number(ports?.[0]?.HostPort);
  expect(publishedPort).toBeGreaterThan(0);
});

afterAll(async () => {
  // Only what this run created, by id; each step goes on even if an earlier one failed.
  await Promise.all(created.containers.map((id) => api.getContainer(id).remove({ force: true }).catch(() => undefined)));
  if (created.network) await api.getNetwork(created.network).remove().catch(() => undefined);
  if (created.image) await api.getImage(created.image).remove({ force: true }).catch(() => undefined);
});

// ---------------------------------------------------------------- tests

describe('data plane in containers (real Docker engine)', () => {
  it('the proxy applies a config uploaded with putArchive and acknowledges it in status.json', async () => {
    // The program acknowledges start-up with a status of generation 0 before any config exists.
    const before = await waitForStatus<ProxyStatus>(proxy, PROXY_CONFIG_DIR, () => true, 'the proxy to start');
    expect(before).toMatchObject({ kind: 'proxy', generation: 0, errors: [] });
    const { fileName, content } = encodeProxyConfig(proxyConfig(true), 1);
    await putFile(proxy, PROXY_CONFIG_DIR, fileName, content);
    const status = await waitForStatus<ProxyStatus>(proxy, PROXY_CONFIG_DIR, (s) => s.generation === 1, 'generation 1');
    expect(status.listening).toEqual([{ name: 'http', protocol: 'TCP', port: 80, state: 'listening' }]);
    expect(status.endpoints.map((e) => [e.name, e.ip, e.state])).toEqual([
      ['web-a', ipA, 'serving'],
      ['web-b', ipB, 'serving'],
    ]);
  });

  it('balances host traffic on the published port across both backends', async () => {
    const bodies: string[] = [];
    for (let i = 0; i < 20; i++) bodies.push(await httpGet(publishedPort));
    expect(bodies.filter((b) => b === 'a')).toHaveLength(10);
    expect(bodies.filter((b) => b === 'b')).toHaveLength(10);
    const status = await waitForStatus<ProxyStatus>(proxy, PROXY_CONFIG_DIR, (s) => s.endpoints.reduce((n, e) => n + e.total, 0) >= 20, 'connection counts');
    expect(status.endpoints.every((e) => e.total >= 10 && e.failures === 0)).toBe(true);
  });

  it('balances traffic from a container that uses the service DNS aliases', async () => {
    const viaFull = JSON.parse(await runOnce('client-full', ['node', '/app/http-client.mjs', 'http://web.shop.svc.cluster.local/', '10'])) as string[];
    const viaShort = JSON.parse(await runOnce('client-short', ['node', '/app/http-client.mjs', 'http://web/', '10'])) as string[];
    expect(new Set(viaFull)).toEqual(new Set(['a', 'b']));
    expect(new Set(viaShort)).toEqual(new Set(['a', 'b']));
  });

  it('ignores a partially extracted config and applies the next complete one', async () => {
    const next = encodeProxyConfig(proxyConfig(false), 2);
    await putFile(proxy, PROXY_CONFIG_DIR, next.fileName, next.content.slice(0, Math.floor(next.content.length / 2)));
    const rejected = await waitForStatus<ProxyStatus>(proxy, PROXY_CONFIG_DIR, (s) => s.errors.length > 0, 'the partial file to be reported');
    expect(rejected.generation).toBe(1);
    expect(rejected.errors).toEqual([expect.objectContaining({ code: 'NOT_JSON', file: 'config-2.json' })]);
    expect(new Set(await Promise.all(Array.from({ length: 6 }, () => httpGet(publishedPort))))).toEqual(new Set(['a', 'b']));

    await putFile(proxy, PROXY_CONFIG_DIR, next.fileName, next.content);
    const applied = await waitForStatus<ProxyStatus>(proxy, PROXY_CONFIG_DIR, (s) => s.generation === 2, 'generation 2');
    expect(applied.errors).toEqual([]);
    expect(applied.endpoints.find((e) => e.name === 'web-b')?.state).toBe('not-ready');
    const bodies: string[] = [];
    for (let i = 0; i < 10; i++) bodies.push(await httpGet(publishedPort));
    expect(new Set(bodies)).toEqual(new Set(['a']));
  });

  it('the DNS container answers headless, SRV and ExternalName names for pods and forwards the rest to Docker', async () => {
    const dns = await createContainer('dns', { Cmd: ['node', '/app/dns.js', '--config-dir', DNS_CONFIG_DIR, '--poll-ms', '200'], HostConfig: { NetworkMode: network }, ...onNetwork() });
    await dns.start();
    const dnsIp = await ipOf(dns);
    const records: DnsConfig = {
      domain: 'cluster.local',
      ttlSeconds: 5,
      services: [
        { namespace: 'shop', name: 'web', type: 'ClusterIP', ports: [{ name: 'http', protocol: 'TCP', port: 80 }], endpoints: [] },
        {
          namespace: 'shop',
          name: 'db',
          type: 'Headless',
          ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
          endpoints: [
            { ip: ipA, ready: true, hostname: 'db-0' },
            { ip: ipB, ready: true },
          ],
        },
        { namespace: 'shop', name: 'ext', type: 'ExternalName', externalName: 'web.shop.svc.cluster.local', ports: [], endpoints: [] },
      ],
    };
    const { fileName, content } = encodeDnsConfig(records, 1);
    await putFile(dns, DNS_CONFIG_DIR, fileName, content);
    const status = await waitForStatus<DnsStatus>(dns, DNS_CONFIG_DIR, (s) => s.generation === 1, 'dns generation 1');
    expect(status.listening.map((l) => `${l.protocol}/${l.port}/${l.state}`)).toEqual(['UDP/53/listening', 'TCP/53/listening']);

    // The client's resolver is Docker's embedded DNS; it answers the proxy's aliases itself and
    // forwards what it does not know to the configured DNS server: ours.
    const answers = JSON.parse(await runOnce('dns-client', ['node', '/app/dns-client.mjs'], { Dns: [dnsIp] })) as Record<string, unknown>;
    const dashedB = ipB.replaceAll('.', '-');
    expect(answers).toEqual({
      clusterIp: [proxyIp],
      short: [proxyIp],
      headless: [ipA, ipB].sort(),
      srv: [
        { name: `${dashedB}.db.shop.svc.cluster.local`, port: 8080, priority: 0, weight: 50 },
        { name: 'db-0.db.shop.svc.cluster.local', port: 8080, priority: 0, weight: 50 },
      ].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1)),
      cname: ['web.shop.svc.cluster.local'],
      externalA: [proxyIp],
      missing: 'ERR ENOTFOUND',
    });
  });
});
