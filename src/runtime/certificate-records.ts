import type { AnyObject } from '../model/types.js';
import { staleCertificateRecords } from '../plan/certificate-records.js';
import { commitChanges } from './commit.js';
import type { Store } from './store/index.js';

/**
 * Forgets the certificate records and ACME accounts whose objects left the app's inventory
 * (plan/certificate-records.ts): after every pass recorded its inventory and after `berth delete`,
 * so issued private keys do not outlive their Certificates when no daemon runs.
 */
export function forgetStaleCertificates(store: Store, app: string): void {
  const objects = store.getInventory(app).map((e) => e.object as AnyObject);
  const changes = staleCertificateRecords(objects, store.listCertificates(app), store.listAcmeAccounts(app));
  if (changes.length > 0) commitChanges(store, app, changes);
}
