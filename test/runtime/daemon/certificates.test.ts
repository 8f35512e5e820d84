import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issuedSecrets } from '../../../src/plan/certificate-secrets.js';
import type { AcmeIssuer, IssueRequest } from '../../../src/runtime/acme/client.js';
import { AcmeOrderError } from '../../../src/runtime/acme/client.js';
import { createCertificateController } from '../../../src/runtime/daemon/certificates.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { openStore, type Store } from '../../../src/runtime/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';

/**
 * The daemon's certificate controller (runtime/daemon/certificates.ts) with a stand-in CA:
 * it runs due orders one at a time, commits what they issue or why they failed, asks for a
 * pass after an issuance, and wakes itself at the renewal time or the end of the back-off.
 * The real CA is test/runtime/acme-client.test.ts.
 */
const APP = 'certs';
const H = 3_600_000;
const ISSUER = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'le' }, spec: { acme: { server: 'https://ca.test/dir', privateKeySecretRef: { name: 'le' } } } };
const CERT = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'web', namespace: 'default' }, spec: { secretName: 'web-tls', dnsNames: ['shop.test'], issuerRef: { name: 'le', kind: 'ClusterIssuer' } } };

let dir: string;
let store: Store;
let clock: FakeClock;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-certs-'));
  clock = new FakeClock();
  store = openStore({ isProcessAlive: () => true, dir, clock });
  const entry = (o: { kind: string; metadata: { name: string; namespace?: string } }) => ({ key: `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name, specHash: 'h', object: o });
  store.replaceInventory(APP, [entry(ISSUER), entry(CERT)], { sourceRevision: 'r1' });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A CA that issues 90-second certificates, or fails every order when `fail` is set. */
function fakeCa(fail?: string): AcmeIssuer & { orders: IssueRequest[] } {
  const orders: IssueRequest[] = [];
  return {
    orders,
    async issue(req) {
      orders.push(req);
      if (fail) throw new AcmeOrderError(fail, 'urn:ietf:params:acme:error:connection');
      return { keyPem: `KEY${orders.length}`, chainPem: `CHAIN${orders.length}`, notBefore: clock.now(), notAfter: clock.now() + 90_000 };
    },
  };
}

function controller(issuer: AcmeIssuer) {
  let passes = 0;
  const c = createCertificateController({
    store,
    clock,
    app: APP,
    log: silentLogger(),
    issuer,
    publisher: { publish: async () => {}, unpublish: async () => {} },
    trigger: () => passes++,
    stopped: () => false,
  });
  return { c, passes: () => passes };
}

describe('the certificate controller', () => {
  it('issues, asks for a pass, and renews at two thirds of the lifetime on its own timer', async () => {
    const ca = fakeCa();
    const { c, passes } = controller(ca);
    const t0 = clock.now();
    c.kick();
    await c.idle();
    expect(ca.orders.map((o) => o.order.key)).toEqual(['Certificate/default/web']);
    expect(passes()).toBe(1);
    expect(store.listCertificates(APP)[0]).toMatchObject({ chainPem: 'CHAIN1', renewalTime: t0 + 60_000, failures: 0 });
    expect(c.wakeAt()).toBe(t0 + 60_000);
    // The pass now desires the Secret.
    const resources = store.getInventory(APP).map((e) => ({ key: e.key, object: e.object as never, source: { file: '', line: 0, column: 0 } }));
    expect(issuedSecrets(resources, store.listCertificates(APP)).map((s) => s.key)).toEqual(['Secret/default/web-tls']);
    // Nothing due before the renewal time.
    c.kick();
    await c.idle();
    expect(ca.orders).toHaveLength(1);
    await clock.advance(60_000);
    await c.idle();
    expect(ca.orders).toHaveLength(2);
    expect(passes()).toBe(2);
    expect(store.listCertificates(APP)[0]).toMatchObject({ chainPem: 'CHAIN2' });
    expect(store.listEvents({ app: APP }).map((e) => e.reason)).toEqual(expect.arrayContaining(['Issuing', 'Issued']));
    c.stop();
  });

  it('a failed order is recorded with a 1 h back-off, a Warning event, no pass; it is retried when the back-off ends', async () => {
    const ca = fakeCa('connect ECONNREFUSED 127.0.0.1:1');
    const { c, passes } = controller(ca);
    const t0 = clock.now();
    c.kick();
    await c.idle();
    expect(passes()).toBe(0);
    expect(store.listCertificates(APP)[0]).toMatchObject({ failures: 1, lastFailureAt: t0, nextAttemptAt: t0 + H, lastFailure: { type: 'urn:ietf:params:acme:error:connection', detail: 'connect ECONNREFUSED 127.0.0.1:1' } });
    expect(store.listEvents({ app: APP }).find((e) => e.reason === 'Failed')).toMatchObject({ type: 'Warning', objectKey: 'Certificate/default/web', message: expect.stringContaining('ECONNREFUSED') });
    expect(c.wakeAt()).toBe(t0 + H);
    await clock.advance(H);
    await c.idle();
    expect(ca.orders).toHaveLength(2);
    expect(store.listCertificates(APP)[0]).toMatchObject({ failures: 2, nextAttemptAt: t0 + H + 2 * H });
    c.stop();
  });
});
