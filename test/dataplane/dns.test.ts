import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { startDnsProgram, type DnsProgram } from '../../src/dataplane/dns-program.js';
import { buildQuery, encodeMessage, parseMessage, RCODE, TYPE } from '../../src/dataplane/dns-wire.js';
import type { DnsConfig } from '../../src/dataplane/protocol.js';
import { encodeDnsConfig } from '../../src/dataplane/protocol.js';
import type { Defer } from './helpers.js';
import { freePort, memoryLogger, tempDir, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();

// ---------------------------------------------------------------- a fake upstream resolver

interface FakeUpstream {
  port: number;
  /** Questions received, with the message ID each arrived with. */
  seen: Array<{ id: number; name: string; type: number; via: 'udp' | 'tcp' }>;
}

/** Reads the question of a query by hand (independent of the code under test). */
function question(msg: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let pos = 12;
  while (msg[pos] !== 0) {
    labels.push(msg.toString('latin1', pos + 1, pos + 1 + msg[pos]!));
    pos += 1 + msg[pos]!;
  }
  return { name: labels.join('.'), type: msg.readUInt16BE(pos + 1), end: pos + 5 };
}

const u16 = (n: number) => [n >> 8, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/**
 * Answers built byte by byte with compression pointers, as real resolvers send them:
 *   example.test A        → 192.0.2.10            (owner = pointer to the question)
 *   alias.example.test A  → CNAME example.test (pointer into the question name) + its A
 *   ext-target.test A     → 192.0.2.20
 *   *.svc.cluster.local A → 172.30.0.5             (stands in for Docker's embedded DNS)
 *   slow.test             → never answers
 *   anything else         → NXDOMAIN
 */
function fakeAnswer(query: Buffer): Buffer | undefined {
  const q = question(query);
  const head = (rcode: number, ancount: number) => [...u16(query.readUInt16BE(0)), 0x81, 0x80 | rcode, ...u16(1), ...u16(ancount), 0, 0, 0, 0];
  const qsection = [...query.subarray(12, q.end)];
  const a = (ownerPtr: number, ip: string) => [0xc0 | (ownerPtr >> 8), ownerPtr & 0xff, ...u16(TYPE.A), ...u16(1), ...u32(60), ...u16(4), ...ip.split('.').map(Number)];
  const name = q.name.toLowerCase();
  if (name === 'slow.test') return undefined;
  if (q.type === TYPE.A && name === 'example.test') return Buffer.from([...head(0, 1), ...qsection, ...a(12, '192.0.2.10')]);
  if (q.type === TYPE.A && name === 'ext-target.test') return Buffer.from([...head(0, 1), ...qsection, ...a(12, '192.0.2.20')]);
  if (q.type === TYPE.A && name.endsWith('.svc.cluster.local')) return Buffer.from([...head(0, 1), ...qsection, ...a(12, '172.30.0.5')]);
  if (q.type === TYPE.A && name === 'alias.example.test') {
    // "example.test" starts 6 octets into the question name (after "\x05alias").
    const cname = [0xc0, 12, ...u16(TYPE.CNAME), ...u16(1), ...u32(60), ...u16(2), 0xc0, 18];
    return Buffer.from([...head(0, 2), ...qsection, ...cname, ...a(18, '192.0.2.10')]);
  }
  return Buffer.from([...head(RCODE.NXDOMAIN, 0), ...qsection]);
}

async function startFakeUpstream(defer: Defer): Promise<FakeUpstream> {
  const port = await freePort();
  const seen: FakeUpstream['seen'] = [];
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const q = question(msg);
    seen.push({ id: msg.readUInt16BE(0), name: q.name, type: q.type, via: 'udp' });
    const reply = fakeAnswer(msg);
    if (reply) udp.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => udp.bind(port, '127.0.0.1', r));
  const tcp = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', (d: Buffer) => {
      const msg = d.subarray(2);
      const q = question(msg);
      seen.push({ id: msg.readUInt16BE(0), name: q.name, type: q.type, via: 'tcp' });
      const reply = fakeAnswer(msg);
      if (reply) s.end(Buffer.concat([Buffer.from(u16(reply.length)), reply]));
    });
  });
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', r));
  defer(() => new Promise((r) => udp.close(() => r(undefined))));
  defer(() => new Promise((r) => tcp.close(() => r(undefined))));
  return { port, seen };
}

// ---------------------------------------------------------------- the server under test

const bigHeadless = Array.from({ length: 120 }, (_, i) => ({ ip: `10.2.${Math.floor(i / 250)}.${(i % 250) + 1}`, ready: true }));

function records(overrides: Partial<DnsConfig> = {}): DnsConfig {
  return {
    domain: 'cluster.local',
    ttlSeconds: 5,
    services: [
      {
        namespace: 'shop',
        name: 'web',
        type: 'ClusterIP',
        clusterIPs: ['10.96.0.10'],
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: '', protocol: 'TCP', port: 81 },
        ],
        endpoints: [],
      },
      {
        namespace: 'shop',
        name: 'db',
        type: 'Headless',
        ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }],
        endpoints: [
          { ip: '10.1.0.5', ready: true, hostname: 'db-0', ports: { pg: 15432 } },
          { ip: '10.1.0.6', ready: true },
          { ip: '10.1.0.7', ready: false, hostname: 'db-2' },
        ],
      },
      { namespace: 'shop', name: 'ext', type: 'ExternalName', externalName: 'ext-target.test', ports: [], endpoints: [] },
      { namespace: 'shop', name: 'proxied', type: 'ClusterIP', ports: [], endpoints: [] },
      { namespace: 'shop', name: 'big', type: 'Headless', ports: [], endpoints: bigHeadless },
    ],
    ...overrides,
  };
}

interface Setup {
  program: DnsProgram;
  upstream: FakeUpstream;
  resolver: Resolver;
  port: number;
  dir: string;
  configure(cfg: DnsConfig, gen: number): Promise<void>;
  raw(msg: Buffer): Promise<Buffer | undefined>;
}

let s: Setup;

beforeEach(async () => {
  const upstream = await startFakeUpstream(defer);
  const dir = await tempDir(defer);
  const port = await freePort();
  const program = await startDnsProgram({
    configDir: dir,
    port,
    listenHost: '127.0.0.1',
    upstreams: [{ host: '127.0.0.1', port: upstream.port }],
    upstreamTimeoutMs: 300,
    pollMs: 50,
    statusIntervalMs: 100,
    log: memoryLogger(),
    now: () => Date.now(),
  });
  defer(() => program.shutdown());
  const resolver = new Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const configure = async (cfg: DnsConfig, gen: number) => {
    const { fileName, content } = encodeDnsConfig(cfg, gen);
    await writeFile(join(dir, fileName), content);
    await waitFor(() => program.status().generation === gen, `dns generation ${gen}`);
  };
  const raw = (msg: Buffer) =>
    new Promise<Buffer | undefined>((resolve) => {
      const sock = dgram.createSocket('udp4');
      const timer = setTimeout(() => {
        sock.close();
        resolve(undefined);
      }, 500);
      sock.on('message', (m) => {
        clearTimeout(timer);
        sock.close();
        resolve(m);
      });
      sock.send(msg, port, '127.0.0.1');
    });
  s = { program, upstream, resolver, port, dir, configure, raw };
  await configure(records(), 1);
});

describe('data-plane DNS server', () => {
  it('answers ClusterIP services by full name, short forms and in any letter case', async () => {
    for (const name of ['web.shop.svc.cluster.local', 'web.shop.svc', 'web.shop', 'WEB.Shop.svc.CLUSTER.local']) {
      expect(await s.resolver.resolve4(name)).toEqual(['10.96.0.10']);
    }
    expect(s.upstream.seen).toEqual([]);
  });

  it('answers headless services with the ready endpoints only, and each pod by name', async () => {
    expect((await s.resolver.resolve4('db.shop.svc.cluster.local')).sort()).toEqual(['10.1.0.5', '10.1.0.6']);
    expect(await s.resolver.resolve4('db-0.db.shop.svc.cluster.local')).toEqual(['10.1.0.5']);
    expect(await s.resolver.resolve4('10-1-0-6.db.shop.svc.cluster.local')).toEqual(['10.1.0.6']);
    await expect(s.resolver.resolve4('db-2.db.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('serves SRV records for named ports', async () => {
    const headless = await s.resolver.resolveSrv('_pg._tcp.db.shop.svc.cluster.local');
    expect(headless.sort((a, b) => a.port - b.port)).toEqual([
      { name: '10-1-0-6.db.shop.svc.cluster.local', port: 5432, priority: 0, weight: 50 },
      { name: 'db-0.db.shop.svc.cluster.local', port: 15432, priority: 0, weight: 50 },
    ]);
    expect(await s.resolver.resolveSrv('_http._tcp.web.shop.svc.cluster.local')).toEqual([{ name: 'web.shop.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
    await expect(s.resolver.resolveSrv('_http._udp.web.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('puts the SRV targets\' addresses in the additional section', async () => {
    const reply = parseMessage((await s.raw(buildQuery(7, '_pg._tcp.db.shop.svc.cluster.local', TYPE.SRV)))!);
    expect(reply.header).toMatchObject({ id: 7, qr: true, aa: true, rcode: RCODE.NOERROR });
    expect(reply.additional.map((rr) => `${rr.name} ${String(rr.data)}`).sort()).toEqual(['10-1-0-6.db.shop.svc.cluster.local 10.1.0.6', 'db-0.db.shop.svc.cluster.local 10.1.0.5']);
  });

  it('answers ExternalName with a CNAME, and resolves the target upstream for address questions', async () => {
    expect(await s.resolver.resolveCname('ext.shop.svc.cluster.local')).toEqual(['ext-target.test']);
    expect(await s.resolver.resolve4('ext.shop.svc.cluster.local')).toEqual(['192.0.2.20']);
    const reply = parseMessage((await s.raw(buildQuery(9, 'ext.shop.svc.cluster.local', TYPE.A)))!);
    expect(reply.answers.map((rr) => [rr.name, rr.type, rr.data])).toEqual([
      ['ext.shop.svc.cluster.local', TYPE.CNAME, 'ext-target.test'],
      ['ext-target.test', TYPE.A, '192.0.2.20'],
    ]);
  });

  it('says NXDOMAIN for unknown names in the cluster domain and NODATA for names that exist', async () => {
    await expect(s.resolver.resolve4('nope.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(s.resolver.resolve4('a.b.c.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(s.resolver.resolve4('shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(s.resolver.resolve6('web.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENODATA' });
    const nx = parseMessage((await s.raw(buildQuery(3, 'nope.shop.svc.cluster.local', TYPE.A)))!);
    expect(nx.header.rcode).toBe(RCODE.NXDOMAIN);
    expect(nx.authority.map((rr) => [rr.name, rr.type, rr.ttl])).toEqual([['cluster.local', TYPE.SOA, 5]]);
    expect(s.upstream.seen).toEqual([]);
  });

  it('answers pod A records from the dashed IP', async () => {
    expect(await s.resolver.resolve4('10-1-2-3.shop.pod.cluster.local')).toEqual(['10.1.2.3']);
  });

  it('forwards other names upstream with a fresh ID and relays compressed answers unchanged', async () => {
    expect(await s.resolver.resolve4('example.test')).toEqual(['192.0.2.10']);
    expect(await s.resolver.resolve4('alias.example.test')).toEqual(['192.0.2.10']);
    await expect(s.resolver.resolve4('missing.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const query = buildQuery(0x4242, 'alias.example.test', TYPE.A);
    const reply = (await s.raw(query))!;
    expect(reply.readUInt16BE(0)).toBe(0x4242);
    // Byte for byte what the upstream sent, apart from the ID.
    const expected = fakeAnswer(query)!;
    expect(reply.subarray(2)).toEqual(expected.subarray(2));
    // The upstream saw our own random ID, not the client's (1 in 65536 chance of a false alarm).
    expect(s.upstream.seen.at(-1)).toMatchObject({ name: 'alias.example.test', via: 'udp' });
    expect(s.upstream.seen.at(-1)!.id).not.toBe(0x4242);
  });

  it('forwards ClusterIP names without known addresses (Docker answers the proxy alias)', async () => {
    expect(await s.resolver.resolve4('proxied.shop.svc.cluster.local')).toEqual(['172.30.0.5']);
    expect(s.upstream.seen.map((q) => q.name)).toEqual(['proxied.shop.svc.cluster.local']);
  });

  it('answers SERVFAIL when the upstream does not answer in time', async () => {
    await expect(s.resolver.resolve4('slow.test')).rejects.toMatchObject({ code: 'ESERVFAIL' });
    expect(s.program.status().queries.failed).toBeGreaterThan(0);
  });

  it('truncates large UDP answers and serves them whole over TCP', async () => {
    const udpReply = parseMessage((await s.raw(buildQuery(5, 'big.shop.svc.cluster.local', TYPE.A)))!);
    expect(udpReply.header.tc).toBe(true);
    expect(udpReply.answers).toEqual([]);
    // The stub resolver retries over TCP on TC and gets all of them.
    expect((await s.resolver.resolve4('big.shop.svc.cluster.local')).sort()).toEqual(bigHeadless.map((e) => e.ip).sort());
  });

  it('follows reconfiguration: a pod that turns unready leaves the answers', async () => {
    const cfg = records();
    cfg.services[1]!.endpoints[0]!.ready = false;
    await s.configure(cfg, 2);
    expect(await s.resolver.resolve4('db.shop.svc.cluster.local')).toEqual(['10.1.0.6']);
    expect(s.program.status()).toMatchObject({ generation: 2, records: { services: 5 } });
  });

  it('answers malformed queries with FORMERR and ignores junk', async () => {
    const q = buildQuery(11, 'web.shop.svc.cluster.local', TYPE.A);
    const cut = Buffer.from(q.subarray(0, q.length - 3)); // question runs past the end
    const reply = parseMessage((await s.raw(cut))!);
    expect(reply.header).toMatchObject({ id: 11, rcode: RCODE.FORMERR });
    expect(await s.raw(Buffer.from([1, 2, 3]))).toBeUndefined();
    // A response sent to the server is not answered (no reflection loops).
    const response = encodeMessage({ ...parseMessage(q), header: { ...parseMessage(q).header, qr: true } });
    expect(await s.raw(response)).toBeUndefined();
  });

  it('answers over TCP too', async () => {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const sock = net.connect({ port: s.port, host: '127.0.0.1' });
      const q = buildQuery(77, 'web.shop.svc.cluster.local', TYPE.A);
      sock.on('connect', () => sock.write(Buffer.concat([Buffer.from(u16(q.length)), q])));
      let buf = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          sock.destroy();
          resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        }
      });
      sock.on('error', reject);
    });
    expect(parseMessage(reply).answers.map((rr) => rr.data)).toEqual(['10.96.0.10']);
  });
});
