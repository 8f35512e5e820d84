import http from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CertificateOrder } from '../../src/plan/certificates.js';
import { AcmeOrderError, createAcmeIssuer, MAX_ACME_RESPONSE_BYTES } from '../../src/runtime/acme/client.js';
import { systemClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/log.js';

/**
 * The ACME server is whatever URL a manifest's Issuer names: a hostile one must not hold the
 * daemon's one-at-a-time issuer (every later order waits for the current one to end), fill its
 * memory, or send berth's requests to another host. Each case: the CA answers berth's own
 * reachability check, then misbehaves when acme-client asks for the directory; the order fails,
 * and a second order reaches the CA afterwards (the issuer is free again).
 */
const servers: http.Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  server.on('connection', (s) => sockets.add(s));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const order = (server: string): CertificateOrder => ({
  key: 'Certificate/default/web',
  namespace: 'default',
  name: 'web',
  secretName: 'web-tls',
  dnsNames: ['shop.test'],
  issuerKey: 'ClusterIssuer//hostile',
  acme: { server, privateKeySecretRef: { name: 'hostile' } },
  privateKey: { algorithm: 'ECDSA', size: 256 },
});

type Misbehave = (res: http.ServerResponse, elsewhere: string) => void;

const directory = (base: string) => ({ newNonce: `${base}/nonce`, newAccount: `${base}/acct`, newOrder: `${base}/order` });

describe('a hostile ACME server', () => {
  it.each<[string, Misbehave, RegExp]>([
    ['never answers a request', () => {}, /no answer in time, an answer over 1 MiB/],
    ['answers with more than the size cap', (res, elsewhere) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...directory(elsewhere), pad: 'x'.repeat(MAX_ACME_RESPONSE_BYTES) })), /no answer in time, an answer over 1 MiB/],
    ['redirects to another host', (res, elsewhere) => res.writeHead(302, { location: `${elsewhere}/dir` }).end(), /returned no data/],
    ['asks for a retry in a year', (res) => res.writeHead(503, { 'retry-after': String(365 * 86_400) }).end(), /returned error 503/],
    ['asks for a retry at a date in 2100', (res) => res.writeHead(503, { 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' }).end(), /returned error 503/],
  ])('that %s fails the order and frees the issuer', async (_what, misbehave, message) => {
    let elsewhereHits = 0;
    const elsewhere = await serve((_req, res) => {
      elsewhereHits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(directory('http://127.0.0.1:1')));
    });
    let directoryHits = 0;
    const base = await serve((req, res) => {
      directoryHits++;
      // berth's own check (node:http, no User-Agent) gets a directory; acme-client's requests the misbehaviour.
      if (req.headers['user-agent']?.startsWith('node-acme-client')) misbehave(res, elsewhere);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(directory(base)));
    });
    const issuer = createAcmeIssuer({
      clock: systemClock,
      log: silentLogger(),
      accounts: { get: () => undefined, save: () => undefined },
      retry: { maxAttempts: 1, delaySeconds: 0 },
      requestTimeoutMs: 300,
      maxRetryAfterSeconds: 0,
    });
    const noop = { publish: async () => {}, unpublish: async () => {} };
    const first = await issuer.issue({ order: order(`${base}/dir`), publisher: noop }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(AcmeOrderError);
    expect((first as Error).message).toMatch(message);
    const seen = directoryHits;
    await expect(issuer.issue({ order: order(`${base}/dir`), publisher: noop })).rejects.toBeInstanceOf(AcmeOrderError);
    expect(directoryHits).toBeGreaterThan(seen);
    expect(elsewhereHits).toBe(0);
  }, 20_000);
});

describe("a hostile ACME server's problem document", () => {
  it('is kept to its type and the first KiB of its detail (it goes into events and the Certificate status)', async () => {
    const base = await serve((req, res) => {
      if (req.url === '/dir') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(directory(base)));
      else if (req.url === '/nonce') res.writeHead(200, { 'replay-nonce': 'n' }).end();
      else res.writeHead(400, { 'content-type': 'application/problem+json', 'replay-nonce': 'n' }).end(JSON.stringify({ type: 'urn:ietf:params:acme:error:malformed', detail: 'x'.repeat(100_000) }));
    });
    const issuer = createAcmeIssuer({ clock: systemClock, log: silentLogger(), accounts: { get: () => undefined, save: () => undefined }, retry: { maxAttempts: 0, delaySeconds: 0 } });
    const err = await issuer.issue({ order: order(`${base}/dir`), publisher: { publish: async () => {}, unpublish: async () => {} } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AcmeOrderError);
    expect((err as AcmeOrderError).problemType).toBe('urn:ietf:params:acme:error:malformed');
    expect((err as Error).message).toMatch(/^x{1024}… \(98976 more characters\)$/);
  });
});
