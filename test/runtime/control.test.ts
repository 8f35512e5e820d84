import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../src/model/defaults.js';
import { specHash } from '../../src/model/hash.js';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';
import type { AnyObject } from '../../src/model/types.js';
import { systemClock } from '../../src/runtime/clock.js';
import type { SubmitDeps } from '../../src/runtime/control.js';
import { submit } from '../../src/runtime/control.js';
import { consumeIntents } from '../../src/runtime/intents.js';
import { silentLogger } from '../../src/runtime/log.js';
import type { LeaseHolder, Store } from '../../src/runtime/store/index.js';
import { storeHarness } from './store/harness.js';

/**
 * Who acts on a command's intent. Only intents that change nothing or are refused here, so no
 * pass runs and Docker is never reached (a converging submit is proven by the e2e tests:
 * converge, rollouts, security-policy).
 */
const APP = 'shop';
const D = 'Deployment/default/web';
const web = applyDefaults({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } } } as unknown as AnyObject);
const me: LeaseHolder = { id: 'cli:here:1:a', pid: process.pid, hostname: 'here.invalid', kind: 'cli' };
const other = (kind: LeaseHolder['kind']): LeaseHolder => ({ id: `${kind}:elsewhere:7`, pid: 7, hostname: 'elsewhere.invalid', kind });

function deps(store: Store, woken: LeaseHolder[]): SubmitDeps {
  // docker and plane are never reached: no pass runs for an intent that changes nothing.
  return { store, clock: systemClock, log: silentLogger(), random: Math.random, docker: undefined as never, plane: undefined as never, holder: me, wake: (d) => (woken.push(d), false) };
}
const options = { app: APP, wait: false, timeoutMs: 10_000, hostPolicy: DEFAULT_HOST_POLICY };

describe('submit: the lease holder acts on the intent', () => {
  const h = storeHarness();
  const app = () => {
    const { store } = h.open({ clock: systemClock as never });
    store.upsertInventory(APP, { key: D, kind: 'Deployment', namespace: 'default', name: 'web', specHash: specHash(web), object: web }, { sourceRevision: 'src1' });
    return store;
  };

  it('waits while another command holds the app, then acts here and gives the lease back', async () => {
    const store = app();
    store.acquireLease(APP, other('cli'), 60_000);
    const woken: LeaseHolder[] = [];
    const done = submit(deps(store, woken), { type: 'resume', deployment: D }, options);
    await new Promise((r) => setTimeout(r, 400));
    expect(store.listPendingIntents(APP)).toHaveLength(1);
    store.releaseLease(APP, other('cli').id);
    expect(await done).toEqual({ by: 'this-process', result: { ok: true, unchanged: true, message: 'deployment.apps/web is not paused' } });
    expect(woken).toEqual([]);
    expect(store.getLease(APP)).toBeUndefined();
  });

  it('a daemon holds the app: woken once, its pass acts, its result comes back (no LEASE_HELD)', async () => {
    const store = app();
    store.acquireLease(APP, other('daemon'), 60_000);
    const woken: LeaseHolder[] = [];
    const daemonPass = setTimeout(() => consumeIntents(store, APP, DEFAULT_HOST_POLICY), 600);
    try {
      const outcome = await submit(deps(store, woken), { type: 'undo', deployment: D }, options);
      expect(outcome).toEqual({
        by: 'lease-holder',
        daemon: other('daemon'),
        woken: false,
        result: { ok: false, message: 'deployment.apps/web has no rollout history', error: { code: 'NOT_FOUND', message: 'deployment.apps/web has no rollout history', data: { key: D } } },
      });
      expect(woken).toEqual([other('daemon')]);
      expect(store.getLease(APP)?.holder).toEqual(other('daemon'));
    } finally {
      clearTimeout(daemonPass);
    }
  });

  it('a pass intent the daemon took is waited for past the deadline, never withdrawn under the pass', async () => {
    const store = app();
    store.acquireLease(APP, other('daemon'), 60_000);
    const spec = { type: 'delete' as const, targets: [{ kind: 'Deployment' as const, namespace: 'default', name: 'web' }], verify: true };
    const result = { ok: true, message: 'deleted', report: { type: 'delete' as const, targets: [], leftovers: [], otherErrors: [] } };
    // The daemon's pass: takes the intent at once, finishes it well after the command's deadline.
    const taking = setInterval(() => {
      const [pending] = store.listPendingIntents(APP);
      if (pending) store.takeIntent(pending.id);
    }, 20);
    const finishing = setTimeout(() => {
      const taken = store.getIntent(1);
      if (taken?.state === 'taken') store.finishIntent(taken.id, result);
    }, 1_200);
    try {
      const outcome = await submit(deps(store, []), spec, { ...options, timeoutMs: 300 });
      expect(outcome).toEqual({ by: 'lease-holder', daemon: other('daemon'), woken: false, result });
    } finally {
      clearInterval(taking);
      clearTimeout(finishing);
    }
  });
});
