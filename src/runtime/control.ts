import { BerthError, isBerthError } from '../model/errors.js';
import type { Intent, IntentResult, IntentSpec } from '../model/intent.js';
import type { HostPolicy } from '../model/policy.js';
import type { PassDeps } from './pass/index.js';
import { withLease } from './hold-lease.js';
import { consumeIntents, nextPassIntent } from './intents.js';
import type { PassIntentOptions, PassIntentOutcome } from './pass-intents.js';
import { actOnPassIntent } from './pass-intents.js';
import type { PassResult } from './pass/index.js';
import { runPass } from './pass/index.js';
import type { LeaseHolder } from './store/index.js';

const POLL_MS = 250;

/**
 * How long a submitted change may wait for the app's lease holder to take it before it is
 * withdrawn: the CLI's `--timeout` default (`rollout`, `scale`) and the web UI's actions alike.
 */
export const SUBMIT_TIMEOUT_MS = 5 * 60_000;

export interface SubmitDeps extends PassDeps {
  /** This command's identity when it takes the app's lease. */
  holder: LeaseHolder;
  /**
   * Asks the daemon holding the app's lease to pass now (cli/: SIGHUP to its pid on this host).
   * False when it cannot be reached; the daemon's own poll of pending intents still finds the
   * intent within a second.
   */
  wake(daemon: LeaseHolder): boolean;
}

export interface SubmitOptions {
  app: string;
  /** In process: keep converging until the pods are ready, not only until nothing blocks. */
  wait: boolean;
  /** How long to wait for the lease, for the daemon to take the intent, and for the pass in process. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** The policy a pass in process runs under (policyInForce); a daemon holds to its own. */
  hostPolicy: HostPolicy;
  /** apply and delete in process: their pass streams progress, as the commands always have. */
  progress?: Pick<PassIntentOptions, 'onProgress' | 'onChanges' | 'onDeleted'>;
}

export type SubmitOutcome =
  /** No daemon manages the app: this process took the lease, acted on the intent and converged (unless it was refused or changed nothing). */
  | { by: 'this-process'; result: IntentResult; pass?: PassResult; acted?: PassIntentOutcome }
  /** A daemon (or another command's pass) acted on it; `daemon` is set when a daemon holds the app. */
  | { by: 'lease-holder'; result: IntentResult; daemon?: LeaseHolder; woken: boolean };

/**
 * A command's change, made the one way (issue 12 §7.4): the intent is stored, and the pass of
 * whoever holds the app's lease acts on it, so a command behaves the same with and without a
 * daemon and never sees LEASE_HELD. No daemon: take the lease (waiting while another command
 * holds it), act on the pending intents and converge here. A daemon: wake it and wait until
 * its pass has acted. Times out (TIMEOUT, the intent withdrawn) when nobody takes it.
 */
export async function submit(deps: SubmitDeps, spec: IntentSpec, options: SubmitOptions): Promise<SubmitOutcome> {
  const { store, clock } = deps;
  const { app } = options;
  const intent = store.addIntent(app, spec);
  let daemon: LeaseHolder | undefined;
  let woken = false;
  try {
    for (;;) {
      const seen = store.getIntent(intent.id);
      if (seen?.state === 'done' && seen.result) return { by: 'lease-holder', result: seen.result, ...(daemon ? { daemon } : {}), woken };
      try {
        return await withLease(store, clock, app, deps.holder, () => actHere(deps, intent, options));
      } catch (err) {
        if (!isBerthError(err, 'LEASE_HELD')) throw err;
        const heldBy = err.data.heldBy;
        if (heldBy?.kind === 'daemon' && heldBy.id !== daemon?.id) {
          // Once per daemon: a daemon that restarts under a new id is woken again.
          daemon = heldBy;
          woken = deps.wake(heldBy);
        }
      }
      const expiry = expireIntent(store, clock, intent, options.timeoutMs, WITHDRAWN_BY_COMMAND);
      if (expiry.outcome === 'done') return { by: 'lease-holder', result: expiry.result, ...(daemon ? { daemon } : {}), woken };
      if (expiry.outcome === 'withdrawn')
        throw new BerthError(
          'TIMEOUT',
          daemon
            ? `the berth daemon (pid ${daemon.pid} on ${daemon.hostname}) that manages app ${app} did not take the change within ${Math.round(options.timeoutMs / 1000)}s; nothing was changed`
            : `another berth command kept app ${app} for more than ${Math.round(options.timeoutMs / 1000)}s; nothing was changed`,
          { app, ...(daemon ? { heldBy: daemon } : {}), hint: daemon ? 'check the daemon: berth status, or its log' : 'run the command again once the other one is done' },
        );
      await clock.sleep(POLL_MS, options.signal);
    }
  } catch (err) {
    // Interrupted (Ctrl-C) or failed: a change the user gave up on must not be applied later.
    withdraw(store, intent.id, WITHDRAWN_BY_COMMAND);
    throw err;
  }
}

/**
 * Under the lease: act on every pending intent up to this one, in the order they were
 * submitted (pass intents, apply and delete, with a pass each), then converge when this one
 * changed something.
 */
async function actHere(deps: SubmitDeps, intent: Intent, options: SubmitOptions): Promise<SubmitOutcome> {
  const { store } = deps;
  const { app } = options;
  // Whoever took an intent and lost the lease before finishing it is gone: it is ours to act on.
  store.reclaimTakenIntents(app);
  consumeIntents(store, app, options.hostPolicy);
  for (let next = nextPassIntent(store, app); next && store.getIntent(intent.id)?.state !== 'done'; next = nextPassIntent(store, app)) {
    const mine = next.id === intent.id;
    const acted = await actOnPassIntent(deps, next, { ...(options.signal ? { signal: options.signal } : {}), ...(mine ? options.progress : {}) });
    if (mine && acted) return { by: 'this-process', result: acted.result, acted };
    consumeIntents(store, app, options.hostPolicy);
  }
  const result = deps.store.getIntent(intent.id)?.result;
  if (!result) throw new BerthError('INTERNAL', `intent ${intent.id} of app ${options.app} was not acted on`, { app: options.app, id: intent.id });
  if (!result.ok || result.unchanged) return { by: 'this-process', result };
  const pass = await runPass(deps, {
    app: options.app,
    target: { kind: 'applied', hostPolicy: options.hostPolicy },
    prune: false,
    waitForReady: options.wait,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { by: 'this-process', result, pass };
}

const WITHDRAWN_BY_COMMAND = 'withdrawn by the command that submitted it';

export type IntentExpiry =
  /** Not due yet, or taken: a pass acts on it now (that takes as long as the pass's own timeout allows). */
  | { outcome: 'waiting' }
  /** A pass completed it before it could be withdrawn. */
  | { outcome: 'done'; result: IntentResult }
  /** Withdrawn now (or already): nothing was changed. */
  | { outcome: 'withdrawn' };

/**
 * The one rule for a submitted change nobody takes (the CLI's submit above, the web UI's actions):
 * once `timeoutMs` have passed since it was recorded and the lease holder's pass has not taken
 * it, it is withdrawn, because a change its submitter stopped waiting for must not be applied
 * later (a daemon stuck in a long pass would otherwise act on it whenever it gets free). A taken
 * one is left to its pass: a holder that dies leaves it to the next one. `why` is the result's
 * message, as `GET /api/v1/actions/{id}` and the command show it.
 */
export function expireIntent(store: SubmitDeps['store'], clock: Pick<SubmitDeps['clock'], 'now'>, intent: Pick<Intent, 'id' | 'createdAt'>, timeoutMs: number, why: string): IntentExpiry {
  if (clock.now() < intent.createdAt + timeoutMs) return { outcome: 'waiting' };
  const late = withdraw(store, intent.id, why);
  if (late === 'taken') return { outcome: 'waiting' };
  return late ? { outcome: 'done', result: late } : { outcome: 'withdrawn' };
}

/**
 * Withdraws a pending intent; when a pass completed it first, its result (it was acted on
 * after all); `taken` when a pass is acting on it now (it can no longer be withdrawn).
 */
export function withdraw(store: SubmitDeps['store'], id: number, why: string): IntentResult | 'taken' | undefined {
  const withdrawn: IntentResult = { ok: false, message: why, error: { code: 'TIMEOUT', message: why }, withdrawn: true };
  if (store.completeIntent(id, withdrawn)) return undefined;
  const done = store.getIntent(id);
  if (done?.state === 'taken') return 'taken';
  return done?.result?.withdrawn ? undefined : done?.result;
}
