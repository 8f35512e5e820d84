import { describe, expect, it } from 'vitest';
import { CERT_ISSUE_BACKOFF, delay } from '../../src/model/backoff.js';
import type { CertificateRecord } from '../../src/model/certificate-state.js';
import type { AnyObject, Certificate } from '../../src/model/types.js';
import { failedRecord, issuedRecord, planCertificates, renewalTime, type CertificateOrder } from '../../src/plan/certificates.js';
import { certificateStatus, issuerReady } from '../../src/plan/certificate-status.js';
import { issuedSecrets } from '../../src/plan/certificate-secrets.js';
import { allCertificates, impliedCertificates } from '../../src/plan/ingress-certificates.js';

/** The certificate controller's decisions (design §3.2), as cert-manager makes them, from data only. */
const H = 3_600_000;
const NOW = 1_000 * H;
const ISSUER = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'le' }, spec: { acme: { server: 'https://ca.test/dir', privateKeySecretRef: { name: 'le-account' } } } };
const NS_ISSUER = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'local', namespace: 'shop' }, spec: { acme: { server: 'https://ca.test/dir', privateKeySecretRef: { name: 'acct' } } } };
const cert = (spec: Partial<Certificate['spec']> = {}, name = 'web'): Certificate => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name, namespace: 'default' },
  spec: { secretName: `${name}-tls`, dnsNames: ['shop.test'], issuerRef: { name: 'le', kind: 'ClusterIssuer' }, ...spec },
});
const issued = (over: Partial<CertificateRecord> = {}): CertificateRecord => ({
  key: 'Certificate/default/web',
  secretName: 'web-tls',
  dnsNames: ['shop.test'],
  issuerKey: 'ClusterIssuer//le',
  keyPem: 'KEY',
  chainPem: 'CHAIN',
  notBefore: NOW - 10 * H,
  notAfter: NOW + 80 * H,
  renewalTime: NOW + 50 * H,
  failures: 0,
  ...over,
});
const secret = (name: string, namespace = 'default', data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name, namespace }, data });

function plan(certs: Certificate[], records: CertificateRecord[], extra: object[] = [], now = NOW) {
  const objects = [ISSUER, NS_ISSUER, ...certs, ...extra] as unknown as AnyObject[];
  return planCertificates({ now, objects, certificates: certs, records });
}

describe('planCertificates: which Certificates need an order now', () => {
  it.each<[string, Certificate, CertificateRecord | undefined, object[], number, string | undefined, number | undefined]>([
    ['no record: issue', cert(), undefined, [], NOW, 'Issuing certificate as Secret does not exist', undefined],
    ['issued, before renewal: wait for the renewal time', cert(), issued(), [], NOW, undefined, NOW + 50 * H],
    ['at the renewal time: renew', cert(), issued(), [], NOW + 50 * H, 'Renewing certificate as renewal was scheduled at', undefined],
    ['names changed: issue again', cert({ dnsNames: ['shop.test', 'www.shop.test'] }), issued(), [], NOW, "Issuing certificate as Secret's DNS names do not match", undefined],
    ['issuer changed: issue again', cert({ issuerRef: { name: 'local' } }, 'web'), issued(), [], NOW, undefined, undefined],
    ['secretName changed: issue again', cert({ secretName: 'other-tls' }), issued(), [], NOW, 'Issuing certificate as Secret does not exist', undefined],
    ['failed, back-off not over: wait for it', cert(), issued({ chainPem: undefined, keyPem: undefined, failures: 2, nextAttemptAt: NOW + 2 * H, lastFailure: { detail: 'x', request: { dnsNames: ['shop.test'], issuerKey: 'ClusterIssuer//le' } } }), [], NOW, undefined, NOW + 2 * H],
    ['failed, back-off over: try again', cert(), issued({ chainPem: undefined, failures: 2, nextAttemptAt: NOW - 1 }), [], NOW, 'Issuing certificate as Secret does not exist', undefined],
    ['failed, then the request changed: the old back-off does not hold', cert({ dnsNames: ['fixed.test'] }), issued({ chainPem: undefined, failures: 3, nextAttemptAt: NOW + 4 * H, lastFailure: { detail: 'x', request: { dnsNames: ['typo.test'], issuerKey: 'ClusterIssuer//le' } } }), [], NOW, 'Issuing certificate as Secret does not exist', undefined],
    ['renewal due but backing off: wait for the back-off', cert(), issued({ failures: 1, nextAttemptAt: NOW + 51 * H, lastFailure: { detail: 'x', request: { dnsNames: ['shop.test'], issuerKey: 'ClusterIssuer//le' } } }), [], NOW + 50 * H + 1, undefined, NOW + 51 * H],
    ['a Secret of that name in the revision: the source wins, never issued', cert(), undefined, [secret('web-tls')], NOW, undefined, undefined],
    ['issuer missing: not issued', cert({ issuerRef: { name: 'nope', kind: 'ClusterIssuer' } }), undefined, [], NOW, undefined, undefined],
    ['external issuer group: not issued', cert({ issuerRef: { name: 'x', group: 'awspca.cert-manager.io' } }), undefined, [], NOW, undefined, undefined],
  ])('%s', (_name, c, rec, extra, now, message, wake) => {
    // The Issuer of the issuer-changed row lives in the Certificate's namespace.
    const cc = c.spec.issuerRef.name === 'local' ? { ...c, metadata: { ...c.metadata, namespace: 'shop' } } : c;
    const records = rec && cc.metadata.namespace === 'shop' ? [{ ...rec, key: 'Certificate/shop/web' }] : rec ? [rec] : [];
    const p = plan([cc], records, extra, now);
    if (cc.metadata.namespace === 'shop') {
      expect(p.orders.map((o) => o.issuerKey)).toEqual(['Issuer/shop/local']);
      return;
    }
    expect(p.orders.length).toBe(message ? 1 : 0);
    const events = p.changes.filter((ch) => ch.type === 'add-event');
    if (message) expect(events).toEqual([{ type: 'add-event', event: { type: 'Normal', reason: 'Issuing', objectKey: 'Certificate/default/web', message: expect.stringContaining(message) } }]);
    else expect(events).toEqual([]);
    expect(p.nextWakeAt).toBe(wake);
  });

  it('an order carries what the issuer and the Certificate ask for', () => {
    const account = secret('acct', 'shop', { 'tls.key': Buffer.from('ACCOUNT PEM').toString('base64') });
    const c: Certificate = { ...cert({ issuerRef: { name: 'local' }, commonName: 'shop.test', dnsNames: ['www.shop.test'], privateKey: { algorithm: 'ECDSA' }, renewBefore: '24h' }), metadata: { name: 'web', namespace: 'shop' } };
    const [o] = plan([c], [], [account]).orders;
    expect(o).toMatchObject({ key: 'Certificate/shop/web', dnsNames: ['shop.test', 'www.shop.test'], commonName: 'shop.test', issuerKey: 'Issuer/shop/local', accountKeyPem: 'ACCOUNT PEM', privateKey: { algorithm: 'ECDSA', size: 256 }, renewBefore: 24 * H });
  });

  it('rotationPolicy Never reuses the issued key; the default (Always) makes a new one', () => {
    expect(plan([cert({ privateKey: { rotationPolicy: 'Never' } })], [issued()], [], NOW + 50 * H).orders[0]!.reuseKeyPem).toBe('KEY');
    expect(plan([cert()], [issued()], [], NOW + 50 * H).orders[0]!.reuseKeyPem).toBeUndefined();
    expect(plan([cert()], []).orders[0]!.privateKey).toEqual({ algorithm: 'RSA', size: 2048 });
  });

  it('a Certificate gone from the revision takes its record along', () => {
    expect(plan([], [issued()]).changes).toEqual([{ type: 'forget-certificate', key: 'Certificate/default/web' }]);
  });
});

describe('renewalTime: cert-manager rules', () => {
  it.each<[string, number | undefined, number | undefined, number]>([
    ['default: a third of the lifetime before the end', undefined, undefined, 60_000],
    ['renewBefore', 10_000, undefined, 80_000],
    ['renewBefore longer than the lifetime: the default', 100_000, undefined, 60_000],
    ['renewBeforePercentage 25: a quarter before the end', undefined, 25, 67_000],
  ])('%s', (_n, before, pct, want) => {
    // 90 s of validity from t=0 (pebble's test setting); cert-manager truncates to seconds.
    expect(renewalTime(0, 90_000, before, pct)).toBe(want);
  });
});

describe('issued and failed records', () => {
  const order = plan([cert()], []).orders[0]! as CertificateOrder;
  it('an issuance resets failures and schedules the renewal', () => {
    expect(issuedRecord(order, { keyPem: 'K', chainPem: 'C', notBefore: 0, notAfter: 90_000 })).toEqual({ key: 'Certificate/default/web', secretName: 'web-tls', dnsNames: ['shop.test'], issuerKey: 'ClusterIssuer//le', keyPem: 'K', chainPem: 'C', notBefore: 0, notAfter: 90_000, renewalTime: 60_000, failures: 0 });
  });
  it.each([1, 2, 3, 6, 7, 10])('failure %i backs off 1 h doubling to 32 h', (n) => {
    let rec: CertificateRecord | undefined;
    for (let i = 0; i < n; i++) rec = failedRecord({ ...order, ...(rec ? { previous: rec } : {}) }, { detail: 'connection refused' }, NOW);
    expect(rec!.failures).toBe(n);
    expect(rec!.nextAttemptAt! - NOW).toBe(Math.min(2 ** (n - 1), 32) * H);
    expect(delay(CERT_ISSUE_BACKOFF, n)).toBe(Math.min(2 ** (n - 1), 32) * H);
  });
  it('a failed renewal keeps the certificate issued before (it is still served)', () => {
    const rec = failedRecord({ ...order, previous: issued() }, { type: 'urn:ietf:params:acme:error:connection', detail: 'no' }, NOW);
    expect(rec).toMatchObject({ chainPem: 'CHAIN', keyPem: 'KEY', failures: 1, lastFailure: { type: 'urn:ietf:params:acme:error:connection', detail: 'no' } });
  });
});

describe("ingress-shim: Certificates an Ingress's annotations imply", () => {
  const ing = (annotations: Record<string, string>, tls: Array<{ hosts?: string[]; secretName?: string }>, name = 'web') => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'shop', annotations }, spec: { tls } });
  it.each<[string, object[], Array<[string, string[], object]>]>([
    ['cluster-issuer: one Certificate per TLS Secret, named after it', [ing({ 'cert-manager.io/cluster-issuer': 'le' }, [{ hosts: ['a.test'], secretName: 'a-tls' }, { hosts: ['b.test'], secretName: 'b-tls' }])], [['a-tls', ['a.test'], { name: 'le', kind: 'ClusterIssuer', group: 'cert-manager.io' }], ['b-tls', ['b.test'], { name: 'le', kind: 'ClusterIssuer', group: 'cert-manager.io' }]]],
    ['issuer with issuer-kind', [ing({ 'cert-manager.io/issuer': 'local', 'cert-manager.io/issuer-kind': 'Issuer' }, [{ hosts: ['a.test'], secretName: 'a-tls' }])], [['a-tls', ['a.test'], { name: 'local', kind: 'Issuer', group: 'cert-manager.io' }]]],
    ['entries naming one Secret merge their hosts', [ing({ 'cert-manager.io/cluster-issuer': 'le' }, [{ hosts: ['a.test'], secretName: 's' }, { hosts: ['b.test', 'a.test'], secretName: 's' }])], [['s', ['a.test', 'b.test'], { name: 'le' }]]],
    ['an entry without secretName is skipped', [ing({ 'cert-manager.io/cluster-issuer': 'le' }, [{ hosts: ['a.test'] }])], []],
    ['no annotation: nothing', [ing({}, [{ hosts: ['a.test'], secretName: 'a-tls' }])], []],
    ['both annotations: refused', [ing({ 'cert-manager.io/cluster-issuer': 'le', 'cert-manager.io/issuer': 'x' }, [{ hosts: ['a.test'], secretName: 'a-tls' }])], []],
    ['an explicit Certificate of that name wins', [ing({ 'cert-manager.io/cluster-issuer': 'le' }, [{ hosts: ['a.test'], secretName: 'a-tls' }]), { ...cert({}, 'a-tls'), metadata: { name: 'a-tls', namespace: 'shop' } }], []],
  ])('%s', (_n, objects, want) => {
    const got = impliedCertificates(objects as AnyObject[]).certificates;
    expect(got.map((c) => [c.metadata.name, c.spec.dnsNames, c.spec.issuerRef])).toEqual(want.map(([n, d, r]) => [n, d, expect.objectContaining(r)]));
  });
  it('common-name, duration, renew-before and private key annotations fill the spec', () => {
    const [c] = impliedCertificates([ing({ 'cert-manager.io/cluster-issuer': 'le', 'cert-manager.io/common-name': 'a.test', 'cert-manager.io/duration': '720h', 'cert-manager.io/renew-before': '240h', 'cert-manager.io/private-key-algorithm': 'ECDSA', 'cert-manager.io/private-key-rotation-policy': 'Never' }, [{ hosts: ['a.test'], secretName: 'a' }])] as unknown as AnyObject[]).certificates;
    expect(c!.spec).toMatchObject({ commonName: 'a.test', duration: '720h', renewBefore: '240h', privateKey: { algorithm: 'ECDSA', rotationPolicy: 'Never' } });
  });
  it('both annotations are reported', () => {
    expect(impliedCertificates([ing({ 'cert-manager.io/cluster-issuer': 'le', 'cert-manager.io/issuer': 'x' }, [])] as unknown as AnyObject[]).refused).toEqual([{ ingress: 'Ingress/shop/web', message: expect.stringContaining('requires one') }]);
  });
});

describe('generated Secrets and status', () => {
  const resources = (objs: object[]) => objs.map((o) => ({ key: '', object: o as AnyObject, source: { file: 'x', line: 1, column: 1 } }));
  it('an issued certificate is a kubernetes.io/tls Secret annotated as cert-manager does, marked generated', () => {
    const [s] = issuedSecrets(resources([ISSUER, cert()]), [issued()]);
    expect(s).toMatchObject({
      key: 'Secret/default/web-tls',
      object: { kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'web-tls', namespace: 'default', annotations: { 'cert-manager.io/certificate-name': 'web', 'cert-manager.io/issuer-name': 'le', 'cert-manager.io/issuer-kind': 'ClusterIssuer', 'berth.dev/generated': 'certificate' } }, data: { 'tls.crt': Buffer.from('CHAIN').toString('base64'), 'tls.key': Buffer.from('KEY').toString('base64') } },
    });
  });
  it.each<[string, object[], CertificateRecord[]]>([
    ['the Certificate left the revision', [ISSUER], [issued()]],
    ['the revision defines the Secret itself', [ISSUER, cert(), secret('web-tls')], [issued()]],
    ['nothing issued yet', [ISSUER, cert()], [issued({ chainPem: undefined })]],
  ])('no Secret when %s', (_n, objs, recs) => {
    expect(issuedSecrets(resources(objs), recs)).toEqual([]);
  });
  it('an implied Certificate gets its Secret too', () => {
    const ing = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default', annotations: { 'cert-manager.io/cluster-issuer': 'le' } }, spec: { tls: [{ hosts: ['shop.test'], secretName: 'web-tls' }] } };
    expect(allCertificates([ing] as unknown as AnyObject[]).map((c) => c.metadata.name)).toEqual(['web-tls']);
    expect(issuedSecrets(resources([ISSUER, ing]), [issued({ key: 'Certificate/default/web-tls' })]).map((s) => s.key)).toEqual(['Secret/default/web-tls']);
  });

  const objs = [ISSUER, cert()] as unknown as AnyObject[];
  it.each<[string, CertificateRecord | undefined, number, boolean, Array<[string, string, string]>, object]>([
    ['no daemon', undefined, NOW, false, [['Ready', 'False', 'NoController']], {}],
    ['daemon, not issued yet', undefined, NOW, true, [['Ready', 'False', 'DoesNotExist'], ['Issuing', 'True', 'DoesNotExist']], {}],
    ['issued', issued(), NOW, true, [['Ready', 'True', 'Ready']], { renewalTime: NOW + 50 * H, notAfter: NOW + 80 * H }],
    ['renewal due', issued(), NOW + 60 * H, true, [['Ready', 'True', 'Ready'], ['Issuing', 'True', 'Renewing']], {}],
    ['expired', issued(), NOW + 81 * H, true, [['Ready', 'False', 'Expired'], ['Issuing', 'True', 'Renewing']], {}],
    ['failed', issued({ chainPem: undefined, failures: 2, lastFailureAt: NOW - H, nextAttemptAt: NOW + H, lastFailure: { detail: 'connection refused' } }), NOW, true, [['Ready', 'False', 'DoesNotExist'], ['Issuing', 'False', 'Failed']], { failedIssuanceAttempts: 2, lastFailureTime: NOW - H }],
  ])('status: %s', (_n, rec, now, daemon, conditions, extra) => {
    const s = certificateStatus(objs, cert(), rec, now, daemon);
    expect(s.conditions.map((c) => [c.type, c.status, c.reason])).toEqual(conditions);
    expect(s).toMatchObject(extra);
  });
  it('status: a Secret in the revision says so', () => {
    expect(certificateStatus([...objs, secret('web-tls')] as unknown as AnyObject[], cert(), undefined, NOW, true).conditions).toEqual([{ type: 'Ready', status: 'False', reason: 'SecretInRevision', message: expect.stringContaining('defined in the revision') }]);
  });
  it('an issuer is Ready once its account is registered', () => {
    const issuer = ISSUER as never;
    expect(issuerReady(issuer, [], 'ClusterIssuer//le', true)?.reason).toBe('Pending');
    expect(issuerReady(issuer, [], 'ClusterIssuer//le', false)?.reason).toBe('NoController');
    expect(issuerReady(issuer, [{ issuerKey: 'ClusterIssuer//le', server: 'https://ca.test/dir', keyPem: 'K', accountUrl: 'https://ca.test/acct/1' }], 'ClusterIssuer//le', true)).toMatchObject({ status: 'True', reason: 'ACMEAccountRegistered' });
  });
});

describe('issuer scope: an Issuer serves its own namespace only, a ClusterIssuer every namespace', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  it.each<[string, Certificate, object[], string | undefined, string | undefined]>([
    ['an Issuer of the same namespace', { ...cert({ issuerRef: { name: 'local' } }), metadata: { name: 'web', namespace: 'shop' } }, [], 'Issuer/shop/local', undefined],
    ['an Issuer of another namespace is not found', cert({ issuerRef: { name: 'local' } }), [], undefined, undefined],
    ['an Issuer named as kind Issuer while only a ClusterIssuer has the name', cert({ issuerRef: { name: 'le', kind: 'Issuer' } }), [], undefined, undefined],
    ['a ClusterIssuer from any namespace', { ...cert(), metadata: { name: 'web', namespace: 'shop' } }, [], 'ClusterIssuer//le', undefined],
    // The account key Secret: an Issuer's in its namespace, a ClusterIssuer's in cert-manager's; a same-named Secret elsewhere is not it.
    ['an Issuer reads its account key from its own namespace', { ...cert({ issuerRef: { name: 'local' } }), metadata: { name: 'web', namespace: 'shop' } }, [{ ...secret('acct', 'shop', { 'tls.key': b64('SHOP-KEY') }) }, secret('acct', 'default', { 'tls.key': b64('OTHER') })], 'Issuer/shop/local', 'SHOP-KEY'],
    ['a ClusterIssuer does not read an account key from the Certificate namespace', cert(), [secret('le-account', 'default', { 'tls.key': b64('DEFAULT-KEY') })], 'ClusterIssuer//le', undefined],
    ['a ClusterIssuer reads its account key from cert-manager', cert(), [secret('le-account', 'cert-manager', { 'tls.key': b64('CM-KEY') })], 'ClusterIssuer//le', 'CM-KEY'],
  ])('%s', (_what, c, extra, issuerKey, accountKeyPem) => {
    const p = plan([c], [], extra);
    expect(p.orders.map((o) => o.issuerKey)).toEqual(issuerKey ? [issuerKey] : []);
    expect(p.orders[0]?.accountKeyPem).toBe(accountKeyPem);
  });
});
