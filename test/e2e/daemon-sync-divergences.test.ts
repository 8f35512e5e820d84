import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, killDaemons, startDaemon, status, type DaemonProcess, type StatusBody } from './support/daemon.js';
import { createE2eApp, type E2eApp } from './support/harness.js';

/**
 * The newcomer's trial: a pin made the app OutOfSync while a scale and a pause left it Synced,
 * and "applied 3s ago" was really the last pass. One rule now (docs/decisions.md "OutOfSync"):
 * every divergence berth keeps makes the app OutOfSync, the status lists it and the live diff
 * says it is kept; and appliedAt is when the revision arrived.
 */
const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: berth-examples/web:1.0
`;

type Status = StatusBody & { sync: StatusBody['sync'] & { appliedAt: string | null }; lastPass?: { result: string; startedAt: string } };

let t: E2eApp;
let daemon: DaemonProcess;

beforeAll(async () => {
  t = await createE2eApp('sync-divergences');
  await t.write({ 'web.yaml': manifest });
  // A long resync: passes come from the commands (woken by SIGHUP) and from "Sync now".
  daemon = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--resync', '1h']);
});

afterAll(async () => {
  await killDaemons();
  await t?.cleanup();
});

/**
 * The status once a pass after `since` (ms) has finished with nothing pending, in `state` when
 * given (a scale's first pass may still see a pod starting, Progressing, before the next says more).
 */
function settledAfter(since: number, what: string, state?: string): Promise<Status> {
  let last: Status | undefined;
  return eventually(what, async () => {
    const s = (last = (await status(daemon)) as Status);
    return s.lastPass && Date.parse(s.lastPass.startedAt) >= since && !s.loop.running && s.loop.pending.length === 0 && (state === undefined || s.sync.state === state) ? s : undefined;
  }, 60_000).catch((err: unknown) => {
    throw new Error(`${String(err)}; last status: ${JSON.stringify(last?.sync)}`);
  });
}

async function diffSummary(): Promise<string> {
  const r = await t.berth('diff', '-f', t.dir);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').at(-1)!;
}

describe('sync state, divergences and the diff agree under a daemon (real Docker)', () => {
  it('a no-op "Sync now" keeps appliedAt: it is when the revision was first applied, the last pass is separate', async () => {
    const first = await eventually('the folder synced', async () => {
      const s = (await status(daemon)) as Status;
      return s.sync.state === 'Synced' && s.sync.appliedRevision && !s.loop.running ? s : undefined;
    }, 90_000);
    const before = Date.now();
    expect((await daemon.api('/api/v1/sync', { method: 'POST', headers: { 'content-type': 'application/json' } })).status).toBe(202);
    const again = await settledAfter(before, 'the Sync now pass');
    expect(again.sync).toMatchObject({ state: 'Synced', appliedRevision: first.sync.appliedRevision, appliedAt: first.sync.appliedAt });
    expect(Date.parse(again.lastPass!.startedAt)).toBeGreaterThan(Date.parse(first.sync.appliedAt!));
  });

  it.each<{ name: string; command: string[]; reason: string; back: string[] }>([
    { name: 'berth scale to another count than the manifest', command: ['scale', 'deploy/web', '--replicas', '3'], reason: 'scaled', back: ['scale', 'deploy/web', '--replicas', '2'] },
    { name: 'rollout pause', command: ['rollout', 'pause', 'deploy/web'], reason: 'paused', back: ['rollout', 'resume', 'deploy/web'] },
  ])('$name: OutOfSync with the divergence listed, the diff says it is kept; undone, Synced', async ({ command, reason, back }) => {
    const since = Date.now();
    const r = await t.berth(...command);
    expect(r.code, r.stderr).toBe(0);
    const diverged = await settledAfter(since, `the pass after ${command.join(' ')}`, 'OutOfSync');
    expect({ state: diverged.sync.state, reasons: diverged.sync.divergences.map((d) => `${d.deployment} ${d.reason}`) }).toEqual({ state: 'OutOfSync', reasons: [`Deployment/default/web ${reason}`] });
    expect(await diffSummary()).toBe('Summary: no differences; 1 divergence kept (OutOfSync)');

    const undone = Date.now();
    const r2 = await t.berth(...back);
    expect(r2.code, r2.stderr).toBe(0);
    const synced = await settledAfter(undone, `the pass after ${back.join(' ')}`, 'Synced');
    expect({ state: synced.sync.state, divergences: synced.sync.divergences }).toEqual({ state: 'Synced', divergences: [] });
    expect(await diffSummary()).toBe('Summary: no differences');
  });
});
