import { describe, expect, it } from 'vitest';
import type { ValidateOptions } from '../../src/manifests/index.js';
import type { Finding } from './support.js';
import { at, findings, validate, yaml } from './support.js';

const LEGACY_DEPLOYMENT = (apiVersion: string, extra = '') => yaml`
  apiVersion: ${apiVersion}
  kind: Deployment
  metadata:
    name: web
  spec:
    template:
      metadata:
        labels: {app: web}
      spec:
        containers:
          - name: web
            image: nginx:1.25
`.concat(extra);

describe('kinds and apiVersions', () => {
  it.each<{ name: string; text: string; options?: ValidateOptions; want: Finding[] }>([
    {
      name: 'an unsupported kind is an error',
      text: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n',
      want: [at(2, 7, 'unsupported-kind', 'kind')],
    },
    {
      name: 'with --skip-unsupported it is a warning',
      text: 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: db\n',
      options: { skipUnsupported: true },
      want: [at(2, 7, 'unsupported-kind', 'kind', 'warning')],
    },
    {
      name: 'custom resources are skipped too',
      text: 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: web\n',
      options: { skipUnsupported: true },
      want: [at(2, 7, 'unsupported-kind', 'kind', 'warning')],
    },
    {
      name: 'a typo of a supported kind stays an error even with --skip-unsupported',
      text: 'apiVersion: apps/v1\nkind: Deploymnet\nmetadata:\n  name: web\n',
      options: { skipUnsupported: true },
      want: [at(2, 7, 'unsupported-kind', 'kind')],
    },
    {
      name: 'a supported kind under an apiVersion that never served it',
      text: 'apiVersion: v1\nkind: Deployment\nmetadata:\n  name: web\n',
      want: [at(1, 13, 'unsupported-api-version', 'apiVersion')],
    },
    {
      name: 'missing apiVersion and kind',
      text: 'metadata:\n  name: web\n',
      want: [at(1, 1, 'missing-field', 'apiVersion'), at(1, 1, 'missing-field', 'kind')],
    },
    {
      name: 'kind that is not a string',
      text: 'apiVersion: v1\nkind: [Pod]\nmetadata:\n  name: p\n',
      want: [at(2, 7, 'invalid-type', 'kind')],
    },
    {
      name: 'cluster-scoped kinds ignore metadata.namespace',
      text: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  namespace: default\n',
      want: [at(5, 3, 'namespace-ignored', 'metadata.namespace', 'warning')],
    },
    {
      name: 'extensions/v1beta1 Deployment: warning, selector derived',
      text: LEGACY_DEPLOYMENT('extensions/v1beta1'),
      want: [at(1, 13, 'deprecated-api-version', 'apiVersion', 'warning')],
    },
    {
      name: 'apps/v1beta2 did not derive selectors',
      text: LEGACY_DEPLOYMENT('apps/v1beta2'),
      want: [at(1, 13, 'deprecated-api-version', 'apiVersion', 'warning'), at(5, 1, 'missing-field', 'spec.selector')],
    },
    {
      name: 'spec.rollbackTo is dropped',
      text: LEGACY_DEPLOYMENT('apps/v1beta1', '  rollbackTo: {revision: 2}\n'),
      want: [at(1, 13, 'deprecated-api-version', 'apiVersion', 'warning'), at(13, 3, 'legacy-field-dropped', 'spec.rollbackTo', 'warning')],
    },
  ])('$name', ({ text, options, want }) => {
    expect(findings({ 'f.yaml': text }, options)).toEqual(want);
  });

  it.each([
    {
      name: 'extensions/v1beta1 keeps its own defaults',
      apiVersion: 'extensions/v1beta1',
      want: { revisionHistoryLimit: 2147483647, progressDeadlineSeconds: 2147483647, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } },
    },
    {
      name: 'apps/v1beta1 keeps two old ReplicaSets',
      apiVersion: 'apps/v1beta1',
      want: { revisionHistoryLimit: 2, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
    },
  ])('converts: $name', ({ apiVersion, want }) => {
    const { resources, problems } = validate({ 'f.yaml': LEGACY_DEPLOYMENT(apiVersion) });
    expect(problems.map((p) => p.code)).toEqual(['deprecated-api-version']);
    expect(resources.map((r) => ({ key: r.key, apiVersion: r.object.apiVersion, labels: r.object.metadata.labels, spec: 'spec' in r.object ? r.object.spec : undefined }))).toEqual([
      {
        key: 'Deployment/default/web',
        apiVersion: 'apps/v1',
        labels: { app: 'web' },
        spec: {
          replicas: 1,
          minReadySeconds: 0,
          paused: false,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' }, annotations: {} },
            spec: {
              containers: [{ name: 'web', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent' }],
              restartPolicy: 'Always',
              terminationGracePeriodSeconds: 30,
              dnsPolicy: 'ClusterFirst',
            },
          },
          ...want,
        },
      },
    ]);
  });

  it('converts extensions/v1beta1 ReplicaSets and batch/v1beta1 CronJobs', () => {
    const { resources, problems } = validate({
      'rs.yaml': yaml`
        apiVersion: extensions/v1beta1
        kind: ReplicaSet
        metadata:
          name: rs
        spec:
          template:
            metadata:
              labels: {app: rs}
            spec:
              containers: [{name: c, image: "busybox:1.36"}]
      `,
      'cj.yaml': yaml`
        apiVersion: batch/v1beta1
        kind: CronJob
        metadata:
          name: nightly
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: c, image: "busybox:1.36"}]
      `,
    });
    expect(problems.map((p) => [p.file, p.code])).toEqual([
      ['cj.yaml', 'deprecated-api-version'],
      ['rs.yaml', 'deprecated-api-version'],
    ]);
    expect(resources.map((r) => [r.key, r.object.apiVersion, r.object.kind === 'ReplicaSet' ? r.object.spec.selector : undefined])).toEqual([
      ['ReplicaSet/default/rs', 'apps/v1', { matchLabels: { app: 'rs' } }],
      ['CronJob/default/nightly', 'batch/v1', undefined],
    ]);
  });
});
