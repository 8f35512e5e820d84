import type { CertificateRecord } from '../model/certificate-state.js';
import type { AnyObject, Resource, Secret } from '../model/types.js';
import { resourceKey } from '../model/types.js';
import { blockedBy, issuerOf } from './certificates.js';
import { allCertificates } from './ingress-certificates.js';

/** Marks a Secret berth generated from an issued certificate: desired, but not the source's. */
export const GENERATED_ANNOTATION = 'berth.dev/generated';

/**
 * The `kubernetes.io/tls` Secrets of the app's issued certificates, as cert-manager writes them
 * (`tls.crt` the chain, `tls.key` the key, its cert-manager.io annotations): generated objects
 * every pass adds to the desired state, like the Jobs a CronJob started. Only Certificates
 * still in the revision have one, and never where the revision defines that Secret itself.
 */
export function issuedSecrets(resources: readonly Resource[], records: readonly CertificateRecord[]): Resource<Secret>[] {
  const objects = resources.map((r) => r.object as AnyObject);
  const byKey = new Map(records.map((r) => [r.key, r]));
  const out: Resource<Secret>[] = [];
  for (const cert of allCertificates(objects)) {
    const namespace = cert.metadata.namespace ?? 'default';
    const rec = byKey.get(resourceKey('Certificate', namespace, cert.metadata.name));
    if (!rec?.chainPem || !rec.keyPem || rec.secretName !== cert.spec.secretName) continue;
    const issuer = issuerOf(objects, cert);
    if (blockedBy(objects, cert, issuer)?.reason === 'SecretInRevision') continue;
    const [issuerKind, , issuerName] = rec.issuerKey.split('/');
    const secret: Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: {
        name: rec.secretName,
        namespace,
        annotations: {
          'cert-manager.io/certificate-name': cert.metadata.name,
          'cert-manager.io/issuer-name': issuerName ?? '',
          'cert-manager.io/issuer-kind': issuerKind ?? '',
          'cert-manager.io/issuer-group': 'cert-manager.io',
          'cert-manager.io/alt-names': rec.dnsNames.join(','),
          ...(cert.spec.commonName ? { 'cert-manager.io/common-name': cert.spec.commonName } : {}),
          [GENERATED_ANNOTATION]: 'certificate',
        },
      },
      data: { 'tls.crt': Buffer.from(rec.chainPem).toString('base64'), 'tls.key': Buffer.from(rec.keyPem).toString('base64') },
    };
    out.push({ key: resourceKey('Secret', namespace, rec.secretName), object: secret, source: { file: '(generated)', line: 0, column: 0 } });
  }
  return out;
}
