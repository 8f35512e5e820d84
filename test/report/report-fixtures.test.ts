import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/report/render/json.js';
import { createDiffReport } from '../../src/report/render/report.js';
import { stableStringify } from '../../src/model/hash.js';
import { FIXTURES, loadFixtureResources } from '../support/diff-fixtures.js';

/**
 * The exact JSON report (`berth diff -o json`) for pairs of fixture revisions under
 * test/fixtures/diff/<case>/{from,to}. Expected values are written out in full: a change of
 * wording or shape must show up here and in docs/diff-json.md together.
 */

type Json = Record<string, unknown>;

function fx(kind: string, message: string, destructive = false): Json {
  return { kind, message, destructive };
}

function change(action: string, key: string, at: string, destructive: boolean, effects: Json[], fields: Json[]): Json {
  const [kind, namespace, name] = key.split('/');
  const [file, line] = at.split(':');
  return { action, key, kind, namespace, name, destructive, source: { file, line: Number(line), column: 1 }, effects, fields };
}

type ChangeArgs = [key: string, at: string, destructive: boolean, effects: Json[], fields: Json[]];
const created = (...a: ChangeArgs) => change('create', ...a);
const updated = (...a: ChangeArgs) => change('update', ...a);
const deleted = (...a: ChangeArgs) => change('delete', ...a);

function jsonPlan(name: string): unknown {
  const report = createDiffReport({
    from: { id: `${name}-from`, origin: `fixture ${name}/from` },
    to: { id: `${name}-to`, origin: `fixture ${name}/to` },
    before: loadFixtureResources(name, 'from'),
    after: loadFixtureResources(name, 'to'),
  });
  return JSON.parse(renderJson(report));
}

function envelope(name: string, summary: Json, changes: Json[]): Json {
  return {
    apiVersion: 'berth.dev/v1',
    kind: 'DiffReport',
    from: { id: `${name}-from`, origin: `fixture ${name}/from` },
    to: { id: `${name}-to`, origin: `fixture ${name}/to` },
    summary,
    changes,
  };
}

/** The documents of a fixture side exactly as written (no defaults), sorted by kind and name. */
function rawDocuments(name: string, side: 'from' | 'to'): unknown[] {
  const dir = join(FIXTURES, name, side);
  const docs = readdirSync(dir)
    .sort()
    .flatMap((f) => loadAll(readFileSync(join(dir, f), 'utf8')) as Array<{ kind: string; metadata: { name: string } }>);
  return docs.sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
}

const CASES: Array<{ name: string; title: string; summary: Json; changes: Json[] }> = [
  {
    name: 'rolling-update',
    title: 'an image change rolls a Deployment with its default strategy',
    summary: { added: 0, changed: 1, removed: 0, destructive: 0 },
    changes: [
      updated('Deployment/default/web', 'web.yaml:1', false, [
        fx('rollout.rolling-update', 'rolling update of deploy/web: 3 pods replaced (maxSurge 1, maxUnavailable 0)'),
      ], [
        { path: 'spec.template.spec.containers[web].env', op: 'add', after: [
          { name: 'LOG_LEVEL', value: 'debug' },
        ] },
        { path: 'spec.template.spec.containers[web].image', op: 'replace', before: 'nginx:1.25', after: 'nginx:1.27' },
      ]),
    ],
  },
  {
    name: 'rollouts',
    title: 'scaling, Recreate, paused, rollout settings, fenceposts, ReplicaSet and ReplicationController',
    summary: { added: 0, changed: 9, removed: 0, destructive: 4 },
    changes: [
      updated('ReplicationController/default/classic', 'workloads.yaml:140', true, [
        fx('pods.replace', 'rc/classic replaces its pod at once (a ReplicationController has no rolling update)', true),
      ], [
        { path: 'spec.template.spec.containers[classic].image', op: 'replace', before: 'example/classic:1', after: 'example/classic:2' },
      ]),
      updated('ReplicaSet/default/legacy', 'workloads.yaml:124', true, [
        fx('pods.replace', 'rs/legacy replaces all 2 pods at once (a ReplicaSet has no rolling update)', true),
      ], [
        { path: 'spec.template.spec.containers[legacy].image', op: 'replace', before: 'example/legacy:1', after: 'example/legacy:2' },
      ]),
      updated('Deployment/default/api', 'workloads.yaml:35', false, [
        fx('rollout.rolling-update', 'rolling update of deploy/api: 2 pods replaced (maxSurge 1, maxUnavailable 0)'),
        fx('scale', 'scaled deploy/api 4 → 2'),
      ], [
        { path: 'spec.replicas', op: 'replace', before: 4, after: 2 },
        { path: 'spec.template.spec.containers[api].image', op: 'replace', before: 'example/api:1', after: 'example/api:2' },
      ]),
      updated('Deployment/default/batch', 'workloads.yaml:51', false, [
        fx('rollout.paused', 'deploy/batch is paused: the new template is recorded, no pods are replaced until it is resumed'),
      ], [
        { path: 'spec.template.spec.containers[batch].image', op: 'replace', before: 'example/batch:1', after: 'example/batch:2' },
      ]),
      updated('Deployment/default/cache', 'workloads.yaml:68', false, [
        fx('rollout.settings', 'rollout settings of deploy/cache changed (strategy); running pods are kept'),
      ], [
        { path: 'spec.strategy.rollingUpdate.maxSurge', op: 'replace', before: 1, after: 2 },
        { path: 'spec.strategy.rollingUpdate.maxUnavailable', op: 'replace', before: 0, after: 1 },
      ]),
      updated('Deployment/default/db', 'workloads.yaml:17', true, [
        fx('rollout.recreate', 'recreate of deploy/db: all 2 pods stopped before new ones start', true),
      ], [
        { path: 'spec.template.spec.containers[db].image', op: 'replace', before: 'postgres:15', after: 'postgres:16' },
      ]),
      updated('Deployment/default/edge', 'workloads.yaml:88', false, [
        fx('rollout.rolling-update', 'rolling update of deploy/edge: 10 pods replaced (maxSurge 5, maxUnavailable 2)'),
      ], [
        { path: 'spec.template.spec.containers[edge].image', op: 'replace', before: 'example/edge:1', after: 'example/edge:2' },
      ]),
      updated('Deployment/default/gone', 'workloads.yaml:108', true, [
        fx('scale', 'scaled deploy/gone 3 → 0', true),
      ], [
        { path: 'spec.replicas', op: 'replace', before: 3, after: 0 },
      ]),
      updated('Deployment/default/web', 'workloads.yaml:1', false, [
        fx('scale', 'scaled deploy/web 3 → 5'),
      ], [
        { path: 'spec.replicas', op: 'replace', before: 3, after: 5 },
      ]),
    ],
  },
  {
    name: 'config-restart',
    title: 'a ConfigMap change restarts every running workload that uses it',
    summary: { added: 0, changed: 5, removed: 0, destructive: 2 },
    changes: [
      updated('ConfigMap/default/unused-config', 'config.yaml:8', false, [
        fx('resource.update', 'configmap unused-config updated'),
      ], [
        { path: 'data.color', op: 'replace', before: 'blue', after: 'green' },
        { path: 'metadata.labels', op: 'add', after: { team: 'ui' } },
      ]),
      updated('ConfigMap/default/web-config', 'config.yaml:1', false, [
        fx('config.consumers', 'configmap web-config changed: restarts pod/debug, deploy/web, deploy/worker'),
      ], [
        { path: 'data.LOG_LEVEL', op: 'replace', before: 'info', after: 'debug' },
      ]),
      updated('Pod/default/debug', 'workloads.yaml:85', true, [
        fx('rollout.config-change', 'pod/debug restarted because configmap web-config changed'),
        fx('pod.replace', 'pod/debug replaced: stopped, then started again (a bare pod has no rolling update)', true),
      ], []),
      updated('Deployment/default/web', 'workloads.yaml:2', false, [
        fx('rollout.config-change', 'pods of deploy/web restarted because configmap web-config changed'),
        fx('rollout.rolling-update', 'rolling update of deploy/web: 2 pods replaced (maxSurge 1, maxUnavailable 0)'),
      ], []),
      updated('Deployment/default/worker', 'workloads.yaml:22', true, [
        fx('rollout.config-change', 'pods of deploy/worker restarted because configmap web-config changed'),
        fx('rollout.recreate', 'recreate of deploy/worker: its pod stopped before a new one starts', true),
      ], []),
    ],
  },
  {
    name: 'secret-change',
    title: 'secret values are masked in a changed, a created and a deleted Secret',
    summary: { added: 1, changed: 2, removed: 1, destructive: 0 },
    changes: [
      updated('Secret/default/api-keys', 'secrets.yaml:1', false, [
        fx('config.consumers', 'secret api-keys changed: restarts deploy/api'),
      ], [
        { path: 'data.API_TOKEN', op: 'replace', redacted: true },
        { path: 'data.NEW_KEY', op: 'add', redacted: true },
        { path: 'data.OLD_KEY', op: 'remove', redacted: true },
        { path: 'metadata.labels', op: 'add', after: { rotated: '2024-06' } },
      ]),
      created('Secret/default/db-creds', 'secrets.yaml:11', false, [
        fx('resource.create', 'secret db-creds created'),
      ], [
        { path: '', op: 'add', after: { apiVersion: 'v1', data: { password: '(redacted)', username: '(redacted)' }, kind: 'Secret', metadata: { name: 'db-creds', namespace: 'default' }, type: 'kubernetes.io/basic-auth' } },
      ]),
      deleted('Secret/default/legacy', 'secrets.yaml:9', false, [
        fx('resource.delete', 'secret legacy deleted'),
      ], [
        // The fixture's kubectl last-applied annotation is dropped when the manifest is read (manifests/server-set.ts).
        { path: '', op: 'remove', before: { apiVersion: 'v1', data: { LEGACY: '(redacted)' }, kind: 'Secret', metadata: { name: 'legacy', namespace: 'default' }, type: 'Opaque' } },
      ]),
      updated('Deployment/default/api', 'api.yaml:1', false, [
        fx('rollout.config-change', 'pods of deploy/api restarted because secret api-keys changed'),
        fx('rollout.rolling-update', 'rolling update of deploy/api: 1 pod replaced (maxSurge 1, maxUnavailable 0)'),
      ], []),
    ],
  },
  {
    name: 'services',
    title: 'type changes, selectors and ports published on the host',
    summary: { added: 1, changed: 2, removed: 1, destructive: 0 },
    changes: [
      updated('Service/default/api', 'services.yaml:14', false, [
        fx('service.selector', 'service api: endpoints re-selected (app=api → app=api-v2)'),
      ], [
        { path: 'spec.selector.app', op: 'replace', before: 'api', after: 'api-v2' },
      ]),
      created('Service/default/lb', 'services.yaml:23', false, [
        fx('service.create', 'service lb created (LoadBalancer)'),
        fx('service.publish', 'service lb: port 443 published on the host'),
        fx('service.publish', 'service lb: port 5353/UDP published on the host'),
      ], [
        { path: '', op: 'add', after: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'lb', namespace: 'default' }, spec: { externalTrafficPolicy: 'Cluster', ports: [
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
          { name: 'dns', port: 5353, protocol: 'UDP', targetPort: 53 },
        ], selector: { app: 'web' }, sessionAffinity: 'None', type: 'LoadBalancer' } } },
      ]),
      deleted('Service/default/old', 'services.yaml:21', false, [
        fx('service.delete', 'service old deleted: old.default stops resolving'),
        fx('service.unpublish', 'service old: nodePort 30090 no longer published on the host'),
      ], [
        { path: '', op: 'remove', before: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'old', namespace: 'default' }, spec: { externalTrafficPolicy: 'Cluster', ports: [
          { nodePort: 30090, port: 80, protocol: 'TCP', targetPort: 80 },
        ], selector: { app: 'old' }, sessionAffinity: 'None', type: 'NodePort' } } },
      ]),
      updated('Service/default/web', 'services.yaml:1', false, [
        fx('service.type', 'service web: type ClusterIP → NodePort'),
        fx('service.publish', 'service web: nodePort 30080 published on the host'),
      ], [
        { path: 'spec.externalTrafficPolicy', op: 'add', after: 'Cluster' },
        { path: 'spec.ports[http].nodePort', op: 'add', after: 30080 },
        { path: 'spec.type', op: 'replace', before: 'ClusterIP', after: 'NodePort' },
      ]),
    ],
  },
  {
    name: 'destructive',
    title: 'namespace, volume and bare-pod changes are destructive',
    summary: { added: 0, changed: 1, removed: 6, destructive: 5 },
    changes: [
      deleted('Namespace//shop', 'shop.yaml:1', true, [
        fx('namespace.delete', 'namespace shop deleted with everything in it (3 resources)', true),
      ], [
        { path: '', op: 'remove', before: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } },
      ]),
      deleted('PersistentVolumeClaim/default/data', 'default.yaml:1', true, [
        fx('volume.delete', 'volume data deleted with all its data', true),
      ], [
        { path: '', op: 'remove', before: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: [
          'ReadWriteOnce',
        ], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' } } },
      ]),
      updated('Pod/default/debug', 'default.yaml:11', true, [
        fx('pod.replace', 'pod/debug replaced: stopped, then started again (a bare pod has no rolling update)', true),
      ], [
        { path: 'spec.containers[debug].image', op: 'replace', before: 'busybox:1.36', after: 'busybox:1.37' },
      ]),
      deleted('Deployment/default/db', 'default.yaml:21', true, [
        fx('workload.delete', 'deploy/db deleted: its pod stopped', true),
      ], [
        { path: '', op: 'remove', before: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db', namespace: 'default' }, spec: { minReadySeconds: 0, paused: false, progressDeadlineSeconds: 600, replicas: 1, revisionHistoryLimit: 10, selector: { matchLabels: { app: 'db' } }, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [
          { image: 'postgres:16', imagePullPolicy: 'IfNotPresent', name: 'db', volumeMounts: [
            { mountPath: '/var/lib/postgresql/data', name: 'data' },
          ] },
        ], dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', terminationGracePeriodSeconds: 30, volumes: [
          { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
        ] } } } } },
      ]),
      deleted('ConfigMap/shop/store-config', 'shop.yaml:6', false, [
        fx('resource.delete', 'configmap store-config deleted'),
      ], [
        { path: '', op: 'remove', before: { apiVersion: 'v1', data: { currency: 'EUR' }, kind: 'ConfigMap', metadata: { name: 'store-config', namespace: 'shop' } } },
      ]),
      deleted('Service/shop/store', 'shop.yaml:14', false, [
        fx('service.delete', 'service store deleted: store.shop stops resolving'),
      ], [
        { path: '', op: 'remove', before: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'store', namespace: 'shop' }, spec: { ports: [
          { port: 80, protocol: 'TCP', targetPort: 80 },
        ], selector: { app: 'store' }, sessionAffinity: 'None', type: 'ClusterIP' } } },
      ]),
      deleted('Deployment/shop/store', 'shop.yaml:24', true, [
        fx('workload.delete', 'deploy/store deleted: all 2 pods stopped', true),
      ], [
        { path: '', op: 'remove', before: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'store', namespace: 'shop' }, spec: { minReadySeconds: 0, paused: false, progressDeadlineSeconds: 600, replicas: 2, revisionHistoryLimit: 10, selector: { matchLabels: { app: 'store' } }, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' }, template: { metadata: { labels: { app: 'store' } }, spec: { containers: [
          { image: 'example/store:1', imagePullPolicy: 'IfNotPresent', name: 'store' },
        ], dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', terminationGracePeriodSeconds: 30 } } } } },
      ]),
    ],
  },
  {
    name: 'batch',
    title: 'jobs and cronjobs: a config change re-runs a job, not a cronjob',
    summary: { added: 1, changed: 4, removed: 1, destructive: 0 },
    changes: [
      updated('ConfigMap/default/report-config', 'jobs.yaml:42', false, [
        fx('config.consumers', 'configmap report-config changed: restarts job/report'),
      ], [
        { path: 'data.period', op: 'replace', before: 'daily', after: 'weekly' },
      ]),
      created('Job/default/migrate', 'jobs.yaml:1', false, [
        fx('job.run', 'job/migrate runs to completion (completions 1, parallelism 1)'),
      ], [
        { path: '', op: 'add', after: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'default' }, spec: { backoffLimit: 6, completions: 1, parallelism: 1, template: { spec: { containers: [
          { image: 'example/migrate:2', imagePullPolicy: 'IfNotPresent', name: 'migrate' },
        ], dnsPolicy: 'ClusterFirst', restartPolicy: 'Never', terminationGracePeriodSeconds: 30 } } } } },
      ]),
      deleted('Job/default/old-migration', 'jobs.yaml:1', false, [
        fx('job.delete', 'job/old-migration deleted with its pods'),
      ], [
        { path: '', op: 'remove', before: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'old-migration', namespace: 'default' }, spec: { backoffLimit: 6, completions: 1, parallelism: 1, template: { spec: { containers: [
          { image: 'example/migrate:1', imagePullPolicy: 'IfNotPresent', name: 'migrate' },
        ], dnsPolicy: 'ClusterFirst', restartPolicy: 'Never', terminationGracePeriodSeconds: 30 } } } } },
      ]),
      updated('Job/default/report', 'jobs.yaml:49', false, [
        fx('rollout.config-change', 'job/report runs again because configmap report-config changed'),
        fx('job.rerun', 'job/report re-created: it runs again from the start'),
      ], []),
      updated('Job/default/seed', 'jobs.yaml:14', false, [
        fx('job.rerun', 'job/seed re-created: it runs again with the new template'),
      ], [
        { path: 'spec.template.spec.containers[seed].image', op: 'replace', before: 'example/seed:1', after: 'example/seed:2' },
      ]),
      updated('CronJob/default/backup', 'jobs.yaml:26', false, [
        fx('cronjob.schedule', 'cronjob/backup: schedule "0 3 * * *" → "30 2 * * *"'),
        fx('cronjob.suspend', 'cronjob/backup suspended: no new runs'),
        fx('cronjob.template', 'future runs of cronjob/backup use the new job template; running jobs are not affected'),
      ], [
        { path: 'spec.jobTemplate.spec.template.spec.containers[backup].image', op: 'replace', before: 'example/backup:1', after: 'example/backup:2' },
        { path: 'spec.schedule', op: 'replace', before: '0 3 * * *', after: '30 2 * * *' },
        { path: 'spec.suspend', op: 'replace', before: false, after: true },
      ]),
    ],
  },
];

describe('diff plan over fixture revisions', () => {
  it.each(CASES)('$name: $title', ({ name, summary, changes }) => {
    expect(jsonPlan(name)).toEqual(envelope(name, summary, changes));
  });
});

describe('revisions that differ only in spelling diff as equal', () => {
  it.each([
    ['defaults-spelled-out', 'every Kubernetes default spelled out, keys reordered, quantities respelled, documents moved between files'],
    ['reordered-lists', 'containers, env, ports, service ports and volumes reordered'],
  ])('%s: %s', (name) => {
    // The two sides really are written differently: as parsed, without defaults, they differ.
    expect(stableStringify(rawDocuments(name, 'to'))).not.toEqual(stableStringify(rawDocuments(name, 'from')));
    expect(jsonPlan(name)).toEqual(envelope(name, { added: 0, changed: 0, removed: 0, destructive: 0 }, []));
  });
});
