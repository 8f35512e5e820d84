import type { AcmeAccountRecord, CertificateRecord } from '../model/certificate-state.js';
import type { AnyObject, Certificate, ClusterIssuer, Issuer } from '../model/types.js';
import { blockedBy, issuerOf, requestedNames } from './certificates.js';

/**
 * A Certificate's and an Issuer's status as cert-manager writes it (conditions Ready and
 * Issuing, notBefore/notAfter/renewalTime, failedIssuanceAttempts, lastFailureTime), computed
 * from the revision and the controller's records, never stored. `daemon`: whether a berth
 * daemon drives the app (only a daemon runs ACME orders; `berth apply` never waits on a CA).
 */
export interface CertCondition {
  type: 'Ready' | 'Issuing';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  /** When the state it describes began, when known. */
  since?: number;
}

export interface CertificateStatus {
  conditions: CertCondition[];
  notBefore?: number;
  notAfter?: number;
  renewalTime?: number;
  failedIssuanceAttempts?: number;
  lastFailureTime?: number;
}

export function certificateStatus(objects: readonly AnyObject[], cert: Certificate, rec: CertificateRecord | undefined, now: number, daemon: boolean): CertificateStatus {
  const blocked = blockedBy(objects, cert, issuerOf(objects, cert));
  if (blocked) return { conditions: [{ type: 'Ready', status: 'False', reason: blocked.reason, message: blocked.message }] };
  const issuer = issuerOf(objects, cert)!;
  const conditions: CertCondition[] = [];
  const issued = rec?.chainPem !== undefined ? rec : undefined;
  if (!issued) {
    conditions.push(
      daemon
        ? { type: 'Ready', status: 'False', reason: 'DoesNotExist', message: `Issuing certificate as Secret ${cert.spec.secretName} does not exist` }
        : { type: 'Ready', status: 'False', reason: 'NoController', message: `Secret ${cert.spec.secretName} is not issued: only a berth daemon runs ACME orders, and none drives this app` },
    );
  } else if (issued.notAfter !== undefined && now >= issued.notAfter) {
    conditions.push({ type: 'Ready', status: 'False', reason: 'Expired', message: `Certificate expired on ${new Date(issued.notAfter).toISOString()}`, since: issued.notAfter });
  } else if (issued.issuerKey !== issuer.key) {
    conditions.push({ type: 'Ready', status: 'False', reason: 'IncorrectIssuer', message: `Issuing certificate as Secret was previously issued by ${issued.issuerKey}` });
  } else if (issued.secretName !== cert.spec.secretName || requestedNames(cert).join(',') !== [...issued.dnsNames].sort().join(',')) {
    conditions.push({ type: 'Ready', status: 'False', reason: 'SecretMismatch', message: "Secret's DNS names or name do not match the Certificate's" });
  } else {
    conditions.push({ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', ...(issued.notBefore !== undefined ? { since: issued.notBefore } : {}) });
  }
  const failed = rec !== undefined && rec.failures > 0 && rec.lastFailure !== undefined;
  if (failed) {
    const at = rec.nextAttemptAt !== undefined ? ` and will be retried at ${new Date(rec.nextAttemptAt).toISOString()}` : '';
    conditions.push({ type: 'Issuing', status: 'False', reason: 'Failed', message: `The certificate request has failed to complete${at}: ${rec.lastFailure!.detail}`, ...(rec.lastFailureAt !== undefined ? { since: rec.lastFailureAt } : {}) });
  } else if (daemon && (!issued || conditions[0]!.status === 'False' || (issued.renewalTime !== undefined && now >= issued.renewalTime))) {
    conditions.push({ type: 'Issuing', status: 'True', reason: issued ? 'Renewing' : 'DoesNotExist', message: issued ? 'Renewing certificate' : 'Issuing certificate as Secret does not exist' });
  }
  return {
    conditions,
    ...(issued?.notBefore !== undefined ? { notBefore: issued.notBefore } : {}),
    ...(issued?.notAfter !== undefined ? { notAfter: issued.notAfter } : {}),
    ...(issued?.renewalTime !== undefined ? { renewalTime: issued.renewalTime } : {}),
    ...(rec && rec.failures > 0 ? { failedIssuanceAttempts: rec.failures } : {}),
    ...(rec?.lastFailureAt !== undefined ? { lastFailureTime: rec.lastFailureAt } : {}),
  };
}

/** An ACME issuer is Ready once its account is registered (cert-manager's ACMEAccountRegistered). */
export function issuerReady(issuer: Issuer | ClusterIssuer, accounts: readonly AcmeAccountRecord[], issuerKey: string, daemon: boolean): CertCondition | undefined {
  const acme = issuer.spec.acme;
  if (!acme) return undefined;
  const account = accounts.find((a) => a.issuerKey === issuerKey && a.server === acme.server && a.accountUrl);
  if (account) return { type: 'Ready', status: 'True', reason: 'ACMEAccountRegistered', message: 'The ACME account was registered with the ACME server' };
  if (!daemon) return { type: 'Ready', status: 'Unknown', reason: 'NoController', message: `no ACME account is registered at ${acme.server}: only a berth daemon registers one, and none drives this app` };
  return { type: 'Ready', status: 'Unknown', reason: 'Pending', message: `no ACME account is registered at ${acme.server} yet: the first order of a Certificate naming this issuer registers it` };
}
