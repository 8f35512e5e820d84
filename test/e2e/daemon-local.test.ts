import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { eventually, killDaemons, startDaemon, status, type DaemonProcess, type StatusBody } from './support/daemon.js';
import { createE2eApp, type E2eApp, terminatingPods } from './support/harness.js';

/**
 * `apply -f` and `delete` while a daemon follows a folder (issue 12 F3, decision D1): the
 * daemon makes the change for the command (no LEASE_HELD), keeps it across its own passes
 * while the folder stays as it was, and the folder wins again once it changes.
 */
const deployment = (name: string, image: string, replicas = 1) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${image}
`;
// Line 6: replicas is not a number.
const invalid = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: many
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: berth-examples/web:1.0
`;

interface HeldStatus extends StatusBody {
  sync: StatusBody['sync'] & { localHold: { change: string; what: string; sourceRevision: string; message: string } | null };
  lastPass?: { result: string; reasons: string[]; startedAt: string };
}

let t: E2eApp;
let daemon: DaemonProcess;
let other: string;
let bad: string;

/** Images of the owner's running app containers, leaving out pods that run out their grace period (Terminating). */
async function running(t: E2eApp, owner: string): Promise<string[]> {
  const leaving = await terminatingPods(t.berth);
  return (await t.containers())
    .filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running' && c.Labels['berth.controller'] === owner && !leaving.has(c.Labels['berth.name']!))
    .map((c) => c.Image)
    .sort();
}

/** A pass the resync interval started after `since`, finished: the daemon looked at its source again. */
async function resyncedAfter(since: number): Promise<HeldStatus> {
  return eventually('a resync pass after the change', async () => {
    const s = (await status(daemon)) as HeldStatus;
    return s.lastPass && s.lastPass.reasons.includes('interval') && Date.parse(s.lastPass.startedAt) > since && !s.loop.running ? s : undefined;
  });
}

beforeAll(async () => {
  t = await createE2eApp('daemon-local');
  other = join(t.dir, '..', 'other');
  bad = join(t.dir, '..', 'bad');
  await mkdir(other, { recursive: true });
  await mkdir(bad, { recursive: true });
  await writeFile(join(other, 'web.yaml'), deployment('web', 'berth-examples/web:2.0'));
  await writeFile(join(bad, 'web.yaml'), invalid);
  await t.write({ 'web.yaml': deployment('web', 'berth-examples/web:1.0'), 'side.yaml': deployment('side', 'berth-examples/web:1.0') });
  daemon = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--resync', '2s']);
});

afterAll(async () => {
  await killDaemons();
  await rm(other, { recursive: true, force: true });
  await rm(bad, { recursive: true, force: true });
  await t?.cleanup();
});

describe('apply -f and delete under a daemon that follows a folder', () => {
  it('the daemon applies what `apply -f OTHER` read, and keeps it across its resyncs', async () => {
    await eventually('the folder applied', async () => ((await running(t, 'Deployment/default/web')).join() === 'berth-examples/web:1.0' && (await running(t, 'Deployment/default/side')).length === 1 ? true : undefined));
    const source = (await status(daemon)).source.revision!;
    const apply = await t.berth('apply', '-f', other);
    expect({ code: apply.code, stdout: apply.stdout }, apply.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining('deployment.apps/web configured') });
    expect(apply.stderr).not.toMatch(/LEASE_HELD|being changed by another/);
    expect(apply.stderr).toContain(`manages this app and made the change; it follows folder ${t.dir} and keeps this change until the source changes (now at revision ${source.slice(0, 12)})`);
    const appliedAt = Date.now();
    await eventually('web runs 2.0', async () => ((await running(t, 'Deployment/default/web')).join() === 'berth-examples/web:2.0' ? true : undefined));
    const held = await resyncedAfter(appliedAt);
    expect(held.sync).toMatchObject({ state: 'OutOfSync', localHold: { change: 'apply', sourceRevision: source, message: expect.stringMatching(/^local apply of .*other holds until the source changes/) } });
    expect(held.source.revision).toBe(source);
    expect(await running(t, 'Deployment/default/web')).toEqual(['berth-examples/web:2.0']);
    expect(await running(t, 'Deployment/default/side')).toEqual(['berth-examples/web:1.0']);
  });

  it('an invalid manifest applied under the daemon prints file:line and exits 2, as without a daemon', async () => {
    const underDaemon = await t.berth('apply', '-f', bad);
    const alone = await runCli(['apply', '-f', bad, '--app', `${t.app}-alone`, '--state-dir', join(t.stateDir, '..', 'alone-state')]);
    expect(underDaemon.code).toBe(2);
    expect(underDaemon.stderr).toMatch(/web\.yaml:6:\d+/);
    expect(underDaemon.stderr).toContain('is invalid; nothing was applied');
    expect({ code: underDaemon.code, stdout: underDaemon.stdout, stderr: underDaemon.stderr }).toEqual({ code: alone.code, stdout: alone.stdout, stderr: alone.stderr });
    // Nothing changed: the earlier apply still holds, and the command's invalid input is not
    // recorded as a refused revision of the daemon's source.
    const after = (await status(daemon)) as HeldStatus;
    expect(after.sync.localHold).toMatchObject({ change: 'apply' });
    expect(after.sync.failedRevision).toBeNull();
  });

  it('`delete deploy/side` under the daemon deletes it and holds until the source changes', async () => {
    const del = await t.berth('delete', 'deploy/side');
    expect({ code: del.code, stdout: del.stdout.trim() }, del.stderr).toEqual({ code: 0, stdout: 'deployment.apps "side" deleted' });
    expect(del.stderr).toContain('keeps this change until the source changes');
    expect(await running(t, 'Deployment/default/side')).toEqual([]);
    const held = await resyncedAfter(Date.now());
    expect(held.sync).toMatchObject({ state: 'OutOfSync', localHold: { change: 'delete', what: 'deployment.apps/side' } });
    expect(await running(t, 'Deployment/default/side')).toEqual([]);
    expect(await running(t, 'Deployment/default/web')).toEqual(['berth-examples/web:2.0']);
  });

  it('a change of the followed folder wins again: its revision is applied and the hold ends', async () => {
    await t.write({ 'web.yaml': deployment('web', 'berth-examples/web:1.0', 2), 'side.yaml': deployment('side', 'berth-examples/web:1.0') });
    const synced = await eventually('the new folder revision synced', async () => {
      const s = (await status(daemon)) as HeldStatus;
      return s.sync.state === 'Synced' && s.sync.appliedRevision === s.source.revision && !s.loop.running ? s : undefined;
    }, 90_000);
    expect(synced.sync.localHold).toBeNull();
    expect(await running(t, 'Deployment/default/web')).toEqual(['berth-examples/web:1.0', 'berth-examples/web:1.0']);
    expect(await running(t, 'Deployment/default/side')).toEqual(['berth-examples/web:1.0']);
  });

  it('deleting a pod of a controller, or applying the followed folder itself, is no change to hold', async () => {
    const pods = await t.berth('get', 'pods', '-o', 'name');
    const pod = pods.stdout.split('\n').find((l) => l.startsWith('pod/web-'))!;
    const del = await t.berth('delete', pod);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stderr).not.toContain('keeps this change');
    const apply = await t.berth('apply', '-f', t.dir);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).not.toContain('keeps this change');
    const s = await resyncedAfter(Date.now());
    expect(s.sync.localHold).toBeNull();
    expect(s.sync.state).toBe('Synced');
    await eventually('web is back to two pods', async () => ((await running(t, 'Deployment/default/web')).length === 2 ? true : undefined));
  });
});
