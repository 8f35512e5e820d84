import { describe, expect, it } from 'vitest';
import { formatColumns, tableRows } from '../../src/cli/output/table.js';
import type { CertificateRecord } from '../../src/model/certificate-state.js';
import type { Kind } from '../../src/model/types.js';
import { healthOf } from '../../src/runtime/api/health.js';
import { buildViews } from '../../src/runtime/views/index.js';
import type { LiveState } from '../../src/runtime/views/live.js';
import { entry, liveState, NOW } from './views-support.js';

/**
 * `get`/`describe` of Certificates and Issuers under a daemon that runs ACME orders: status
 * from the controller's records (cert-manager's conditions and times), the Certificates an
 * Ingress implies, and the generated Secret shown like any Secret.
 */
const H = 3_600_000;
const ISSUER = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'pebble' }, spec: { acme: { server: 'https://127.0.0.1:14000/dir', privateKeySecretRef: { name: 'acct' } } } };
const CERT = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'api' }, spec: { secretName: 'api-tls', dnsNames: ['api.test'], issuerRef: { name: 'pebble' } } };
const ING = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', annotations: { 'cert-manager.io/issuer': 'pebble' } },
  spec: { tls: [{ hosts: ['shop.test'], secretName: 'web-tls' }], rules: [{ host: 'shop.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
};
const issued: CertificateRecord = {
  key: 'Certificate/default/api',
  secretName: 'api-tls',
  dnsNames: ['api.test'],
  issuerKey: 'Issuer/default/pebble',
  keyPem: '-----BEGIN PRIVATE KEY-----\nSECRETKEY\n-----END PRIVATE KEY-----\n',
  chainPem: '-----BEGIN CERTIFICATE-----\nCHAIN\n-----END CERTIFICATE-----\n',
  notBefore: NOW - H,
  notAfter: NOW + 89 * H,
  renewalTime: NOW + 59 * H,
  failures: 0,
};
const failed: CertificateRecord = {
  key: 'Certificate/default/web-tls',
  secretName: 'web-tls',
  dnsNames: ['shop.test'],
  issuerKey: 'Issuer/default/pebble',
  failures: 1,
  lastFailureAt: NOW - 60_000,
  nextAttemptAt: NOW - 60_000 + H,
  lastFailure: { detail: 'connect ECONNREFUSED 127.0.0.1:1' },
};
const state: LiveState = {
  ...liveState({ inventory: [entry(ISSUER), entry(CERT), entry(ING)] }),
  certificates: [issued, failed],
  acmeAccounts: [{ issuerKey: 'Issuer/default/pebble', server: 'https://127.0.0.1:14000/dir', keyPem: 'ACCOUNTKEY', accountUrl: 'https://127.0.0.1:14000/my-account/1' }],
};

function table(kind: Kind, wide = false): string[] {
  return formatColumns(tableRows(kind, buildViews(state, [kind]), { now: NOW, wide })).trimEnd().split('\n');
}
const one = (kind: Kind, name: string) => buildViews(state, [kind]).find((v) => v.name === name)!;

describe('certificates under a daemon', () => {
  it('get certificate: the explicit one issued, the implied one failing', () => {
    expect(table('Certificate')).toEqual(['NAME      READY   SECRET    AGE', 'api       True    api-tls   120m', 'web-tls   False   web-tls   120m']);
  });
  it('-o json: cert-manager status fields', () => {
    expect(one('Certificate', 'api').object).toMatchObject({
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready' }], notBefore: '2026-03-01T11:00:00Z', notAfter: '2026-03-05T05:00:00Z', renewalTime: '2026-03-03T23:00:00Z' },
    });
    expect(one('Certificate', 'web-tls').object).toMatchObject({
      spec: { secretName: 'web-tls', dnsNames: ['shop.test'], issuerRef: { name: 'pebble', kind: 'Issuer' } },
      status: { conditions: [{ type: 'Ready', status: 'False', reason: 'DoesNotExist' }, { type: 'Issuing', status: 'False', reason: 'Failed', message: expect.stringContaining('ECONNREFUSED') }], failedIssuanceAttempts: 1, lastFailureTime: '2026-03-01T11:59:00Z' },
    });
  });
  it('health follows the conditions', () => {
    expect(healthOf(one('Certificate', 'api'))).toEqual({ status: 'Healthy' });
    expect(healthOf(one('Certificate', 'web-tls'))).toMatchObject({ status: 'Degraded' });
  });
  it('an issuer whose account is registered is Ready', () => {
    expect(table('Issuer')).toEqual(['NAME     READY   AGE', 'pebble   True    120m']);
  });
  it('get secret shows the generated Secret as it shows any Secret: type, keys, cert-manager annotations', () => {
    const v = one('Secret', 'api-tls');
    expect(v.object).toMatchObject({ type: 'kubernetes.io/tls', metadata: { annotations: { 'berth.dev/generated': 'certificate', 'cert-manager.io/certificate-name': 'api' } } });
    expect(table('Secret')).toEqual([expect.stringMatching(/^NAME/), expect.stringMatching(/^api-tls\s+kubernetes\.io\/tls\s+2\s/)]);
  });
});
