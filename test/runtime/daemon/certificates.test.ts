import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DockerClient } from '../../../src/apply/docker.js';
import { createDaemonMetrics } from '../../../src/runtime/api/metrics.js';
import { createControlPlane } from '../../../src/runtime/compose.js';
import { createDaemon } from '../../../src/runtime/daemon/daemon.js';
import type { GitSource } from '../../../src/sources/git.js';
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

describe('the daemon runs the controller behind its seam', () => {
  /** A Docker that answers every read with nothing: a revision of cert-manager objects needs no Docker change. */
  const docker: DockerClient = {
    api: {
      listContainers: () => Promise.resolve([]),
      // The app's network exists already (as in daemon.test.ts): the pass needs no Docker change.
      listNetworks: () => Promise.resolve([{ Id: 'n1', Name: 'berth_unit_default', Labels: { 'berth.namespace': 'default' } }]),
      listVolumes: () => Promise.resolve({ Volumes: [] }),
      ping: () => Promise.resolve('OK'),
      info: () => Promise.resolve({ Name: 'unit-host', Architecture: 'x86_64', OSType: 'linux' }),
      getEvents: () => Promise.resolve(new PassThrough()),
    } as unknown as Dockerode,
    calls: { byOperation: new Map(), total: () => 0, mutating: () => 0, reset: () => undefined },
    apiVersion: () => Promise.resolve('1.41'),
  };
  const yaml = `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: le}
spec:
  acme: {server: "https://ca.test/dir", privateKeySecretRef: {name: le}, solvers: [{http01: {ingress: {}}}]}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web}
spec: {secretName: web-tls, dnsNames: [shop.test], issuerRef: {name: le, kind: ClusterIssuer}}
`;
  const source: GitSource = {
    description: 'https://git.example.com/deploy.git@main',
    fetch: async () => ({ id: 'rev-1', origin: 'git test', files: [{ path: 'certs.yaml', content: Buffer.from(yaml) }], commit: 'rev-1', message: '', author: '', committedAt: 0 }),
  };

  it('after the first pass it orders the certificate, and the issuance triggers a pass (reason certificate)', async () => {
    const ca = fakeCa();
    const metrics = createDaemonMetrics();
    const log = silentLogger();
    const daemon = createDaemon(
      { docker, store, clock, log, random: () => 0, metrics, plane: createControlPlane({ docker, store, clock, log }, 'unit'), holder: { id: 'daemon:test:1', pid: process.pid, hostname: 'test', kind: 'daemon' }, certificates: { issuer: ca, publisher: { publish: async () => {}, unpublish: async () => {} } } },
      {
        app: 'unit',
        source: { kind: 'git', source, pollIntervalMs: 60_000 },
        validate: {},
        allowEmpty: false,
        resyncIntervalMs: 300_000,
        passTimeoutMs: 60_000,
        passBackoff: { minMs: 1_000, factor: 2, capMs: 300_000, jitter: 0 },
        sourceBackoff: { minMs: 1_000, factor: 2, capMs: 300_000, jitter: 0 },
      },
    );
    try {
      await daemon.start();
      // Step the fake clock until the order has run and its pass has been asked for (orders run beside passes).
      for (let i = 0; i < 50 && (metrics.triggers.get({ trigger: 'certificate' }) ?? 0) < 1; i++) await clock.advance(0);
      await clock.advance(0);
      await daemon.idle();
      expect(ca.orders.map((o) => o.order.key)).toEqual(['Certificate/default/web']);
      expect(store.listCertificates('unit')[0]).toMatchObject({ chainPem: 'CHAIN1' });
      expect(metrics.triggers.get({ trigger: 'certificate' })).toBe(1);
      expect(daemon.status().lastPass).toMatchObject({ result: 'synced', revision: 'rev-1' });
    } finally {
      await daemon.stop();
    }
  });
});
