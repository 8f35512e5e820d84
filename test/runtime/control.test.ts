import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../src/model/defaults.js';
import { specHash } from '../../src/model/hash.js';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';
import type { AnyObject } from '../../src/model/types.js';
import { systemClock } from '../../src/runtime/clock.js';
import type { SubmitDeps } from '../../src/runtime/control.js';
import { expireIntent, submit, SUBMIT_TIMEOUT_MS } from '../../src/runtime/control.js';
import { FakeClock } from '../support/fake-clock.js';
import { Command } from 'commander';
import { parseDuration } from '../../src/cli/engine-flags.js';
import { registerRollout } from '../../src/cli/commands/rollout.js';
import { registerScale } from '../../src/cli/commands/scale.js';
import type { CliContext } from '../../src/cli/context.js';
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

describe('expireIntent: the one rule for a change nobody takes (the CLI\'s submit, the web UI\'s actions)', () => {
  const h = storeHarness();
  const setup = () => {
    const clock = new FakeClock();
    const { store } = h.open({ clock: clock as never });
    const intent = store.addIntent(APP, { type: 'restart', deployment: D });
    return { clock, store, intent, expire: () => expireIntent(store, clock, intent, 1_000, 'gave up') };
  };

  it('waits until the timeout, then withdraws: nothing is left for a pass to take', async () => {
    const { clock, store, intent, expire } = setup();
    await clock.advance(999);
    expect([expire(), store.getIntent(intent.id)?.state]).toEqual([{ outcome: 'waiting' }, 'pending']);
    await clock.advance(1);
    expect(expire()).toEqual({ outcome: 'withdrawn' });
    expect(store.getIntent(intent.id)?.result).toEqual({ ok: false, message: 'gave up', error: { code: 'TIMEOUT', message: 'gave up' }, withdrawn: true });
    expect([store.takeIntent(intent.id), expire()]).toEqual([false, { outcome: 'withdrawn' }]);
  });

  it('leaves a taken intent to its pass, and answers the result of one a pass finished first', async () => {
    const { clock, store, intent, expire } = setup();
    store.takeIntent(intent.id);
    await clock.advance(5_000);
    expect(expire()).toEqual({ outcome: 'waiting' });
    store.finishIntent(intent.id, { ok: true, message: 'deployment.apps/web restarted' });
    expect(expire()).toEqual({ outcome: 'done', result: { ok: true, message: 'deployment.apps/web restarted' } });
  });

  it('a daemon that never takes the change: the command times out and the intent is marked withdrawn', async () => {
    const { store } = h.open({ clock: systemClock as never });
    store.acquireLease(APP, other('daemon'), 60_000);
    await expect(submit(deps(store, []), { type: 'restart', deployment: D }, { ...options, timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(store.getIntent(1)).toMatchObject({ state: 'done', result: { ok: false, withdrawn: true, error: { code: 'TIMEOUT' } } });
  });

  it.each([
    ['rollout', 'restart', registerRollout],
    ['rollout', 'undo', registerRollout],
    ['rollout', 'pause', registerRollout],
    ['rollout', 'resume', registerRollout],
    ['scale', undefined, registerScale],
  ] as const)('the CLI\'s %s %s --timeout default is SUBMIT_TIMEOUT_MS, the web UI actions\' timeout', (command, sub, register) => {
    const program = new Command();
    register(program, {} as CliContext);
    let cmd = program.commands.find((c) => c.name() === command)!;
    if (sub) cmd = cmd.commands.find((c) => c.name() === sub)!;
    const option = cmd.options.find((o) => o.long === '--timeout')!;
    expect(parseDuration(String(option.defaultValue))).toBe(SUBMIT_TIMEOUT_MS);
  });
});
