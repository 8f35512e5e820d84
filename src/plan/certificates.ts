import { CERT_ISSUE_BACKOFF, delay } from '../model/backoff.js';
import type { CertificateRecord } from '../model/certificate-state.js';
import { parseGoDuration } from '../model/go-duration.js';
import type { ACMEIssuer, AnyObject, Certificate, ClusterIssuer, Issuer, Secret } from '../model/types.js';
import { resourceKey } from '../model/types.js';
import type { StoreChange } from './store-changes.js';

/**
 * The certificate controller (cert-manager's trigger and issuing controllers, reduced to ACME
 * HTTP-01 on one host), as a pure planner: which Certificates need an ACME order now, and
 * when to look again. The orders run in the daemon (runtime/daemon/certificates.ts), beside
 * passes; what they issue becomes the Certificate's Secret, a generated object of every pass.
 */
export interface CertificateSnapshot {
  now: number;
  /** The app's objects as last applied (the inventory): Certificates, Issuers, Secrets… */
  objects: readonly AnyObject[];
  /** The Certificates to run: explicit and those Ingresses imply (plan/ingress-certificates.ts). */
  certificates: readonly Certificate[];
  records: readonly CertificateRecord[];
}

/** One ACME order to run. */
export interface CertificateOrder {
  key: string;
  namespace: string;
  name: string;
  secretName: string;
  dnsNames: string[];
  commonName?: string;
  issuerKey: string;
  acme: ACMEIssuer;
  /** The account key from `privateKeySecretRef` when the revision has that Secret (PEM). */
  accountKeyPem?: string;
  privateKey: { algorithm: 'RSA' | 'ECDSA'; size: number };
  /** The key to reuse (rotationPolicy Never and one was issued before). */
  reuseKeyPem?: string;
  renewBefore?: number;
  renewBeforePercentage?: number;
  /** The record before this order (failures count on from it). */
  previous?: CertificateRecord;
}

export interface CertificatePlan {
  orders: CertificateOrder[];
  /** To commit before the orders run: records of Certificates gone, and the Issuing events. */
  changes: StoreChange[];
  /** The earliest time something becomes due (a renewal, the end of a back-off). */
  nextWakeAt?: number;
}

/** Why a Certificate is not issued by berth right now (Ready=False with this reason), if it cannot be. */
export interface Blocked {
  reason: string;
  message: string;
}

/** The defaults cert-manager documents: 90 days, renewal a third before the end. */
export const DEFAULT_DURATION_MS = 2160 * 3_600_000;
const CLUSTER_RESOURCE_NAMESPACE = 'cert-manager';

export function planCertificates(s: CertificateSnapshot): CertificatePlan {
  const orders: CertificateOrder[] = [];
  const changes: StoreChange[] = [];
  const records = new Map(s.records.map((r) => [r.key, r]));
  const keys = new Set<string>();
  let nextWakeAt: number | undefined;
  const wake = (at: number | undefined) => {
    if (at !== undefined && at > s.now && (nextWakeAt === undefined || at < nextWakeAt)) nextWakeAt = at;
  };
  for (const cert of s.certificates) {
    const namespace = cert.metadata.namespace ?? 'default';
    const key = resourceKey('Certificate', namespace, cert.metadata.name);
    keys.add(key);
    const issuer = issuerOf(s.objects, cert);
    if (blockedBy(s.objects, cert, issuer)) continue;
    const rec = records.get(key);
    const due = dueReason(cert, issuer!.key, rec, s.now);
    if (!due) {
      wake(rec?.renewalTime);
      continue;
    }
    // A changed request (names, issuer) is not held back by the failures of the old one.
    if (rec?.nextAttemptAt !== undefined && s.now < rec.nextAttemptAt && sameFailedRequest(rec, requestedNames(cert), issuer!.key)) {
      wake(rec.nextAttemptAt);
      continue;
    }
    const acme = issuer!.object.spec.acme!;
    const accountKeyPem = accountKey(s.objects, issuer!, acme);
    const pk = cert.spec.privateKey ?? {};
    const algorithm = pk.algorithm === 'ECDSA' ? 'ECDSA' : 'RSA';
    const renewBefore = cert.spec.renewBefore !== undefined ? parseGoDuration(cert.spec.renewBefore) : undefined;
    orders.push({
      key,
      namespace,
      name: cert.metadata.name,
      secretName: cert.spec.secretName,
      dnsNames: requestedNames(cert),
      ...(cert.spec.commonName ? { commonName: cert.spec.commonName } : {}),
      issuerKey: issuer!.key,
      acme,
      ...(accountKeyPem ? { accountKeyPem } : {}),
      privateKey: { algorithm, size: pk.size ?? (algorithm === 'ECDSA' ? 256 : 2048) },
      ...(pk.rotationPolicy === 'Never' && rec?.keyPem ? { reuseKeyPem: rec.keyPem } : {}),
      ...(renewBefore !== undefined ? { renewBefore } : {}),
      ...(cert.spec.renewBeforePercentage !== undefined ? { renewBeforePercentage: cert.spec.renewBeforePercentage } : {}),
      ...(rec ? { previous: rec } : {}),
    });
    changes.push({ type: 'add-event', event: { type: 'Normal', reason: 'Issuing', objectKey: key, message: due.message } });
  }
  // A Certificate gone from the revision takes its record along, and so its generated Secret.
  for (const r of s.records) if (!keys.has(r.key)) changes.push({ type: 'forget-certificate', key: r.key });
  return { orders, changes, ...(nextWakeAt !== undefined ? { nextWakeAt } : {}) };
}

/** The names the certificate is for: dnsNames, with the commonName among them as cert-manager requires. */
export function requestedNames(cert: Certificate): string[] {
  const names = [...(cert.spec.dnsNames ?? [])];
  if (cert.spec.commonName && !names.includes(cert.spec.commonName)) names.unshift(cert.spec.commonName);
  return [...new Set(names)].sort();
}

interface Due {
  message: string;
}

function dueReason(cert: Certificate, issuerKey: string, rec: CertificateRecord | undefined, now: number): Due | undefined {
  const names = requestedNames(cert);
  if (!rec?.chainPem || rec.secretName !== cert.spec.secretName) return { message: 'Issuing certificate as Secret does not exist' };
  if (rec.issuerKey !== issuerKey) return { message: `Issuing certificate as Secret was previously issued by ${issuerName(rec.issuerKey)}` };
  if (names.join(',') !== [...rec.dnsNames].sort().join(',')) return { message: "Issuing certificate as Secret's DNS names do not match the Certificate's" };
  if (rec.renewalTime !== undefined && now >= rec.renewalTime) return { message: `Renewing certificate as renewal was scheduled at ${new Date(rec.renewalTime).toISOString()}` };
  return undefined;
}

/** Whether the last failure was for this same request (its back-off holds), or for an older one. */
function sameFailedRequest(rec: CertificateRecord, names: readonly string[], issuerKey: string): boolean {
  const req = rec.lastFailure?.request;
  if (!req) return true;
  return req.issuerKey === issuerKey && [...req.dnsNames].sort().join(',') === names.join(',');
}

function issuerName(issuerKey: string): string {
  const [kind, , name] = issuerKey.split('/');
  return `${kind}.cert-manager.io/${name}`;
}

export interface IssuerRef {
  key: string;
  object: Issuer | ClusterIssuer;
}

/** The issuer a Certificate names, if the app has it. */
export function issuerOf(objects: readonly AnyObject[], cert: Certificate): IssuerRef | undefined {
  const ref = cert.spec.issuerRef;
  const kind = ref.kind ?? 'Issuer';
  if ((ref.group ?? 'cert-manager.io') !== 'cert-manager.io' || (kind !== 'Issuer' && kind !== 'ClusterIssuer')) return undefined;
  const namespace = kind === 'Issuer' ? (cert.metadata.namespace ?? 'default') : undefined;
  const object = objects.find((o) => o.kind === kind && o.metadata.name === ref.name && (kind === 'ClusterIssuer' || (o.metadata.namespace ?? 'default') === namespace)) as Issuer | ClusterIssuer | undefined;
  return object ? { key: resourceKey(kind, namespace, ref.name), object } : undefined;
}

/** Why berth cannot issue this Certificate as things are (nothing a retry would change), if so. */
export function blockedBy(objects: readonly AnyObject[], cert: Certificate, issuer: IssuerRef | undefined): Blocked | undefined {
  const ref = cert.spec.issuerRef;
  const namespace = cert.metadata.namespace ?? 'default';
  if ((ref.group ?? 'cert-manager.io') !== 'cert-manager.io') return { reason: 'UnsupportedIssuer', message: `issuer group ${ref.group} is not cert-manager.io; berth runs cert-manager's own ACME issuers only` };
  if (!issuer) return { reason: 'IssuerNotFound', message: `${ref.kind ?? 'Issuer'} ${ref.name} is not in the revision` };
  const acme = issuer.object.spec.acme;
  if (!acme) return { reason: 'UnsupportedIssuer', message: `${issuer.object.kind} ${ref.name} is not an ACME issuer; berth runs ACME issuers only` };
  if (acme.disableAccountKeyGeneration && !accountKey(objects, issuer, acme))
    return { reason: 'IssuerNotReady', message: `${issuer.object.kind} ${ref.name} has disableAccountKeyGeneration and its Secret ${acme.privateKeySecretRef.name} is not in the revision` };
  if (requestedNames(cert).length === 0) return { reason: 'InvalidRequest', message: 'the Certificate names no DNS names' };
  const secret = secretIn(objects, namespace, cert.spec.secretName);
  // The source is the desired state: a Secret it defines is served as written, never overwritten.
  if (secret) return { reason: 'SecretInRevision', message: `Secret ${cert.spec.secretName} is defined in the revision; it is served as written and not issued` };
  return undefined;
}

function secretIn(objects: readonly AnyObject[], namespace: string, name: string): Secret | undefined {
  // Generated Secrets are not the source's: they never block their own Certificate.
  return objects.find((o) => o.kind === 'Secret' && o.metadata.name === name && (o.metadata.namespace ?? 'default') === namespace && o.metadata.annotations?.['berth.dev/generated'] !== 'certificate') as Secret | undefined;
}

/** The account key PEM from `privateKeySecretRef`, when the revision has the Secret (a ClusterIssuer's in cert-manager's namespace). */
function accountKey(objects: readonly AnyObject[], issuer: IssuerRef, acme: ACMEIssuer): string | undefined {
  const namespace = issuer.object.kind === 'Issuer' ? (issuer.object.metadata.namespace ?? 'default') : CLUSTER_RESOURCE_NAMESPACE;
  const secret = secretIn(objects, namespace, acme.privateKeySecretRef.name);
  const b64 = secret?.data?.[acme.privateKeySecretRef.key ?? 'tls.key'];
  return b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}

/**
 * When to renew a certificate valid from `notBefore` to `notAfter` (cert-manager's
 * RenewalTime): `renewBefore` when shorter than the lifetime, else `renewBeforePercentage`
 * of the lifetime, else a third of it, before the end; whole seconds.
 */
export function renewalTime(notBefore: number, notAfter: number, renewBefore?: number, renewBeforePercentage?: number): number {
  const lifetime = notAfter - notBefore;
  let before = lifetime / 3;
  if (renewBefore !== undefined && renewBefore > 0 && renewBefore < lifetime) before = renewBefore;
  else if (renewBefore === undefined && renewBeforePercentage !== undefined) {
    const pct = (lifetime * renewBeforePercentage) / 100;
    if (pct > 0 && pct < lifetime) before = pct;
  }
  return Math.floor((notAfter - before) / 1000) * 1000;
}

/** The record after an order succeeded: failures reset. */
export function issuedRecord(order: CertificateOrder, issued: { keyPem: string; chainPem: string; notBefore: number; notAfter: number }): CertificateRecord {
  return {
    key: order.key,
    secretName: order.secretName,
    dnsNames: order.dnsNames,
    issuerKey: order.issuerKey,
    ...issued,
    renewalTime: renewalTime(issued.notBefore, issued.notAfter, order.renewBefore, order.renewBeforePercentage),
    failures: 0,
  };
}

/**
 * The record after an order failed: one more failure, the CA's problem, and no attempt before
 * the back-off (1 h doubling to 32 h). A certificate issued before stays (and is served) until
 * it expires. A changed request starts counting again.
 */
export function failedRecord(order: CertificateOrder, failure: { type?: string; detail: string }, now: number): CertificateRecord {
  const prev = order.previous;
  const same = prev !== undefined && sameFailedRequest(prev, order.dnsNames, order.issuerKey);
  const failures = (same ? prev.failures : 0) + 1;
  return {
    // The certificate issued before (its names, issuer and validity) stays: it is still served.
    ...(prev?.chainPem ? prev : { key: order.key, secretName: order.secretName, dnsNames: order.dnsNames, issuerKey: order.issuerKey }),
    failures,
    lastFailureAt: now,
    lastFailure: { ...failure, request: { dnsNames: order.dnsNames, issuerKey: order.issuerKey } },
    nextAttemptAt: now + delay(CERT_ISSUE_BACKOFF, failures),
  };
}
