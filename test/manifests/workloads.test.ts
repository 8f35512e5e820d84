import { describe, expect, it } from 'vitest';
import { checkSchedule, checkTimeZone } from '../../src/manifests/checks/schedule.js';
import type { Finding } from './support.js';
import { at, findings, indent, yaml } from './support.js';

/** A Deployment; `spec` replaces the selector (lines 6-7) and the template follows at line 8. */
function deployment(spec: string, podSpecExtra = ''): string {
  return yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
  `.concat(indent(spec, 2), indent(yaml`
    template:
      metadata:
        labels: {app: web, tier: front}
      spec:
        containers:
          - name: web
            image: nginx:1.25
  `, 2), indent(podSpecExtra, 6));
}

/** A Job (or the job spec of a CronJob) whose pod spec gets `podSpec` appended. */
function job(podSpec: string, jobSpec = ''): string {
  return `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n${indent(jobSpec, 2)}  template:\n    metadata:\n      labels: {app: j}\n    spec:\n      containers: [{name: c, image: "busybox:1.36"}]\n${indent(podSpec, 6)}`;
}

describe('controllers', () => {
  it.each<{ name: string; text: string; want: Finding[] }>([
    { name: 'a selector matching the template', text: deployment('selector:\n  matchLabels: {app: web}\n'), want: [] },
    { name: 'a selector that does not match', text: deployment('selector:\n  matchLabels: {app: api}\n'), want: [at(6, 3, 'selector-mismatch', 'spec.selector')] },
    { name: 'an empty selector', text: deployment('selector: {}\n'), want: [at(6, 13, 'invalid-selector', 'spec.selector')] },
    {
      name: 'set-based selectors',
      text: deployment(yaml`
        selector:
          matchExpressions:
            - {key: app, operator: In, values: [web, api]}
            - {key: tier, operator: Exists}
            - {key: canary, operator: DoesNotExist}
      `),
      want: [],
    },
    {
      name: 'set-based operator rules',
      text: deployment(yaml`
        selector:
          matchExpressions:
            - {key: app, operator: In, values: []}
            - {key: tier, operator: Exists, values: [front]}
            - {key: -bad, operator: NotIn, values: [x]}
            - {key: app, operator: Equals, values: [web]}
      `),
      want: [
        at(8, 9, 'invalid-selector', 'spec.selector.matchExpressions[0].values'),
        at(9, 39, 'invalid-selector', 'spec.selector.matchExpressions[1].values'),
        at(10, 15, 'invalid-label', 'spec.selector.matchExpressions[2].key'),
        at(11, 30, 'invalid-value', 'spec.selector.matchExpressions[3].operator'),
      ],
    },
    {
      name: "controllers' pods restart Always",
      text: deployment('selector:\n  matchLabels: {app: web}\n', 'restartPolicy: Never\n'),
      want: [at(15, 22, 'invalid-restart-policy', 'spec.template.spec.restartPolicy')],
    },
    {
      name: 'strategy rules',
      text: deployment(yaml`
        selector:
          matchLabels: {app: web}
        minReadySeconds: 30
        progressDeadlineSeconds: 30
        strategy:
          type: Recreate
          rollingUpdate: {maxSurge: 1}
      `),
      want: [at(9, 28, 'invalid-value', 'spec.progressDeadlineSeconds'), at(12, 5, 'invalid-strategy', 'spec.strategy.rollingUpdate')],
    },
    {
      name: 'rolling update limits',
      text: deployment(yaml`
        selector:
          matchLabels: {app: web}
        strategy:
          rollingUpdate: {maxSurge: 0, maxUnavailable: "0%"}
      `),
      want: [at(9, 20, 'invalid-strategy', 'spec.strategy.rollingUpdate')],
    },
    {
      name: 'rolling update values',
      text: deployment(yaml`
        selector:
          matchLabels: {app: web}
        strategy:
          rollingUpdate: {maxSurge: two, maxUnavailable: "150%"}
      `),
      want: [at(9, 31, 'invalid-strategy', 'spec.strategy.rollingUpdate.maxSurge'), at(9, 52, 'invalid-strategy', 'spec.strategy.rollingUpdate.maxUnavailable')],
    },
    {
      name: 'ReplicationController selectors are label maps',
      text: yaml`
        apiVersion: v1
        kind: ReplicationController
        metadata:
          name: rc
        spec:
          selector: {app: other}
          template:
            metadata:
              labels: {app: rc}
            spec:
              restartPolicy: OnFailure
              containers: [{name: c, image: "busybox:1.36"}]
      `,
      want: [at(6, 13, 'selector-mismatch', 'spec.selector'), at(11, 22, 'invalid-restart-policy', 'spec.template.spec.restartPolicy')],
    },
    {
      name: 'a ReplicationController with neither selector nor labels',
      text: 'apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: rc\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: "busybox:1.36"}]\n',
      want: [at(5, 1, 'invalid-selector', 'spec.selector')],
    },
  ])('$name', ({ text, want }) => {
    expect(findings({ 'f.yaml': text })).toEqual(want);
  });
});

describe('jobs', () => {
  it.each<{ name: string; text: string; want: Finding[] }>([
    { name: 'a Job must choose OnFailure or Never', text: job(''), want: [at(9, 5, 'invalid-restart-policy', 'spec.template.spec.restartPolicy')] },
    { name: 'not Always', text: job('restartPolicy: Always\n'), want: [at(11, 22, 'invalid-restart-policy', 'spec.template.spec.restartPolicy')] },
    { name: 'Never', text: job('restartPolicy: Never\n'), want: [] },
    {
      name: 'a given selector must match',
      text: job('restartPolicy: Never\n', 'selector:\n  matchLabels: {app: other}\n'),
      want: [at(6, 3, 'selector-mismatch', 'spec.selector')],
    },
    {
      name: 'CronJob schedule and time zone',
      text: yaml`
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: nightly
        spec:
          schedule: "*/5 * * *"
          timeZone: europe/berlin
          jobTemplate:
            spec:
              template:
                spec:
                  containers: [{name: c, image: "busybox:1.36"}]
      `,
      want: [
        at(6, 13, 'invalid-schedule', 'spec.schedule'),
        at(7, 13, 'invalid-time-zone', 'spec.timeZone'),
        at(11, 9, 'invalid-restart-policy', 'spec.jobTemplate.spec.template.spec.restartPolicy'),
      ],
    },
  ])('$name', ({ text, want }) => {
    expect(findings({ 'f.yaml': text })).toEqual(want);
  });

  it.each([
    { schedule: '0 3 * * *', valid: true },
    { schedule: '*/15 9-17 * * MON-FRI', valid: true },
    { schedule: '0 0 1,15 jan,jul ?', valid: true },
    { schedule: '@daily', valid: true },
    { schedule: '@hourly', valid: true },
    { schedule: '*/5 * * *', valid: false },
    { schedule: '60 * * * *', valid: false },
    { schedule: '0 24 * * *', valid: false },
    { schedule: '0 0 0 * *', valid: false },
    { schedule: '0 0 * 13 *', valid: false },
    { schedule: '0 0 * * 7', valid: false },
    { schedule: '5-1 * * * *', valid: false },
    { schedule: '*/0 * * * *', valid: false },
    { schedule: '? * * * *', valid: false },
    { schedule: '@every 5m', valid: false },
    { schedule: '@fortnightly', valid: false },
    { schedule: 'TZ=UTC 0 3 * * *', valid: false },
    { schedule: '', valid: false },
  ])('schedule "$schedule" valid: $valid', ({ schedule, valid }) => {
    expect(checkSchedule(schedule) === undefined).toBe(valid);
  });

  it.each([
    { tz: 'Europe/Berlin', valid: true },
    { tz: 'America/Argentina/Buenos_Aires', valid: true },
    { tz: 'UTC', valid: true },
    { tz: 'Etc/GMT+5', valid: true },
    { tz: 'europe/berlin', valid: false },
    { tz: 'Mars/Olympus_Mons', valid: false },
    { tz: '+01:00', valid: false },
  ])('time zone "$tz" valid: $valid', ({ tz, valid }) => {
    expect(checkTimeZone(tz) === undefined).toBe(valid);
  });
});
