import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeMessage, parseMessage, RCODE, TYPE } from '../../src/dataplane/dns-wire.js';
import type { SwarmProxyProgram, SwarmProxyProgramOptions } from '../../src/dataplane/swarm-proxy-program.js';
import { lookupOf, startSwarmProxyProgram, systemResolve4 } from '../../src/dataplane/swarm-proxy-program.js';
import type { SwarmProxySpec } from '../../src/dataplane/swarm-proxy-spec.js';
import type { Defer } from './helpers.js';
import { fetchId, freePort, memoryLogger, sleep, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();

/** Backends on several loopback addresses (all of 127/8 is loopback on Linux), one port: each greets with its address. */
async function startBackends(ips: string[]): Promise<{ port: number; stop(ip: string): Promise<void> }> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const servers = new Map<string, net.Server>();
    try {
      for (const ip of ips) {
        const server = net.createServer((s) => {
          s.on('error', () => {});
          s.end(`${ip}\n`);
        });
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, ip, resolve));
        servers.set(ip, server);
      }
    } catch (err) {
      for (const s of servers.values()) s.close();
      if (attempt < 5) continue;
      throw err;
    }
    const stop = (ip: string) => new Promise<void>((r) => (servers.get(ip)?.close(() => r()) ?? r(), servers.delete(ip)));
    defer(() => Promise.all(ips.map(stop)));
    return { port, stop };
  }
}

/** A resolver answering from a table the test changes; an Error value is thrown with its code. */
function tableResolver(table: Record<string, string[] | string>): SwarmProxyProgramOptions['resolve4'] {
  return async (name) => {
    const v = table[name];
    if (typeof v === 'string') throw Object.assign(new Error(`lookup of ${name} failed`), { code: v });
    if (v === undefined) throw Object.assign(new Error(`no ${name}`), { code: 'ENOTFOUND' });
    return v;
  };
}

async function startProgram(spec: Partial<SwarmProxySpec> & Pick<SwarmProxySpec, 'ports' | 'backends'>, resolve4: SwarmProxyProgramOptions['resolve4']) {
  const log = memoryLogger();
  const program: SwarmProxyProgram = await startSwarmProxyProgram({
    spec: { service: { namespace: 'default', name: 'web' }, sessionAffinity: { type: 'None' }, resolveMs: 60_000, ...spec },
    listenHost: '127.0.0.1',
    connectTimeoutMs: 1_000,
    udpIdleMs: 30_000,
    log,
    now: () => Date.now(),
    resolve4,
  });
  defer(() => program.shutdown(0));
  return { program, log };
}

const tcp = (port: number, targetPort: number) => [{ name: 'http', protocol: 'TCP' as const, port, targetPort }];

describe('Swarm service proxy', () => {
  it('balances over the union of what its backend names resolve to, each address once', async () => {
    const backends = await startBackends(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    const port = await freePort();
    const resolve4 = tableResolver({ 'tasks.web': ['127.0.0.3', '127.0.0.2'], 'tasks.web-canary': ['127.0.0.3', '127.0.0.4'] });
    const { program, log } = await startProgram({ ports: tcp(port, backends.port), backends: ['tasks.web', 'tasks.web-canary'] }, resolve4);
    expect(program.endpoints()).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    const ids = await Promise.all(Array.from({ length: 30 }, () => fetchId(port)));
    expect(ids.filter((id) => id === '127.0.0.3')).toHaveLength(10);
    expect(new Set(ids)).toEqual(new Set(['127.0.0.2', '127.0.0.3', '127.0.0.4']));
    expect(log.records.find((r) => r.msg === 'reconfigured')).toMatchObject({ service: 'default/web', ports: [`TCP/${port}`], endpoints: 3, backends: { 'tasks.web': 2, 'tasks.web-canary': 2 } });
  });

  it('re-resolves every resolveMs and reconfigures only when the addresses changed', async () => {
    const backends = await startBackends(['127.0.0.2', '127.0.0.3']);
    const port = await freePort();
    const table: Record<string, string[]> = { 'tasks.web': ['127.0.0.2'] };
    let lookups = 0;
    const resolve4 = (name: string) => (lookups++, tableResolver(table)(name));
    const { program, log } = await startProgram({ ports: tcp(port, backends.port), backends: ['tasks.web'], resolveMs: 100 }, resolve4);
    await waitFor(() => lookups >= 4, 'three more lookups');
    expect(log.records.filter((r) => r.msg === 'reconfigured')).toHaveLength(1);
    table['tasks.web'] = ['127.0.0.2', '127.0.0.3'];
    await waitFor(() => program.endpoints().length === 2, 'the new address', 2_000);
    expect(log.records.filter((r) => r.msg === 'reconfigured')).toHaveLength(2);
    const ids = await Promise.all(Array.from({ length: 10 }, () => fetchId(port)));
    expect(new Set(ids)).toEqual(new Set(['127.0.0.2', '127.0.0.3']));
  });

  it('drops the addresses of a name that is not found, keeps them through lookups that fail, and logs each change once', async () => {
    const backends = await startBackends(['127.0.0.2', '127.0.0.3']);
    const port = await freePort();
    const table: Record<string, string[] | string> = { 'tasks.a': ['127.0.0.2'], 'tasks.b': ['127.0.0.3'] };
    const { program, log } = await startProgram({ ports: tcp(port, backends.port), backends: ['tasks.a', 'tasks.b'] }, tableResolver(table));
    const steps: Array<[string[] | string, string[]]> = [
      ['ETIMEOUT', ['127.0.0.2', '127.0.0.3']],
      ['ESERVFAIL', ['127.0.0.2', '127.0.0.3']],
      ['ESERVFAIL', ['127.0.0.2', '127.0.0.3']],
      ['ENOTFOUND', ['127.0.0.3']],
      ['ENOTFOUND', ['127.0.0.3']],
      // A lookup failing after the name was absent has nothing to keep.
      ['ETIMEOUT', ['127.0.0.3']],
      [['127.0.0.2'], ['127.0.0.2', '127.0.0.3']],
      ['ENODATA', ['127.0.0.3']],
    ];
    for (const [answer, endpoints] of steps) {
      table['tasks.a'] = answer;
      await program.resolveNow();
      expect(program.endpoints()).toEqual(endpoints);
    }
    expect(log.records.filter((r) => r.backend === 'tasks.a').map((r) => [r.level, r.msg, r.code ?? r.addresses])).toEqual([
      ['warn', 'backend lookup failing; keeping its last addresses', 'ETIMEOUT'],
      ['warn', 'backend lookup failing; keeping its last addresses', 'ESERVFAIL'],
      ['info', 'backend has no address', 'ENOTFOUND'],
      ['warn', 'backend lookup failing; keeping its last addresses', 'ETIMEOUT'],
      ['info', 'backend resolves again', 1],
      ['info', 'backend has no address', 'ENODATA'],
    ]);
    expect(log.records.filter((r) => r.msg === 'reconfigured').map((r) => r.endpoints)).toEqual([2, 1, 2, 1]);
  });

  it('fails no request when a backend stops before DNS stops naming it', async () => {
    const backends = await startBackends(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    const port = await freePort();
    const table: Record<string, string[]> = { 'tasks.web': ['127.0.0.2', '127.0.0.3'] };
    const { program } = await startProgram({ ports: tcp(port, backends.port), backends: ['tasks.web'] }, tableResolver(table));
    let stop = false;
    const seen: string[] = [];
    const failures: unknown[] = [];
    const client = async () => {
      while (!stop) await fetchId(port).then((id) => seen.push(id), (err: unknown) => failures.push(err));
    };
    const clients = Array.from({ length: 4 }, client);
    // A rollout as the proxy sees it at its worst: a replacement appears, the old task's
    // process is gone while the last answer still names it, then DNS catches up.
    await sleep(100);
    table['tasks.web'] = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
    await program.resolveNow();
    await sleep(100);
    await backends.stop('127.0.0.2');
    await sleep(200);
    table['tasks.web'] = ['127.0.0.3', '127.0.0.4'];
    await program.resolveNow();
    await sleep(100);
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(new Set(seen)).toEqual(new Set(['127.0.0.2', '127.0.0.3', '127.0.0.4']));
    expect(seen.length).toBeGreaterThan(100);
  });
});

/** HTTP backends on loopback addresses, one port: `/` answers with the address, `/healthz` with the status the test sets. */
async function startHttpBackends(ips: string[]): Promise<{ port: number; health: Map<string, number> }> {
  const health = new Map(ips.map((ip) => [ip, 200]));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const servers: http.Server[] = [];
    try {
      for (const ip of ips) {
        const server = http.createServer((req, res) => {
          if (req.url === '/healthz') return void res.writeHead(health.get(ip)!).end();
          res.writeHead(200, { connection: 'close' }).end(ip);
        });
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, ip, resolve));
        servers.push(server);
      }
    } catch (err) {
      for (const s of servers) s.close();
      if (attempt < 5) continue;
      throw err;
    }
    defer(() => Promise.all(servers.map((s) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r()))))));
    return { port, health };
  }
}

function httpId(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('Swarm service proxy with a readiness probe', () => {
  it('sends nothing to a task that fails readiness until it passes, and takes it out again when it fails', async () => {
    const backends = await startHttpBackends(['127.0.0.2', '127.0.0.3']);
    backends.health.set('127.0.0.3', 500);
    const port = await freePort();
    const readiness = [{ backend: 'tasks.web', httpGet: { path: '/healthz', port: backends.port, scheme: 'HTTP' as const }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1 }];
    const { program, log } = await startProgram({ ports: tcp(port, backends.port), backends: ['tasks.web'], readiness }, tableResolver({ 'tasks.web': ['127.0.0.2', '127.0.0.3'] }));
    // Listeners open before any probe answered: a client then meets no endpoint rather than an unready one.
    expect(program.resolved()).toEqual(['127.0.0.2', '127.0.0.3']);
    await waitFor(() => program.endpoints().length === 1, '127.0.0.2 ready');
    await sleep(300);
    expect(program.endpoints()).toEqual(['127.0.0.2']);
    expect(new Set(await Promise.all(Array.from({ length: 10 }, () => httpId(port))))).toEqual(new Set(['127.0.0.2']));

    backends.health.set('127.0.0.3', 200);
    await waitFor(() => program.endpoints().length === 2, '127.0.0.3 ready', 3_000);
    expect(new Set(await Promise.all(Array.from({ length: 10 }, () => httpId(port))))).toEqual(new Set(['127.0.0.2', '127.0.0.3']));

    backends.health.set('127.0.0.2', 503);
    await waitFor(() => program.endpoints().join() === '127.0.0.3', '127.0.0.2 out', 3_000);
    expect(new Set(await Promise.all(Array.from({ length: 10 }, () => httpId(port))))).toEqual(new Set(['127.0.0.3']));
    const verdicts = log.records.filter((r) => r.msg === 'endpoint ready' || r.msg === 'endpoint not ready').map((r) => [r.msg, r.ip, r.result]);
    // The first two answers race each other.
    expect(verdicts.slice(0, 2).sort()).toEqual([
      ['endpoint not ready', '127.0.0.3', 'HTTP 500'],
      ['endpoint ready', '127.0.0.2', 'HTTP 200'],
    ]);
    expect(verdicts.slice(2)).toEqual([
      ['endpoint ready', '127.0.0.3', 'HTTP 200'],
      ['endpoint not ready', '127.0.0.2', 'HTTP 503'],
    ]);
    expect(log.records.filter((r) => r.msg === 'reconfigured').map((r) => [r.endpoints, r.ready])).toEqual([[2, 0], [2, 1], [2, 2], [2, 1]]);
  });
});

describe('lookup outcomes', () => {
  const rejected = (reason: unknown): PromiseSettledResult<string[]> => ({ status: 'rejected', reason });
  it.each<[string, PromiseSettledResult<string[]>, ReturnType<typeof lookupOf>]>([
    ['addresses', { status: 'fulfilled', value: ['10.0.0.2'] }, { kind: 'found', ips: ['10.0.0.2'] }],
    ['an empty answer', { status: 'fulfilled', value: [] }, { kind: 'absent', code: 'ENODATA' }],
    ['NXDOMAIN', rejected(Object.assign(new Error('x'), { code: 'ENOTFOUND' })), { kind: 'absent', code: 'ENOTFOUND' }],
    ['no A record', rejected(Object.assign(new Error('x'), { code: 'ENODATA' })), { kind: 'absent', code: 'ENODATA' }],
    ['a timeout', rejected(Object.assign(new Error('x'), { code: 'ETIMEOUT' })), { kind: 'failed', code: 'ETIMEOUT' }],
    ['SERVFAIL', rejected(Object.assign(new Error('x'), { code: 'ESERVFAIL' })), { kind: 'failed', code: 'ESERVFAIL' }],
    ['an error without a code', rejected(new Error('boom')), { kind: 'failed', code: 'boom' }],
  ])('%s', (_name, result, lookup) => {
    expect(lookupOf(result)).toEqual(lookup);
  });
});

/** A DNS server on loopback answering by name: addresses, an rcode, or silence. */
async function startDnsServer(defer: Defer, answers: Record<string, string[] | number | 'silent'>): Promise<string> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, from) => {
    const query = parseMessage(msg);
    const q = query.questions[0]!;
    const answer = answers[q.name.toLowerCase()] ?? RCODE.NXDOMAIN;
    if (answer === 'silent') return;
    const reply = encodeMessage({
      header: { ...query.header, qr: true, ra: true, aa: true, rcode: typeof answer === 'number' ? answer : RCODE.NOERROR },
      questions: query.questions,
      answers: Array.isArray(answer) ? answer.map((ip) => ({ name: q.name, type: TYPE.A, class: 1, ttl: 0, data: ip })) : [],
      authority: [],
      additional: [],
    });
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  defer(() => new Promise<void>((r) => socket.close(() => r())));
  return `127.0.0.1:${socket.address().port}`;
}

describe('system resolver', () => {
  it('classifies what a real DNS server says as found, absent or failed', async () => {
    const server = await startDnsServer(defer, {
      'tasks.web': ['10.0.1.5', '10.0.1.6'],
      'tasks.empty': [],
      'tasks.broken': RCODE.SERVFAIL,
      'tasks.refused': RCODE.REFUSED,
      'tasks.silent': 'silent',
    });
    const resolve4 = systemResolve4({ timeoutMs: 100, servers: [server] });
    const names = ['tasks.web', 'tasks.empty', 'tasks.gone', 'tasks.broken', 'tasks.refused', 'tasks.silent'];
    const results = await Promise.allSettled(names.map((n) => resolve4(n)));
    expect(Object.fromEntries(names.map((n, i) => [n, lookupOf(results[i]!)]))).toEqual({
      'tasks.web': { kind: 'found', ips: ['10.0.1.5', '10.0.1.6'] },
      'tasks.empty': { kind: 'absent', code: 'ENODATA' },
      'tasks.gone': { kind: 'absent', code: 'ENOTFOUND' },
      'tasks.broken': { kind: 'failed', code: 'ESERVFAIL' },
      'tasks.refused': { kind: 'failed', code: 'EREFUSED' },
      'tasks.silent': { kind: 'failed', code: 'ETIMEOUT' },
    });
  });
});
