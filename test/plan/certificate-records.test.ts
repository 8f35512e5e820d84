import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AcmeAccountRecord, CertificateRecord } from '../../src/model/certificate-state.js';
import type { AnyObject } from '../../src/model/types.js';
import { staleCertificateRecords } from '../../src/plan/certificate-records.js';
import { forgetStaleCertificates } from '../../src/runtime/certificate-records.js';
import { systemClock } from '../../src/runtime/clock.js';
import { openStore } from '../../src/runtime/store/index.js';

/**
 * Issued keys and ACME account keys go when their objects leave the app's inventory, in every
 * pass and after `berth delete`, daemon or not (plan/certificate-records.ts).
 */
const cert = (name: string, namespace = 'default'): AnyObject =>
  ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name, namespace }, spec: { secretName: `${name}-tls`, dnsNames: [`${name}.test`], issuerRef: { name: 'le', kind: 'ClusterIssuer' } } }) as AnyObject;
const annotated = (name: string): AnyObject =>
  ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', annotations: { 'cert-manager.io/cluster-issuer': 'le' } },
    spec: { tls: [{ hosts: ['shop.test'], secretName: 'shop-tls' }], rules: [{ host: 'shop.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
  }) as AnyObject;
const clusterIssuer = (name: string): AnyObject => ({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name }, spec: { acme: { server: 'https://ca.test/dir', privateKeySecretRef: { name } } } }) as AnyObject;
const issuer = (name: string, namespace = 'default'): AnyObject => ({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name, namespace }, spec: { acme: { server: 'https://ca.test/dir', privateKeySecretRef: { name } } } }) as AnyObject;

const record = (key: string): CertificateRecord => ({ key, secretName: 'x', dnsNames: ['x.test'], issuerKey: 'ClusterIssuer//le', failures: 0, keyPem: 'KEY', chainPem: 'CHAIN', notBefore: 1, notAfter: 2 });
const account = (issuerKey: string): AcmeAccountRecord => ({ issuerKey, server: 'https://ca.test/dir', keyPem: 'ACCOUNT KEY' });

const RECORDS = [record('Certificate/default/api'), record('Certificate/default/shop-tls'), record('Certificate/other/api')];
const ACCOUNTS = [account('ClusterIssuer//le'), account('Issuer/default/local'), account('Issuer/other/local')];

describe('staleCertificateRecords', () => {
  it.each<{ name: string; objects: AnyObject[]; want: string[] }>([
    {
      name: 'everything still there: nothing forgotten',
      objects: [cert('api'), annotated('shop'), cert('api', 'other'), clusterIssuer('le'), issuer('local'), issuer('local', 'other')],
      want: [],
    },
    {
      name: 'an explicit Certificate deleted: its key goes, the implied one stays',
      objects: [annotated('shop'), cert('api', 'other'), clusterIssuer('le'), issuer('local'), issuer('local', 'other')],
      want: ['forget-certificate Certificate/default/api'],
    },
    {
      // cert-manager's ingress-shim names the implied Certificate after the tls[] secretName.
      name: 'the annotated Ingress deleted: the implied Certificate goes',
      objects: [cert('api'), cert('api', 'other'), clusterIssuer('le'), issuer('local'), issuer('local', 'other')],
      want: ['forget-certificate Certificate/default/shop-tls'],
    },
    {
      name: 'same name in another namespace is another Certificate',
      objects: [cert('api', 'other'), annotated('shop'), clusterIssuer('le'), issuer('local'), issuer('local', 'other')],
      want: ['forget-certificate Certificate/default/api'],
    },
    {
      name: 'an Issuer left: its account goes, the same-named one of another namespace stays',
      objects: [cert('api'), annotated('shop'), cert('api', 'other'), clusterIssuer('le'), issuer('local', 'other')],
      want: ['forget-acme-account Issuer/default/local'],
    },
    {
      name: 'the ClusterIssuer left: its account goes, the certificates it issued stay with their Certificates',
      objects: [cert('api'), annotated('shop'), cert('api', 'other'), issuer('local'), issuer('local', 'other')],
      want: ['forget-acme-account ClusterIssuer//le'],
    },
    {
      name: 'the whole app deleted: every record and account',
      objects: [],
      want: ['forget-certificate Certificate/default/api', 'forget-certificate Certificate/default/shop-tls', 'forget-certificate Certificate/other/api', 'forget-acme-account ClusterIssuer//le', 'forget-acme-account Issuer/default/local', 'forget-acme-account Issuer/other/local'],
    },
  ])('$name', ({ objects, want }) => {
    const got = staleCertificateRecords(objects, RECORDS, ACCOUNTS).map((c) => (c.type === 'forget-certificate' ? `${c.type} ${c.key}` : c.type === 'forget-acme-account' ? `${c.type} ${c.issuerKey}` : c.type));
    expect(got).toEqual(want);
  });
});

describe('forgetStaleCertificates (the store)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  it('drops the key of a Certificate no longer in the inventory and the account of an issuer gone; keeps the rest', () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-cert-records-'));
    const store = openStore({ isProcessAlive: () => true, dir, clock: systemClock });
    try {
      const entry = (o: AnyObject) => ({ key: `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name, specHash: 'h', object: o });
      store.replaceInventory('a', [entry(cert('api', 'other')), entry(clusterIssuer('le'))], { sourceRevision: 'r1' });
      for (const r of RECORDS) store.recordCertificate('a', r);
      for (const acc of ACCOUNTS) store.recordAcmeAccount('a', acc);
      // Another app's records are its own.
      store.recordCertificate('b', record('Certificate/default/api'));
      forgetStaleCertificates(store, 'a');
      expect(store.listCertificates('a').map((r) => r.key)).toEqual(['Certificate/other/api']);
      expect(store.listAcmeAccounts('a').map((r) => r.issuerKey)).toEqual(['ClusterIssuer//le']);
      expect(store.listCertificates('b').map((r) => r.key)).toEqual(['Certificate/default/api']);
    } finally {
      store.close();
    }
  });
});
