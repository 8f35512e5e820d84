import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificateRecord } from '../../src/model/certificate-state.js';
import { commitChanges } from '../../src/runtime/commit.js';
import { systemClock } from '../../src/runtime/clock.js';
import { openStore } from '../../src/runtime/store/index.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, execIn } from './support/harness.js';

/**
 * An issued certificate is a generated object of every pass (design §3.2 "Storage"): with a
 * record in the store (what the daemon's ACME order commits), `berth apply` desires the
 * Certificate's kubernetes.io/tls Secret, so a pod mounting it reads the chain and key; a
 * renewed certificate rolls the Deployment like any changed Secret; the Secret is shown by
 * `get secret` and never enters the source's inventory. The ACME order itself is
 * test/runtime/acme-client.test.ts (real pebble).
 */
const manifests = (image: string) => `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: le}
spec:
  acme:
    server: https://127.0.0.1:1/dir
    privateKeySecretRef: {name: le-account}
    solvers: [{http01: {ingress: {ingressClassName: berth}}}]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web}
spec:
  secretName: web-tls
  dnsNames: [shop.test]
  issuerRef: {name: le, kind: ClusterIssuer}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: web
        image: ${image}
        command: [sh, -c, 'exec sleep 100000']
        volumeMounts: [{name: tls, mountPath: /etc/tls}]
      # Not optional: validation counts the Certificate's secretName as defined.
      volumes: [{name: tls, secret: {secretName: web-tls}}]
---
`;

const record = (n: number): CertificateRecord => ({
  key: 'Certificate/default/web',
  secretName: 'web-tls',
  dnsNames: ['shop.test'],
  issuerKey: 'ClusterIssuer//le',
  keyPem: `KEY-${n}`,
  chainPem: `CHAIN-${n}`,
  notBefore: Date.now(),
  notAfter: Date.now() + 90_000,
  renewalTime: Date.now() + 60_000,
  failures: 0,
});

describe('issued certificates become Secrets of every pass (real Docker)', () => {
  let t: E2eApp;
  let image: string;

  beforeAll(async () => {
    t = await createE2eApp('certsecret');
    image = await ensureBusyboxImage(t.docker);
    await t.write({ 'app.yaml': manifests(image) });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  /** What the daemon's certificate controller commits after an order. */
  function issue(n: number): void {
    const store = openStore({ dir: t.stateDir, clock: systemClock, isProcessAlive: () => true });
    try {
      commitChanges(store, t.app, [{ type: 'record-certificate', record: record(n) }]);
    } finally {
      store.close();
    }
  }
  const webContainer = async (): Promise<Dockerode.ContainerInfo[]> => (await t.containers()).filter((c) => c.Labels['berth.container'] === 'web' && c.State === 'running');
  const read = async (c: Dockerode.ContainerInfo) => (await execIn(t.docker, c.Id, ['sh', '-c', 'cat /etc/tls/tls.crt; echo; cat /etc/tls/tls.key'])).output.trim();

  it('a pod mounting the Certificate Secret reads the issued chain and key', async () => {
    issue(1);
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(r.code).toBe(0);
    const [web] = await webContainer();
    expect(await read(web!)).toBe('CHAIN-1\nKEY-1');
  });

  it('get secret shows it as generated, and it is not part of the inventory', async () => {
    const r = await t.berth('get', 'secret', 'web-tls', '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'web-tls', annotations: { 'berth.dev/generated': 'certificate', 'cert-manager.io/certificate-name': 'web' } } });
    const store = openStore({ dir: t.stateDir, clock: systemClock, isProcessAlive: () => true });
    try {
      expect(store.getInventory(t.app).map((e) => e.key)).not.toContain('Secret/default/web-tls');
    } finally {
      store.close();
    }
  });

  it('a renewed certificate rolls the Deployment, and the new pod reads the new chain', async () => {
    const [before] = await webContainer();
    issue(2);
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    expect(r.code).toBe(0);
    const running = await webContainer();
    expect(running).toHaveLength(1);
    expect(running[0]!.Labels['berth.name']).not.toBe(before!.Labels['berth.name']);
    expect(await read(running[0]!)).toBe('CHAIN-2\nKEY-2');
  });

  it('berth delete of the Certificate and the ClusterIssuer with no daemon: the issued key and the account key leave the store', async () => {
    const stored = <T>(read: (store: ReturnType<typeof openStore>) => T): T => {
      const store = openStore({ dir: t.stateDir, clock: systemClock, isProcessAlive: () => true });
      try {
        return read(store);
      } finally {
        store.close();
      }
    };
    stored((store) => commitChanges(store, t.app, [{ type: 'record-acme-account', account: { issuerKey: 'ClusterIssuer//le', server: 'https://127.0.0.1:1/dir', keyPem: 'ACCOUNT-KEY' } }]));
    const r = await t.berth('delete', 'certificate', 'web');
    expect(r.code, r.stderr).toBe(0);
    expect(stored((store) => store.listCertificates(t.app))).toEqual([]);
    expect((await t.berth('get', 'secret', 'web-tls')).code).not.toBe(0);
    const r2 = await t.berth('delete', 'clusterissuer', 'le');
    expect(r2.code, r2.stderr).toBe(0);
    expect(stored((store) => store.listAcmeAccounts(t.app))).toEqual([]);
  });
});
