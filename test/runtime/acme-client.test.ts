import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeToken, readToken } from '../../src/dataplane/edge-acme.js';
import type { AnyObject } from '../../src/model/types.js';
import { planCertificates } from '../../src/plan/certificates.js';
import { allCertificates } from '../../src/plan/ingress-certificates.js';
import { checkChallengeServed, directoryPublisher } from '../../src/runtime/acme/challenge.js';
import { createAcmeIssuer } from '../../src/runtime/acme/client.js';
import { systemClock } from '../../src/runtime/clock.js';
import { runCertificateOrders, storeAccountBook } from '../../src/runtime/daemon/certificates.js';
import { silentLogger } from '../../src/runtime/log.js';
import { openStore, type Store } from '../../src/runtime/store/index.js';
import { freePort, startPebble, type Pebble } from '../e2e/support/pebble.js';

/**
 * A real ACME order against a real CA (Debian's pebble, no Docker): berth's ACME client
 * publishes the token as the token file the edge reads, a loopback server answers it with the
 * edge's own reader (dataplane/edge-acme.ts), berth's pre-check fetches it through that
 * server, pebble validates it and issues. A CA that does not answer is a recorded failure
 * with cert-manager's 1 h back-off.
 */
const APP = 'acme-test';
const HOUR = 3_600_000;

let pebble: Pebble;
let edge: http.Server;
let edgePort: number;
let dir: string;
let store: Store;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-acme-client-'));
  edgePort = await freePort();
  // The edge's answer, from the same files and with the same code the edge program uses.
  edge = http.createServer((req, res) => {
    const token = challengeToken(req);
    void (token ? readToken(join(dir, 'acme'), token, Date.now(), req.headers.host) : Promise.resolve(undefined)).then((ka) => {
      res.writeHead(ka ? 200 : 404, { 'content-type': 'text/plain' }).end(ka ?? 'not found');
    });
  });
  await new Promise<void>((r) => edge.listen(edgePort, '127.0.0.1', r));
  pebble = await startPebble({ httpPort: edgePort });
  store = openStore({ isProcessAlive: () => true, dir: join(dir, 'state'), clock: systemClock });
}, 60_000);

afterAll(async () => {
  store?.close();
  await pebble?.stop();
  await new Promise((r) => edge?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function objects(acme: Record<string, unknown>, dnsNames: string[]): AnyObject[] {
  return [
    { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'pebble' }, spec: { acme: { privateKeySecretRef: { name: 'pebble-account' }, email: 'ops@shop.test', ...acme } } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'default', annotations: { 'cert-manager.io/cluster-issuer': 'pebble' } },
      spec: { tls: [{ hosts: dnsNames, secretName: 'web-tls' }], rules: [] },
    },
  ] as unknown as AnyObject[];
}

function deps() {
  const issuer = createAcmeIssuer({ clock: systemClock, log: silentLogger(), accounts: storeAccountBook(store, APP), retry: { maxAttempts: 0, delaySeconds: 0 } });
  const precheck = (identifier: string, token: string, keyAuthorization: string) => checkChallengeServed({ host: '127.0.0.1', port: edgePort, identifier, token, keyAuthorization, clock: systemClock });
  return { store, clock: systemClock, app: APP, log: silentLogger(), issuer, publisher: directoryPublisher(dir, systemClock), precheck };
}

function plan(objs: AnyObject[]) {
  return planCertificates({ now: Date.now(), objects: objs, certificates: allCertificates(objs), records: store.listCertificates(APP) });
}

describe('ACME orders against pebble', () => {
  it('issues the certificate an Ingress annotation implies, through the edge token files, and schedules its renewal at 2/3 of its life', async () => {
    const objs = objects({ server: pebble.directoryUrl, caBundle: Buffer.from(pebble.caPem).toString('base64') }, ['shop.test', 'www.shop.test']);
    const p = plan(objs);
    expect(p.orders.map((o) => [o.key, o.dnsNames])).toEqual([['Certificate/default/web-tls', ['shop.test', 'www.shop.test']]]);
    expect(await runCertificateOrders(deps(), p)).toEqual({ issued: 1, failed: 0 });

    const [rec] = store.listCertificates(APP);
    expect(rec).toMatchObject({ key: 'Certificate/default/web-tls', secretName: 'web-tls', issuerKey: 'ClusterIssuer//pebble', failures: 0 });
    const leaf = new X509Certificate(rec!.chainPem!);
    expect(leaf.subjectAltName).toBe('DNS:shop.test, DNS:www.shop.test');
    expect(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(rec!.keyPem!))).toBe(true);
    // The chain leads to pebble's root.
    const chain = rec!.chainPem!.split(/(?<=-----END CERTIFICATE-----)\s*/).filter(Boolean).map((pem) => new X509Certificate(pem));
    const root = new X509Certificate(await pebble.rootPem());
    expect(chain.at(-1)!.verify(root.publicKey)).toBe(true);
    // 90 s of validity (startPebble's default): renewed at two thirds of it.
    expect(rec!.notAfter! - rec!.notBefore!).toBeGreaterThanOrEqual(89_000);
    expect(rec!.renewalTime).toBe(Math.floor((rec!.notAfter! - (rec!.notAfter! - rec!.notBefore!) / 3) / 1000) * 1000);
    expect(store.getAcmeAccount(APP, 'ClusterIssuer//pebble', pebble.directoryUrl)?.accountUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(store.listEvents({ app: APP }).map((e) => e.reason)).toEqual(expect.arrayContaining(['Issuing', 'Issued']));
    // Issued and not yet due: nothing to order, the next look is the renewal.
    expect(plan(objs)).toMatchObject({ orders: [], nextWakeAt: rec!.renewalTime });
  });

  it('with skipTLSVerify and the stored account, a changed name list is ordered again at once', async () => {
    const objs = objects({ server: pebble.directoryUrl, skipTLSVerify: true }, ['shop.test']);
    const p = plan(objs);
    expect(p.orders).toHaveLength(1);
    expect(await runCertificateOrders(deps(), p)).toEqual({ issued: 1, failed: 0 });
    expect(new X509Certificate(store.listCertificates(APP)[0]!.chainPem!).subjectAltName).toBe('DNS:shop.test');
  });

  it("a challenge the CA cannot validate fails the order with the CA's RFC 8555 problem type", async () => {
    const objs = objects({ server: pebble.directoryUrl, skipTLSVerify: true }, ['nothing.test']);
    const certs = allCertificates(objs).map((c) => ({ ...c, metadata: { ...c.metadata, name: 'lost' }, spec: { ...c.spec, secretName: 'lost-tls' } }));
    const p = planCertificates({ now: Date.now(), objects: objs, certificates: certs, records: [] });
    // Published nowhere and not pre-checked: pebble asks the edge, which has no such token.
    const lost = { ...deps(), publisher: { publish: async () => {}, unpublish: async () => {} }, precheck: undefined };
    expect(await runCertificateOrders(lost, p)).toEqual({ issued: 0, failed: 1 });
    const rec = store.listCertificates(APP).find((r) => r.key === 'Certificate/default/lost')!;
    expect(rec.lastFailure).toMatchObject({ type: expect.stringMatching(/^urn:ietf:params:acme:error:(unauthorized|connection|incorrectResponse)$/), detail: expect.any(String) });
    expect(rec.chainPem).toBeUndefined();
  });

  it('a CA that does not answer: the failure is recorded with a 1 h back-off and the issued certificate is kept', async () => {
    const closed = await freePort();
    const web = () => store.listCertificates(APP).find((r) => r.key === 'Certificate/default/web-tls')!;
    const before = web();
    const objs = objects({ server: `https://127.0.0.1:${closed}/dir`, skipTLSVerify: true }, ['shop.test']);
    // Another server is another issuer account; the request (names, issuer key) is the same.
    const p = plan([...objs]);
    expect(p.orders).toHaveLength(0);
    const renewing = planCertificates({ now: before.renewalTime!, objects: objs, certificates: allCertificates(objs), records: store.listCertificates(APP) });
    expect(renewing.orders).toHaveLength(1);
    const start = Date.now();
    expect(await runCertificateOrders(deps(), renewing)).toEqual({ issued: 0, failed: 1 });
    const rec = web();
    expect(rec).toMatchObject({ failures: 1, chainPem: before.chainPem, lastFailure: { detail: expect.stringMatching(/ECONNREFUSED/) } });
    expect(rec!.nextAttemptAt! - rec!.lastFailureAt!).toBe(HOUR);
    expect(rec!.lastFailureAt!).toBeGreaterThanOrEqual(start);
    const failed = store.listEvents({ app: APP }).find((e) => e.reason === 'Failed' && e.objectKey === 'Certificate/default/web-tls');
    expect(failed).toMatchObject({ type: 'Warning', message: expect.stringContaining('ECONNREFUSED') });
    // Held back until the back-off ends, even though renewal is due.
    const held = planCertificates({ now: before.renewalTime! + 1, objects: objs, certificates: allCertificates(objs), records: store.listCertificates(APP) });
    expect(held).toMatchObject({ orders: [], nextWakeAt: rec!.nextAttemptAt });
  });
});
