import type { Problem } from '../../model/problem.js';
import type { DesiredState } from '../desired.js';
import { workloadServices } from './workloads.js';
import { serviceProxies } from './services.js';
import type { SwarmProblem } from './container.js';
import { cronJobs, jobWorkload } from '../desired.js';
import type { Job } from '../../model/types.js';

/**
 * What Swarm cannot run in a revision, as validation problems at each object's document: the
 * pass checks it with validation, before anything is recorded or applied (SPEC §9: same
 * manifests, and nothing partially applied).
 */
export function swarmProblems(app: string, desired: DesiredState): Problem[] {
  const w = workloadServices(app, desired);
  const proxies = serviceProxies(app, desired.services, w.services, 'check', new Map());
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const p of [...w.problems, ...proxies.problems, ...cronJobProblems(app, desired)]) {
    // A StatefulSet's ordinals share a template: one problem per object and field.
    const id = `${p.key}\0${p.path}\0${p.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const r = desired.byKey.get(p.key);
    out.push({ file: r?.source.file ?? '-', line: r?.source.line ?? 0, column: r?.source.column ?? 0, path: p.path, severity: p.warning ? 'warning' : 'error', code: p.warning ? 'weakened-on-swarm' : 'unsupported-on-swarm', message: `${p.key.replace(/\/\//, '/')}: ${p.path}: ${p.message}` });
  }
  return out;
}

/**
 * A CronJob's Jobs are made by the daemon later, on schedule: their template is checked now, as
 * the Job it will be, so a schedule never fires into a pass that cannot run it.
 */
function cronJobProblems(app: string, desired: DesiredState): Array<SwarmProblem & { key: string }> {
  const crons = cronJobs(desired);
  if (crons.length === 0) return [];
  const ctx = { configs: desired.configs, hashKey: desired.hashKey };
  const jobs = crons.map((c) => {
    const job: Job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: c.object.metadata.name, namespace: c.object.metadata.namespace ?? 'default' }, spec: c.object.spec.jobTemplate.spec };
    return jobWorkload(job, c.key, ctx);
  });
  return workloadServices(app, { ...desired, workloads: jobs, services: [] }).problems.map((p) => ({ ...p, path: p.path.replace(/^spec\.template\./, 'spec.jobTemplate.spec.template.') }));
}
