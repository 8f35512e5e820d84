import type { AnyObject, Certificate, Ingress } from '../model/types.js';
import { resourceKey } from '../model/types.js';

/**
 * cert-manager's ingress-shim, reduced to what berth runs: an Ingress annotated
 * `cert-manager.io/cluster-issuer` or `cert-manager.io/issuer` implies one Certificate per TLS
 * Secret it names (tls[] entries naming the same Secret are merged: their hosts together),
 * named after the Secret, in the Ingress's namespace, with the entry's hosts as dnsNames. The
 * other annotations the shim reads (`issuer-kind`, `issuer-group`, `common-name`, `duration`,
 * `renew-before`, `private-key-*`) fill the same fields. An explicit Certificate of that name
 * wins, as the shim leaves a Certificate it does not own alone.
 */
export const ANNOTATION = {
  issuer: 'cert-manager.io/issuer',
  clusterIssuer: 'cert-manager.io/cluster-issuer',
  issuerKind: 'cert-manager.io/issuer-kind',
  issuerGroup: 'cert-manager.io/issuer-group',
  commonName: 'cert-manager.io/common-name',
  duration: 'cert-manager.io/duration',
  renewBefore: 'cert-manager.io/renew-before',
  algorithm: 'cert-manager.io/private-key-algorithm',
  size: 'cert-manager.io/private-key-size',
  rotationPolicy: 'cert-manager.io/private-key-rotation-policy',
} as const;

export interface ImpliedCertificates {
  certificates: Certificate[];
  /** Ingresses whose annotations the shim refuses (both issuer annotations set), and why. */
  refused: Array<{ ingress: string; message: string }>;
}

/** The Certificates the app's Ingresses imply, minus those an explicit Certificate overrides. */
export function impliedCertificates(objects: readonly AnyObject[]): ImpliedCertificates {
  const explicit = new Set(objects.filter((o) => o.kind === 'Certificate').map((o) => resourceKey('Certificate', o.metadata?.namespace ?? 'default', o.metadata?.name)));
  const byKey = new Map<string, Certificate>();
  const refused: ImpliedCertificates['refused'] = [];
  for (const o of objects) {
    if (o.kind !== 'Ingress') continue;
    const ing = o as Ingress;
    // Validation runs this on objects not yet known to be well-formed: read defensively.
    const a: Record<string, string> = isRecord(ing.metadata?.annotations) ? (ing.metadata.annotations as Record<string, string>) : {};
    const namespace = ing.metadata?.namespace ?? 'default';
    const issuer = a[ANNOTATION.issuer];
    const clusterIssuer = a[ANNOTATION.clusterIssuer];
    if (!issuer && !clusterIssuer) continue;
    if (issuer && clusterIssuer) {
      refused.push({ ingress: resourceKey('Ingress', namespace, ing.metadata.name), message: `both ${ANNOTATION.issuer} and ${ANNOTATION.clusterIssuer} are set; cert-manager's ingress-shim requires one` });
      continue;
    }
    const issuerRef = clusterIssuer
      ? { name: clusterIssuer, kind: 'ClusterIssuer', group: 'cert-manager.io' }
      : { name: issuer!, kind: a[ANNOTATION.issuerKind] ?? 'Issuer', group: a[ANNOTATION.issuerGroup] ?? 'cert-manager.io' };
    const entries = Array.isArray(ing.spec?.tls) ? ing.spec.tls : [];
    for (const tls of entries) {
      // The shim needs a Secret name to name the Certificate after; an entry without one is skipped.
      if (!isRecord(tls) || typeof tls.secretName !== 'string' || !tls.secretName) continue;
      const hosts = Array.isArray(tls.hosts) ? tls.hosts.filter((h): h is string => typeof h === 'string') : [];
      const key = resourceKey('Certificate', namespace, tls.secretName);
      if (explicit.has(key)) continue;
      const seen = byKey.get(key);
      if (seen) {
        seen.spec.dnsNames = [...new Set([...(seen.spec.dnsNames ?? []), ...hosts])];
        continue;
      }
      byKey.set(key, {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: tls.secretName, namespace, annotations: { 'berth.dev/implied-by': resourceKey('Ingress', namespace, ing.metadata.name) } },
        spec: {
          secretName: tls.secretName,
          issuerRef,
          dnsNames: [...new Set(hosts)],
          ...(a[ANNOTATION.commonName] ? { commonName: a[ANNOTATION.commonName] } : {}),
          ...(a[ANNOTATION.duration] ? { duration: a[ANNOTATION.duration] } : {}),
          ...(a[ANNOTATION.renewBefore] ? { renewBefore: a[ANNOTATION.renewBefore] } : {}),
          ...privateKey(a),
        },
      });
    }
  }
  return { certificates: [...byKey.values()].sort((x, y) => (resourceKey('Certificate', x.metadata.namespace, x.metadata.name) < resourceKey('Certificate', y.metadata.namespace, y.metadata.name) ? -1 : 1)), refused };
}

function privateKey(a: Record<string, string>): Pick<Certificate['spec'], 'privateKey'> {
  const algorithm = a[ANNOTATION.algorithm];
  const size = Number(a[ANNOTATION.size]);
  const rotationPolicy = a[ANNOTATION.rotationPolicy];
  const pk: NonNullable<Certificate['spec']['privateKey']> = {
    ...(algorithm === 'RSA' || algorithm === 'ECDSA' || algorithm === 'Ed25519' ? { algorithm } : {}),
    ...(Number.isInteger(size) && size > 0 ? { size } : {}),
    ...(rotationPolicy === 'Never' || rotationPolicy === 'Always' ? { rotationPolicy } : {}),
  };
  return Object.keys(pk).length > 0 ? { privateKey: pk } : {};
}

/** Every Certificate of the app: its own, then those its Ingresses imply. */
export function allCertificates(objects: readonly AnyObject[]): Certificate[] {
  return [...(objects.filter((o) => o.kind === 'Certificate') as Certificate[]), ...impliedCertificates(objects).certificates];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
