import http from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CertificateOrder } from '../../src/plan/certificates.js';
import { AcmeOrderError, createAcmeIssuer } from '../../src/runtime/acme/client.js';
import { silentLogger } from '../../src/runtime/log.js';
import { FakeClock } from '../support/fake-clock.js';

/**
 * An order has a deadline (5 minutes by default): a CA that accepts the connection and never
 * answers fails the order when it passes, on the clock berth is given; the next order waits
 * until the hung one has really ended (acme-client's settings are process-wide).
 */
const sockets = new Set<Socket>();
let server: http.Server | undefined;
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
});

const order = (server: string): CertificateOrder => ({
  key: 'Certificate/default/web',
  namespace: 'default',
  name: 'web',
  secretName: 'web-tls',
  dnsNames: ['shop.test'],
  issuerKey: 'ClusterIssuer//le',
  acme: { server, privateKeySecretRef: { name: 'le' } },
  privateKey: { algorithm: 'ECDSA', size: 256 },
});

describe('order deadline', () => {
  it('a CA that never answers fails the order at the deadline; the next order starts once the hung one ends', async () => {
    let requests = 0;
    let answer = false;
    server = http.createServer((_req, res) => {
      requests++;
      if (answer) res.writeHead(503).end(); // else never answers
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/dir`;
    const clock = new FakeClock();
    const issuer = createAcmeIssuer({ clock, log: silentLogger(), accounts: { get: () => undefined, save: () => undefined }, deadlineMs: 60_000 });
    const noop = { publish: async () => {}, unpublish: async () => {} };
    const first = issuer.issue({ order: order(url), publisher: noop });
    const second = issuer.issue({ order: order(url), publisher: noop });
    const outcome = first.catch((e: unknown) => e);
    while (requests < 1) await new Promise((r) => setImmediate(r));
    await clock.advance(60_000);
    const err = await outcome;
    expect(err).toBeInstanceOf(AcmeOrderError);
    expect((err as Error).message).toBe('the order for shop.test did not finish within 60 s');
    // The hung order still holds the issuer: the second has not reached the CA.
    expect(requests).toBe(1);
    answer = true;
    for (const s of sockets) s.destroy();
    await expect(second).rejects.toThrow('the ACME directory ' + url + ' answered HTTP 503');
    expect(requests).toBe(2);
  });
});
