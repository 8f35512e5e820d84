import type { CronJob, Job, JobSpec } from '../../model/types.js';
import type { JobRecord } from '../store/index.js';
import type { ViewContext } from './context.js';
import { createdOf, earliest, generationOf, itemMeta, ownerReference, parseOwner, rfc3339 } from './meta.js';
import type { Condition, CronJobItem, JobItem, ViewOf } from './types.js';
import type { PodsByController } from './workloads.js';

type PodView = ViewOf<'Pod'>;

/**
 * Jobs: those in the manifests, plus those a CronJob started (known from the store's job
 * records or from their pods). Counts come from the job controller's record when there is
 * one, else from the pods' phases.
 */
export function jobViews(ctx: ViewContext, pods: PodsByController): ViewOf<'Job'>[] {
  const keys = new Set<string>();
  for (const e of ctx.state.inventory) if (e.kind === 'Job') keys.add(e.key);
  for (const key of ctx.state.jobs.keys()) keys.add(key);
  for (const key of pods.keys()) if (key.startsWith('Job/')) keys.add(key);
  return [...keys].map((key) => jobView(ctx, key, pods.get(key) ?? []));
}

function jobView(ctx: ViewContext, key: string, pods: readonly PodView[]): ViewOf<'Job'> {
  const { state } = ctx;
  const ref = parseOwner(key)!;
  const entry = ctx.entries.get(key);
  const record = state.jobs.get(key);
  const job = entry?.object as Job | undefined;
  const cron = record?.ownerKey ? (ctx.entries.get(record.ownerKey)?.object as CronJob | undefined) : undefined;
  const spec: JobSpec | undefined = job?.spec ?? cron?.spec.jobTemplate.spec;
  const completions = spec?.completions ?? 1;
  const status = record ? statusFromRecord(record) : statusFromPods(pods, completions);
  const createdAt = entry?.createdAt ?? earliest(entry?.appliedAt, record?.startTime, ...pods.map((p) => p.createdAt));
  const cronRef = record?.ownerKey ? parseOwner(record.ownerKey) : undefined;
  const labels = { ...(job?.metadata.labels ?? cron?.spec.jobTemplate.metadata?.labels ?? {}) };
  const object: JobItem = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: itemMeta({
      app: state.app,
      kind: 'Job',
      namespace: ref.namespace,
      name: ref.name,
      createdAt,
      labels,
      annotations: job?.metadata.annotations ?? {},
      generation: generationOf(entry),
      incarnation: entry?.createdAt,
      ...(cronRef ? { owner: ownerReference(state.app, 'CronJob', cronRef.namespace, cronRef.name, ctx.entries.get(record!.ownerKey!)?.createdAt) } : {}),
    }),
    spec: { ...(spec ?? {}), completions, parallelism: spec?.parallelism ?? 1 } as JobItem['spec'],
    status: { ...status, ready: pods.filter((p) => p.ready).length },
  };
  return { kind: 'Job', key, namespace: ref.namespace, name: ref.name, labels, createdAt, object };
}

function condition(type: 'Complete' | 'Failed', at: number | undefined, reason?: string, message?: string): Condition {
  const time = rfc3339(at ?? 0);
  return { type, status: 'True', lastProbeTime: null, lastTransitionTime: time, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

function statusFromRecord(r: JobRecord): JobItem['status'] {
  const finished = r.phase === 'Complete' ? [condition('Complete', r.completionTime)] : r.phase === 'Failed' ? [condition('Failed', r.completionTime, r.reason, r.message)] : [];
  return {
    active: r.active,
    succeeded: r.succeeded,
    failed: r.failed,
    startTime: rfc3339(r.startTime),
    ...(r.phase === 'Complete' && r.completionTime ? { completionTime: rfc3339(r.completionTime) } : {}),
    ...(finished.length ? { conditions: finished } : {}),
  };
}

function statusFromPods(pods: readonly PodView[], completions: number): JobItem['status'] {
  const succeeded = pods.filter((p) => p.object.status.phase === 'Succeeded');
  const failed = pods.filter((p) => p.object.status.phase === 'Failed').length;
  const start = pods.length ? Math.min(...pods.map((p) => p.createdAt)) : undefined;
  const done = succeeded.length >= completions;
  const finishedAt = done ? Math.max(...succeeded.flatMap((p) => p.object.status.containerStatuses.map((c) => Date.parse(c.state.terminated?.finishedAt ?? '') || 0))) : undefined;
  return {
    active: pods.length - succeeded.length - failed,
    succeeded: succeeded.length,
    failed,
    ...(start !== undefined ? { startTime: rfc3339(start) } : {}),
    ...(finishedAt ? { completionTime: rfc3339(finishedAt), conditions: [condition('Complete', finishedAt)] } : {}),
  };
}

export function cronJobViews(ctx: ViewContext): ViewOf<'CronJob'>[] {
  const { state } = ctx;
  return state.inventory
    .filter((e) => e.kind === 'CronJob')
    .map((entry) => {
      const cj = entry.object as CronJob;
      const cron = state.cronStates.get(entry.key);
      const labels = cj.metadata.labels ?? {};
      const object: CronJobItem = {
        apiVersion: cj.apiVersion,
        kind: 'CronJob',
        metadata: itemMeta({ app: state.app, kind: 'CronJob', namespace: entry.namespace, name: cj.metadata.name, createdAt: createdOf(entry), labels, annotations: cj.metadata.annotations ?? {}, generation: generationOf(entry), incarnation: entry.createdAt }),
        spec: cj.spec as CronJobItem['spec'],
        status: {
          ...(cron?.active.length ? { active: cron.active.map((name) => ({ apiVersion: 'batch/v1', kind: 'Job' as const, name, namespace: entry.namespace })) } : {}),
          ...(cron?.lastScheduleTime ? { lastScheduleTime: rfc3339(cron.lastScheduleTime) } : {}),
          ...(cron?.lastSuccessfulTime ? { lastSuccessfulTime: rfc3339(cron.lastSuccessfulTime) } : {}),
        },
      };
      return { kind: 'CronJob' as const, key: entry.key, namespace: entry.namespace, name: cj.metadata.name, labels, createdAt: createdOf(entry), object };
    });
}
