import { afterAll, describe, expect, it } from 'vitest';
import { converged, eventually, killDaemons, startDaemon, status, type DaemonProcess } from './support/daemon.js';
import { createE2eApp, type E2eApp } from './support/harness.js';
import { isPodOwner } from '../../src/apply/labels.js';

/**
 * CronJobs under a real daemon, real clock, real Docker: one on the real minute schedule, and
 * one with schedule time sped up 60× (`*\/3` fires every 3 s) long enough to show the history
 * limits pruning Jobs and their pods. Both run at once to keep the file short.
 */
const cronJob = (o: { schedule: string; suspend?: boolean; succeed?: boolean }) => `apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "${o.schedule}"
  concurrencyPolicy: Forbid
  suspend: ${o.suspend ?? false}
  successfulJobsHistoryLimit: 2
  failedJobsHistoryLimit: 1
  jobTemplate:
    metadata: {labels: {job: tick}}
    spec:
      backoffLimit: 0
      template:
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 1
          containers:
          - name: tick
            image: berth-examples/busybox:1.36
            command: [sh, -c, "echo tick from $(hostname); exit ${o.succeed === false ? 1 : 0}"]
`;

interface JobItem {
  metadata: { name: string; ownerReferences?: Array<{ kind: string; name: string }> };
  status: { succeeded: number; failed: number; conditions?: Array<{ type: string }> };
}

const apps: E2eApp[] = [];
afterAll(async () => {
  await killDaemons();
  for (const t of apps) await t.cleanup();
});

async function jobs(d: DaemonProcess): Promise<JobItem[]> {
  return ((await d.api('/api/v1/resources?kind=Job')).body as { items: JobItem[] }).items;
}

async function jobPods(t: E2eApp): Promise<string[]> {
  return [...new Set((await t.containers()).filter((c) => isPodOwner(c.Labels) && c.Labels['berth.controller']?.startsWith('Job/')).map((c) => c.Labels['berth.controller']!.split('/')[2]!))].sort();
}

describe('CronJobs in the daemon', () => {
  it('runs on schedule (real minute, and sped up) and keeps its history limits', async () => {
    const fast = await createE2eApp('cron-fast');
    const real = await createE2eApp('cron-real');
    apps.push(fast, real);
    await fast.write({ 'cron.yaml': cronJob({ schedule: '*/3 * * * *' }) });
    await real.write({ 'cron.yaml': cronJob({ schedule: '*/1 * * * *' }) });
    const dFast = await startDaemon(['--watch', fast.dir, '--cron-time-scale', '60', '--app', fast.app, '--state-dir', fast.stateDir]);
    const dReal = await startDaemon(['--watch', real.dir, '--app', real.app, '--state-dir', real.stateDir]);
    const startedAt = Date.now();

    // Sped up: five firings, then suspend and let it settle.
    await eventually('five jobs started', async () => {
      // The CronJob's own SuccessfulCreate ("Created job …"); each Job's pod has one too.
      const events = ((await dFast.api('/api/v1/events?limit=1000')).body as { items: Array<{ reason: string; message: string; count: number }> }).items;
      return events.filter((e) => e.reason === 'SuccessfulCreate' && e.message.startsWith('Created job') && e.count >= 1).length >= 5;
    }, 90_000, 500);
    await fast.write({ 'cron.yaml': cronJob({ schedule: '*/3 * * * *', suspend: true }) });
    // Settled means the suspending revision applied too: Synced alone can still be the state of
    // the revision before it (the folder is read after its debounce), and then nothing is suspended.
    const settled = await eventually('suspended, and history trimmed to the limit', async () => {
      const list = await jobs(dFast);
      const s = await status(dFast);
      const suspended = ((await dFast.api('/api/v1/resources?kind=CronJob')).body as { items: Array<{ spec: { suspend: boolean } }> }).items[0]?.spec.suspend === true;
      const done = list.every((j) => j.status.conditions?.some((c) => c.type === 'Complete'));
      return suspended && s.sync.state === 'Synced' && list.length === 2 && done && (await jobPods(fast)).length === 2 ? list : undefined;
    }, 60_000, 500);
    expect(settled.map((j) => j.metadata.ownerReferences?.[0])).toEqual([expect.objectContaining({ kind: 'CronJob', name: 'tick' }), expect.objectContaining({ kind: 'CronJob', name: 'tick' })]);
    expect(await jobPods(fast)).toEqual(settled.map((j) => j.metadata.name).sort());
    const cron = ((await dFast.api('/api/v1/resources?kind=CronJob')).body as { items: Array<{ spec: { suspend: boolean }; status: { lastScheduleTime?: string; lastSuccessfulTime?: string } }> }).items[0]!;
    expect(cron.spec.suspend).toBe(true);
    expect(cron.status.lastScheduleTime).toBeDefined();
    expect(cron.status.lastSuccessfulTime).toBeDefined();
    const reasons = ((await dFast.api('/api/v1/events?limit=1000')).body as { items: Array<{ reason: string }> }).items.map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['SuccessfulCreate', 'SawCompletedJob', 'SuccessfulDelete']));

    // Real time: the first firing comes at the next minute boundary.
    const ran = await eventually('a job on the real minute schedule', async () => {
      const list = await jobs(dReal);
      return list.find((j) => j.status.succeeded === 1);
    }, 80_000, 1_000);
    const minutes = Number(ran.metadata.name.split('-').pop());
    expect(minutes * 60_000).toBeGreaterThanOrEqual(Math.floor(startedAt / 60_000) * 60_000);
    expect(minutes * 60_000).toBeLessThanOrEqual(Date.now());
    await converged(dReal, (await status(dReal)).sync.appliedRevision!, 30_000);
    for (const d of [dFast, dReal]) {
      d.kill('SIGTERM');
      expect((await d.exited).code).toBe(0);
    }
  });
});
