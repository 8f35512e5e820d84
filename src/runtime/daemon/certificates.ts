import type { Clock, ClockTimer } from '../../model/clock.js';
import type { AnyObject } from '../../model/types.js';
import type { CertificatePlan, CertificateSnapshot } from '../../plan/certificates.js';
import { failedRecord, issuedRecord, planCertificates } from '../../plan/certificates.js';
import { allCertificates } from '../../plan/ingress-certificates.js';
import type { AccountBook, AcmeIssuer, IssueRequest } from '../acme/client.js';
import { AcmeOrderError } from '../acme/client.js';
import type { ChallengePublisher } from '../acme/challenge.js';
import { commitChanges } from '../commit.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';

/**
 * The daemon's certificate controller: runs the ACME orders plan/certificates.ts finds due,
 * one at a time, beside reconcile passes (an order touches only token files and its own store
 * rows, never a container), and commits each result. An issued certificate triggers a pass,
 * which generates the Certificate's Secret from the store (runtime/pass/certificate-secrets.ts)
 * and hands it to the edge. A timer wakes it at the next renewal or the end of a back-off.
 */
export interface CertificateControllerDeps {
  store: Store;
  clock: Clock;
  app: string;
  log: Logger;
  issuer: AcmeIssuer;
  /** Where HTTP-01 tokens go (the edge's volume) and berth's check that the edge answers them. */
  publisher: ChallengePublisher;
  precheck?: IssueRequest['precheck'];
  /** Asks for a reconcile pass (reason `certificate`): an issued Secret is to be served. */
  trigger: () => void;
  stopped: () => boolean;
}

/** What the composition root gives the daemon to run ACME orders with. */
export type CertificateOrdersSeam = Pick<CertificateControllerDeps, 'issuer' | 'publisher' | 'precheck'>;

export interface CertificateController {
  /** Plans and runs the due orders now (after a pass, at start); coalesces with a run under way. */
  kick(): void;
  /** When the controller looks again next, if anything is scheduled. */
  wakeAt(): number | undefined;
  /** Resolves once no order runs (tests). */
  idle(): Promise<void>;
  stop(): void;
}

/** What the planner decides from: the app's objects as last applied and the stored records. */
export function readCertificateSnapshot(store: Store, app: string, now: number): CertificateSnapshot {
  const objects = store.getInventory(app).map((e) => e.object as AnyObject);
  return { now, objects, certificates: allCertificates(objects), records: store.listCertificates(app) };
}

/** The store as acme-client's account book: one account per issuer and server, committed at once. */
export function storeAccountBook(store: Store, app: string): AccountBook {
  return {
    get: (issuerKey, server) => store.getAcmeAccount(app, issuerKey, server),
    save: (account) => commitChanges(store, app, [{ type: 'record-acme-account', account }]),
  };
}

/**
 * Runs every due order of one plan, in order; returns whether any certificate was issued.
 * Exported for tests: the controller runs it on its timer.
 */
export async function runCertificateOrders(deps: Omit<CertificateControllerDeps, 'trigger' | 'stopped'>, plan: CertificatePlan): Promise<{ issued: number; failed: number }> {
  const { store, app, clock } = deps;
  const log = deps.log.child({ component: 'certificates' });
  commitChanges(store, app, plan.changes);
  let issued = 0;
  let failed = 0;
  for (const order of plan.orders) {
    try {
      const cert = await deps.issuer.issue({ order, publisher: deps.publisher, ...(deps.precheck ? { precheck: deps.precheck } : {}) });
      const record = issuedRecord(order, cert);
      commitChanges(store, app, [
        { type: 'record-certificate', record },
        { type: 'add-event', event: { type: 'Normal', reason: 'Issued', objectKey: order.key, message: `The certificate has been successfully issued (valid until ${new Date(cert.notAfter).toISOString()})` } },
      ]);
      issued++;
    } catch (err) {
      const e = err instanceof AcmeOrderError ? err : new AcmeOrderError((err as Error).message);
      const record = failedRecord(order, { ...(e.problemType ? { type: e.problemType } : {}), detail: e.message }, clock.now());
      log.warn({ certificate: order.key, failures: record.failures, nextAttemptAt: new Date(record.nextAttemptAt!).toISOString(), reason: e.message }, 'certificate issuance failed');
      commitChanges(store, app, [
        { type: 'record-certificate-failure', record },
        {
          type: 'add-event',
          event: { type: 'Warning', reason: 'Failed', objectKey: order.key, message: `The certificate request has failed to complete and will be retried at ${new Date(record.nextAttemptAt!).toISOString()}: ${e.message}` },
        },
      ]);
      failed++;
    }
  }
  return { issued, failed };
}

export function createCertificateController(deps: CertificateControllerDeps): CertificateController {
  const { clock } = deps;
  const log = deps.log.child({ component: 'certificates' });
  let running: Promise<void> | undefined;
  let again = false;
  let timer: { timer: ClockTimer; at: number } | undefined;
  let next: number | undefined;

  function arm(at: number | undefined): void {
    next = at;
    if (timer && timer.at === at) return;
    if (timer) clock.clearTimeout(timer.timer);
    timer = undefined;
    if (at === undefined || deps.stopped()) return;
    timer = { at, timer: clock.setTimeout(() => ((timer = undefined), kick()), Math.max(0, at - clock.now())) };
  }

  async function runOnce(): Promise<void> {
    const plan = planCertificates(readCertificateSnapshot(deps.store, deps.app, clock.now()));
    if (plan.orders.length > 0) {
      const { issued } = await runCertificateOrders(deps, plan);
      if (issued > 0 && !deps.stopped()) deps.trigger();
      // Failures moved their next attempt: plan again for the wake time.
      arm(planCertificates(readCertificateSnapshot(deps.store, deps.app, clock.now())).nextWakeAt);
    } else {
      commitChanges(deps.store, deps.app, plan.changes);
      arm(plan.nextWakeAt);
    }
  }

  function kick(): void {
    if (deps.stopped()) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await runOnce();
        } catch (err) {
          // The store failed: the next pass kicks again.
          log.error({ err }, 'certificate controller failed');
        }
      } while (again && !deps.stopped());
      running = undefined;
    })();
  }

  return {
    kick,
    wakeAt: () => next,
    idle: async () => {
      while (running) await running;
    },
    stop() {
      if (timer) clock.clearTimeout(timer.timer);
      timer = undefined;
    },
  };
}
