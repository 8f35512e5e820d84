import type { Kind } from '../../model/types.js';
import type { Path } from '../path.js';
import type { CheckContext } from './context.js';
import { checkTemplateMetadata } from './metadata.js';
import { checkPodSpec } from './pod.js';
import { checkSchedule, checkTimeZone } from './schedule.js';
import { checkLabelSelector, checkMapSelector, checkSelectorMatchesTemplate } from './selectors.js';
import type { Rec } from './values.js';
import { has, int, rec, str, stringMap } from './values.js';
import { quote } from '../../model/excerpt.js';
import { checkStatefulSetSpec } from './statefulset.js';

type RestartRule = 'always' | 'job' | 'any';

/** Kind-specific checks of everything that runs pods. */
export function checkWorkload(kind: Kind, object: Rec, ctx: CheckContext): void {
  const spec = rec(object.spec);
  if (!spec) return;
  switch (kind) {
    case 'Pod': {
      const labels = stringMap(rec(object.metadata)?.labels);
      const portNames = checkPodSpec(spec, ['spec'], ctx, object.metadata);
      ctx.facts.pods.push({ labels, portNames });
      return;
    }
    case 'Deployment':
    case 'ReplicaSet':
      checkController(kind, spec, ['spec'], ctx);
      if (kind === 'Deployment') checkStrategy(spec, ctx);
      return;
    case 'ReplicationController': {
      const templateLabels = rec(rec(spec.template)?.metadata)?.labels;
      const selector = checkMapSelector(spec.selector, ['spec', 'selector'], ctx.r);
      if (selector && selector.length > 0) checkSelectorMatchesTemplate(selector, ['spec', 'selector'], templateLabels, ctx.r);
      else if (Object.keys(stringMap(templateLabels)).length === 0)
        ctx.r.report('invalid-selector', ['spec', 'selector'], 'a ReplicationController needs a selector or pod template labels to derive it from', { locate: ['spec'], at: 'key' });
      checkTemplate(spec.template, ['spec', 'template'], 'always', ctx);
      return;
    }
    case 'Job':
      checkJobSpec(spec, ['spec'], ctx);
      return;
    case 'CronJob': {
      const schedule = str(spec.schedule);
      const err = schedule === undefined ? undefined : checkSchedule(schedule);
      if (err) ctx.r.report('invalid-schedule', ['spec', 'schedule'], `schedule ${quote(schedule)} is invalid: ${err}`);
      const tz = str(spec.timeZone);
      const tzErr = tz === undefined ? undefined : checkTimeZone(tz);
      if (tzErr) ctx.r.report('invalid-time-zone', ['spec', 'timeZone'], `timeZone ${quote(tz)} ${tzErr}`);
      const jobTemplate = rec(spec.jobTemplate);
      if (!jobTemplate) return;
      checkTemplateMetadata(jobTemplate.metadata, ['spec', 'jobTemplate', 'metadata'], ctx.r);
      const jobSpec = rec(jobTemplate.spec);
      if (jobSpec) checkJobSpec(jobSpec, ['spec', 'jobTemplate', 'spec'], ctx);
      return;
    }
    case 'DaemonSet':
      checkController(kind, spec, ['spec'], ctx);
      checkDaemonUpdateStrategy(spec, ctx);
      return;
    case 'StatefulSet':
      checkController(kind, spec, ['spec'], ctx, checkStatefulSetSpec(spec, ctx));
      return;
    default:
      return;
  }
}

/** apps/v1 ValidateDaemonSetUpdateStrategy: rollingUpdate only with RollingUpdate; not both fences 0. */
function checkDaemonUpdateStrategy(spec: Rec, ctx: CheckContext): void {
  const strategy = rec(spec.updateStrategy);
  if (!strategy) return;
  const path = ['spec', 'updateStrategy'];
  const ru = rec(strategy.rollingUpdate);
  if (str(strategy.type) === 'OnDelete' && has(strategy, 'rollingUpdate') && strategy.rollingUpdate !== null)
    ctx.r.report('invalid-strategy', [...path, 'rollingUpdate'], 'rollingUpdate may not be set when updateStrategy type is OnDelete', { at: 'key' });
  else if (ru) checkRollingUpdate({ maxSurge: ru.maxSurge ?? 0, maxUnavailable: ru.maxUnavailable ?? 1 }, [...path, 'rollingUpdate'], ctx);
}

/** Deployment, ReplicaSet and StatefulSet: a non-empty selector that matches the template. */
function checkController(kind: Kind, spec: Rec, path: Path, ctx: CheckContext, claimVolumes?: ReadonlySet<string>): void {
  const selPath = [...path, 'selector'];
  const selector = checkLabelSelector(spec.selector, selPath, ctx.r);
  if (selector && selector.length === 0)
    ctx.r.report('invalid-selector', selPath, `an empty selector would select every pod; a ${kind} must select its template's labels`);
  else if (selector) checkSelectorMatchesTemplate(selector, selPath, rec(rec(spec.template)?.metadata)?.labels, ctx.r);
  checkTemplate(spec.template, [...path, 'template'], 'always', ctx, claimVolumes);
}

function checkJobSpec(spec: Rec, path: Path, ctx: CheckContext): void {
  if (has(spec, 'selector')) {
    const selPath = [...path, 'selector'];
    const selector = checkLabelSelector(spec.selector, selPath, ctx.r);
    if (selector && selector.length > 0) checkSelectorMatchesTemplate(selector, selPath, rec(rec(spec.template)?.metadata)?.labels, ctx.r);
  }
  checkTemplate(spec.template, [...path, 'template'], 'job', ctx);
}

function checkTemplate(value: unknown, path: Path, restart: RestartRule, ctx: CheckContext, claimVolumes?: ReadonlySet<string>): void {
  const template = rec(value);
  if (!template) return;
  checkTemplateMetadata(template.metadata, [...path, 'metadata'], ctx.r);
  const spec = rec(template.spec);
  if (!spec) return;
  checkRestartPolicy(spec, [...path, 'spec'], restart, ctx);
  const portNames = checkPodSpec(spec, [...path, 'spec'], ctx, template.metadata, claimVolumes);
  ctx.facts.pods.push({ labels: stringMap(rec(template.metadata)?.labels), portNames });
}

function checkRestartPolicy(spec: Rec, path: Path, rule: RestartRule, ctx: CheckContext): void {
  const policy = spec.restartPolicy;
  if (rule === 'always' && policy !== undefined && policy !== 'Always' && typeof policy === 'string')
    ctx.r.report('invalid-restart-policy', [...path, 'restartPolicy'], `restartPolicy must be Always for a controller's pods, not ${quote(policy)}; use a Job for pods that finish`);
  if (rule === 'job' && policy === undefined)
    ctx.r.report('invalid-restart-policy', [...path, 'restartPolicy'], "a Job's pod template must set restartPolicy to OnFailure or Never", { locate: path, at: 'key' });
  else if (rule === 'job' && policy === 'Always')
    ctx.r.report('invalid-restart-policy', [...path, 'restartPolicy'], 'restartPolicy must be OnFailure or Never for a Job, not Always');
}

function checkStrategy(spec: Rec, ctx: CheckContext): void {
  const strategy = rec(spec.strategy);
  const path = ['spec', 'strategy'];
  if (strategy) {
    const type = str(strategy.type) ?? 'RollingUpdate';
    const ru = rec(strategy.rollingUpdate);
    if (type === 'Recreate' && has(strategy, 'rollingUpdate'))
      ctx.r.report('invalid-strategy', [...path, 'rollingUpdate'], 'rollingUpdate may not be set when strategy type is Recreate', { at: 'key' });
    else if (ru) checkRollingUpdate(ru, [...path, 'rollingUpdate'], ctx);
  }
  const minReady = int(spec.minReadySeconds) ?? 0;
  const deadline = int(spec.progressDeadlineSeconds);
  if (deadline !== undefined && deadline <= minReady)
    ctx.r.report('invalid-value', ['spec', 'progressDeadlineSeconds'], `progressDeadlineSeconds (${deadline}) must be greater than minReadySeconds (${minReady})`);
}

function checkRollingUpdate(ru: Rec, path: Path, ctx: CheckContext): void {
  const values: Partial<Record<'maxSurge' | 'maxUnavailable', number | 'percent'>> = {};
  for (const field of ['maxSurge', 'maxUnavailable'] as const) {
    const v = ru[field];
    if (typeof v === 'number') {
      if (v < 0) ctx.r.report('invalid-strategy', [...path, field], `${field} must not be negative`);
      values[field] = v;
    } else if (typeof v === 'string') {
      const m = /^(\d+)%$/.exec(v);
      if (!m) ctx.r.report('invalid-strategy', [...path, field], `${field} ${quote(v)} must be an integer or a percentage such as "25%"`);
      else if (field === 'maxUnavailable' && Number(m[1]) > 100) ctx.r.report('invalid-strategy', [...path, field], 'maxUnavailable must not exceed 100%');
      else values[field] = Number(m[1]) === 0 ? 0 : 'percent';
    }
  }
  if (values.maxSurge === 0 && values.maxUnavailable === 0)
    ctx.r.report('invalid-strategy', path, 'maxSurge and maxUnavailable may not both be 0; the rollout could never make progress');
}
