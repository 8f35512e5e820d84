/**
 * What berth's certificate controller remembers (store tables `certificates` and
 * `acme_accounts`, migration v11): the certificate it issued for each Certificate, its failed
 * attempts, and the ACME account of each issuer. Key material lives only here and in the
 * Secrets the pass generates from it; it never reaches a log line or an event.
 */
export interface CertificateRecord {
  /** The Certificate's key, `Certificate/<ns>/<name>`. */
  key: string;
  secretName: string;
  /** The names the issued certificate holds (sorted), or asked for while none is issued yet. */
  dnsNames: string[];
  /** `Issuer/<ns>/<name>` or `ClusterIssuer//<name>` the certificate was issued by. */
  issuerKey: string;
  /** PEM of the private key and the full chain; absent until a first issuance succeeds. */
  keyPem?: string;
  chainPem?: string;
  notBefore?: number;
  notAfter?: number;
  renewalTime?: number;
  /** Failed issuances since the last success (cert-manager's failedIssuanceAttempts). */
  failures: number;
  lastFailureAt?: number;
  /**
   * The last failure's ACME problem `type` (when the CA sent one), what it said, and what was
   * asked for then: a changed request is not held back by the old one's back-off.
   */
  lastFailure?: { type?: string; detail: string; request?: { dnsNames: string[]; issuerKey: string } };
  /** No issuance before this time (the back-off after a failure). */
  nextAttemptAt?: number;
}

export interface AcmeAccountRecord {
  issuerKey: string;
  server: string;
  email?: string;
  keyPem: string;
  accountUrl?: string;
}
