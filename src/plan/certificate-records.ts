import type { AcmeAccountRecord, CertificateRecord } from '../model/certificate-state.js';
import type { AnyObject } from '../model/types.js';
import { resourceKey } from '../model/types.js';
import { impliedCertificates } from './ingress-certificates.js';
import type { StoreChange } from './store-changes.js';

/**
 * The certificate controller's records that outlived their objects: an issued certificate's
 * private key whose Certificate (explicit, or implied by an Ingress's cert-manager.io annotation)
 * is no longer in the app's inventory, and an ACME account key whose Issuer/ClusterIssuer left
 * it. Pure; every pass (CLI and daemon) and `berth delete` commit these after the inventory
 * changed, so a key does not stay in the state store because no daemon ran (cert-manager's
 * Secret and Order go with their Certificate the same way).
 */
export function staleCertificateRecords(objects: readonly AnyObject[], records: readonly CertificateRecord[], accounts: readonly AcmeAccountRecord[]): StoreChange[] {
  const certificates = new Set(objects.filter((o) => o.kind === 'Certificate').map((o) => resourceKey('Certificate', o.metadata?.namespace ?? 'default', o.metadata?.name)));
  for (const c of impliedCertificates(objects).certificates) certificates.add(resourceKey('Certificate', c.metadata.namespace ?? 'default', c.metadata.name));
  const issuers = new Set(
    objects.flatMap((o) => (o.kind === 'Issuer' ? [resourceKey('Issuer', o.metadata?.namespace ?? 'default', o.metadata?.name)] : o.kind === 'ClusterIssuer' ? [resourceKey('ClusterIssuer', undefined, o.metadata?.name)] : [])),
  );
  return [
    ...records.filter((r) => !certificates.has(r.key)).map((r): StoreChange => ({ type: 'forget-certificate', key: r.key })),
    ...accounts.filter((a) => !issuers.has(a.issuerKey)).map((a): StoreChange => ({ type: 'forget-acme-account', issuerKey: a.issuerKey, server: a.server })),
  ];
}
