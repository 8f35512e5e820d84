import { delay, JOB_RETRY_BACKOFF } from '../../model/backoff.js';
import type { Workload } from '../desired.js';
import type { ObservedPod } from '../observed.js';
import { podPhase } from '../observed.js';
import type { StepContext, StepResult } from './common.js';
import { assessPod, deletePod, podWaits, emptyStep, newPodName, runsTemplate } from './common.js';

type JobWorkload = Extract<Workload, { kind: 'Job' }>;

export interface JobStatus {
  active: number;
  succeeded: number;
  failed: number;
  startTime?: number;
  condition?: { type: 'Complete' | 'Failed'; reason: string; message: string };
}

/**
 * One step of the Job controller: run pods until `completions` succeed, at most
 * `parallelism` at a time; stop after `backoffLimit` failures or `activeDeadlineSeconds`.
 * Finished pods are kept (their logs matter) until the Job goes away. A changed template
 * re-runs the Job from scratch, as `kubectl replace --force` would.
 */
export function stepJob(w: JobWorkload, pods: readonly ObservedPod[], ctx: StepContext): StepResult & { status: JobStatus } {
  const out = emptyStep();
  const current: ObservedPod[] = [];
  for (const p of pods) {
    if (!runsTemplate(p, w.template)) out.actions.push(deletePod(w.key, p, 'job template changed; re-running the job'));
    else current.push(p);
  }
  let succeeded = 0;
  let failed = 0;
  let lastFailureAt = 0;
  const active: ObservedPod[] = [];
  for (const p of current) {
    const phase = podPhase(p);
    // OnFailure restarts containers in place; each restart is a failure against backoffLimit.
    const restarts = p.containers.reduce((n, c) => n + c.restartCount, 0);
    failed += restarts;
    if (phase === 'Succeeded') succeeded++;
    else if (phase === 'Failed') {
      failed++;
      lastFailureAt = Math.max(lastFailureAt, ...p.containers.map((c) => c.finishedAt ?? 0));
    } else {
      const health = assessPod(p, w.key, w.template.build(p.name), ctx.now, ctx.holdsRestarts);
      if (health.broken) {
        out.actions.push(deletePod(w.key, p, health.reason ?? 'broken'));
        failed++;
        continue;
      }
      out.actions.push(...health.repairs);
    podWaits(out, w.key, p.name, health);
      active.push(p);
    }
  }
  const startTime = current.length ? Math.min(...current.map((p) => p.createdAt)) : undefined;
  const status: JobStatus = { active: active.length, succeeded, failed, ...(startTime !== undefined ? { startTime } : {}) };
  const stopActive = (reason: string) => {
    for (const p of active) out.actions.push(deletePod(w.key, p, reason));
  };
  if (succeeded >= w.completions) {
    status.condition = { type: 'Complete', reason: 'Completed', message: `${succeeded}/${w.completions} completions` };
    stopActive('job complete');
    return { ...out, status };
  }
  if (failed > w.backoffLimit) {
    status.condition = { type: 'Failed', reason: 'BackoffLimitExceeded', message: `job has reached the specified backoff limit (${w.backoffLimit})` };
    stopActive('job failed');
    return { ...out, status };
  }
  if (w.activeDeadlineSeconds !== undefined && startTime !== undefined && ctx.now - startTime > w.activeDeadlineSeconds * 1000) {
    status.condition = { type: 'Failed', reason: 'DeadlineExceeded', message: `job was active longer than ${w.activeDeadlineSeconds}s` };
    stopActive('job deadline exceeded');
    return { ...out, status };
  }
  const retryAt = lastFailureAt + delay(JOB_RETRY_BACKOFF, failed);
  const want = Math.min(w.parallelism - active.length, w.completions - succeeded - active.length);
  if (want > 0 && failed > 0 && ctx.now < retryAt) {
    out.waits.push({ key: w.key, kind: 'job', blocking: false, message: `backing off ${Math.ceil((retryAt - ctx.now) / 1000)}s after ${failed} failed pods` });
    return { ...out, status };
  }
  for (let i = 0; i < want; i++) {
    out.actions.push({ type: 'create-pod', key: w.key, pod: w.template.build(newPodName(w.name, w.namespace, ctx)), reason: `job needs ${w.completions - succeeded} more completions` });
  }
  out.waits.push({ key: w.key, kind: 'job', blocking: false, message: `${succeeded}/${w.completions} completions, ${active.length + Math.max(0, want)} running` });
  return { ...out, status };
}
