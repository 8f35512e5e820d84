import type { AcmeAccountRecord, CertificateRecord } from '../../model/certificate-state.js';
import { inWriteTransaction, type Db } from './database.js';

/**
 * The certificate controller's memory (plan/certificates.ts decides, runtime/acme issues):
 * per Certificate what was issued and how issuance failed, per issuer its ACME account.
 * cert-manager keeps these in the Secret and the CertificateRequest/Order objects; berth's
 * objects are the manifests, which cannot hold them.
 */
export interface CertificateStore {
  /** Inserts or replaces the record of `record.key`. */
  recordCertificate(app: string, record: CertificateRecord): void;
  forgetCertificate(app: string, key: string): void;
  /** The app's records, by key. */
  listCertificates(app: string): CertificateRecord[];
  recordAcmeAccount(app: string, account: AcmeAccountRecord): void;
  getAcmeAccount(app: string, issuerKey: string, server: string): AcmeAccountRecord | undefined;
  /** The app's accounts, for the issuers' Ready condition; keys included (views never output them). */
  listAcmeAccounts(app: string): AcmeAccountRecord[];
  forgetAcmeAccount(app: string, issuerKey: string, server: string): void;
}

interface Row {
  key: string;
  secret_name: string;
  dns_names: string;
  issuer_key: string;
  key_pem: string | null;
  chain_pem: string | null;
  not_before: number | null;
  not_after: number | null;
  renewal_time: number | null;
  failures: number;
  last_failure_at: number | null;
  last_failure: string | null;
  next_attempt_at: number | null;
}

interface AccountRow {
  issuer_key: string;
  server: string;
  email: string | null;
  key_pem: string;
  account_url: string | null;
}

export function createCertificateStore(db: Db): CertificateStore {
  const upsert = db.prepare(
    `INSERT INTO certificates (app, key, secret_name, dns_names, issuer_key, key_pem, chain_pem, not_before, not_after, renewal_time, failures, last_failure_at, last_failure, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (app, key) DO UPDATE SET secret_name = excluded.secret_name, dns_names = excluded.dns_names, issuer_key = excluded.issuer_key,
       key_pem = excluded.key_pem, chain_pem = excluded.chain_pem, not_before = excluded.not_before, not_after = excluded.not_after,
       renewal_time = excluded.renewal_time, failures = excluded.failures, last_failure_at = excluded.last_failure_at,
       last_failure = excluded.last_failure, next_attempt_at = excluded.next_attempt_at`,
  );
  const remove = db.prepare('DELETE FROM certificates WHERE app = ? AND key = ?');
  const select = db.prepare('SELECT * FROM certificates WHERE app = ? ORDER BY key');
  const upsertAccount = db.prepare(
    `INSERT INTO acme_accounts (app, issuer_key, server, email, key_pem, account_url) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (app, issuer_key, server) DO UPDATE SET email = excluded.email, key_pem = excluded.key_pem, account_url = excluded.account_url`,
  );
  const selectAccount = db.prepare('SELECT * FROM acme_accounts WHERE app = ? AND issuer_key = ? AND server = ?');
  const selectAccounts = db.prepare('SELECT * FROM acme_accounts WHERE app = ? ORDER BY issuer_key, server');
  const removeAccount = db.prepare('DELETE FROM acme_accounts WHERE app = ? AND issuer_key = ? AND server = ?');
  return {
    recordCertificate: (app, r) =>
      inWriteTransaction(db, () => {
        upsert.run(
          app,
          r.key,
          r.secretName,
          JSON.stringify(r.dnsNames),
          r.issuerKey,
          r.keyPem ?? null,
          r.chainPem ?? null,
          r.notBefore ?? null,
          r.notAfter ?? null,
          r.renewalTime ?? null,
          r.failures,
          r.lastFailureAt ?? null,
          r.lastFailure ? JSON.stringify(r.lastFailure) : null,
          r.nextAttemptAt ?? null,
        );
      }),
    forgetCertificate: (app, key) =>
      inWriteTransaction(db, () => {
        remove.run(app, key);
      }),
    listCertificates: (app) => (select.all(app) as Row[]).map(fromRow),
    recordAcmeAccount: (app, a) =>
      inWriteTransaction(db, () => {
        upsertAccount.run(app, a.issuerKey, a.server, a.email ?? null, a.keyPem, a.accountUrl ?? null);
      }),
    getAcmeAccount: (app, issuerKey, server) => {
      const row = selectAccount.get(app, issuerKey, server) as AccountRow | undefined;
      return row ? accountFromRow(row) : undefined;
    },
    listAcmeAccounts: (app) => (selectAccounts.all(app) as AccountRow[]).map(accountFromRow),
    forgetAcmeAccount: (app, issuerKey, server) =>
      inWriteTransaction(db, () => {
        removeAccount.run(app, issuerKey, server);
      }),
  };
}

function accountFromRow(row: AccountRow): AcmeAccountRecord {
  return { issuerKey: row.issuer_key, server: row.server, keyPem: row.key_pem, ...(row.email !== null ? { email: row.email } : {}), ...(row.account_url !== null ? { accountUrl: row.account_url } : {}) };
}

function fromRow(r: Row): CertificateRecord {
  return {
    key: r.key,
    secretName: r.secret_name,
    dnsNames: JSON.parse(r.dns_names) as string[],
    issuerKey: r.issuer_key,
    failures: r.failures,
    ...(r.key_pem !== null ? { keyPem: r.key_pem } : {}),
    ...(r.chain_pem !== null ? { chainPem: r.chain_pem } : {}),
    ...(r.not_before !== null ? { notBefore: r.not_before } : {}),
    ...(r.not_after !== null ? { notAfter: r.not_after } : {}),
    ...(r.renewal_time !== null ? { renewalTime: r.renewal_time } : {}),
    ...(r.last_failure_at !== null ? { lastFailureAt: r.last_failure_at } : {}),
    ...(r.last_failure !== null ? { lastFailure: JSON.parse(r.last_failure) as CertificateRecord['lastFailure'] } : {}),
    ...(r.next_attempt_at !== null ? { nextAttemptAt: r.next_attempt_at } : {}),
  };
}
