import { describe, expect, it } from 'vitest';
import { accessModes, formatColumns, labelSelectorText, restartsText, servicePorts, tableRows } from '../../src/cli/output/table.js';
import type { Kind } from '../../src/model/types.js';
import type { VolumeBindingRecord } from '../../src/model/storage.js';
import { buildViews } from '../../src/runtime/views/index.js';
import { CFG, CREDS, entry, liveState, NOW, podOf, WEB } from '../runtime/views-support.js';

/** `berth get` tables, compared line for line with what kubectl prints for the same objects. */
const SVC = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http', nodePort: 30080 }] } };
const PVC = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
const JOB = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'img:1' }] } } } };
const CRON = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'n', image: 'img:2' }] } } } } } };
const PV = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'disk1' }, spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce', 'ReadWriteMany'], storageClassName: 'manual', persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: '/srv/disk1' } } };
const SC = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'manual' }, provisioner: 'kubernetes.io/no-provisioner', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' };
const INVENTORY = [entry(WEB), entry(CREDS), entry(CFG), entry(SVC), entry(PVC), entry(JOB), entry(CRON), entry(PV), entry(SC)];
const BINDINGS: VolumeBindingRecord[] = [
  { volume: 'pvc-1234', claim: 'default/data', phase: 'Bound', boundAt: NOW - 3600_000, provisioned: { storageClassName: 'local', capacity: '1Gi', accessModes: ['ReadWriteOnce'], reclaimPolicy: 'Delete', handle: 'data' } },
];
const KEY = 'Deployment/default/web';
const pods = [
  podOf(INVENTORY, KEY, { name: 'web-abc-11111' }),
  podOf(INVENTORY, KEY, { name: 'web-abc-22222', restartCount: 2, finishedAt: NOW - 45_000, ip: '172.20.0.6' }),
  podOf(INVENTORY, 'Job/default/migrate', { name: 'migrate-xyz12', state: 'exited', exitCode: 0, createdAt: NOW - 300_000, finishedAt: NOW - 228_000 }),
];
const volumes = [{ name: 'berth_t_default_pvc_data', namespace: 'default', role: 'pvc' as const, owner: 'data', labels: {} }];
const state = liveState({ inventory: INVENTORY, pods, volumes, volumeBindings: BINDINGS, cronStates: [['CronJob/default/nightly', { lastScheduleTime: NOW - 9 * 3600_000, active: [], updatedAt: NOW }]] });

function table(kind: Kind, options: { wide?: boolean; allNamespaces?: boolean; withKind?: boolean } = {}): string {
  return formatColumns(tableRows(kind, buildViews(state, [kind]), { now: NOW, ...options }));
}

const HASH = pods[0]!.specHash;

describe('get tables', () => {
  it.each<[string, Kind, Parameters<typeof table>[1], string[]]>([
    ['pods', 'Pod', {}, ['NAME            READY   STATUS      RESTARTS      AGE', 'migrate-xyz12   0/1     Completed   0             5m', 'web-abc-11111   1/1     Running     0             60m', 'web-abc-22222   1/1     Running     2 (45s ago)   60m']],
    [
      'pods -o wide -A',
      'Pod',
      { wide: true, allNamespaces: true },
      [
        'NAMESPACE   NAME            READY   STATUS      RESTARTS      AGE   IP           NODE         NOMINATED NODE   READINESS GATES',
        'default     migrate-xyz12   0/1     Completed   0             5m    172.20.0.5   dockerhost   <none>           <none>',
        'default     web-abc-11111   1/1     Running     0             60m   172.20.0.5   dockerhost   <none>           <none>',
        'default     web-abc-22222   1/1     Running     2 (45s ago)   60m   172.20.0.6   dockerhost   <none>           <none>',
      ],
    ],
    ['deployments', 'Deployment', {}, ['NAME   READY   UP-TO-DATE   AVAILABLE   AGE', 'web    2/2     2            2           120m']],
    ['deployments -o wide', 'Deployment', { wide: true }, ['NAME   READY   UP-TO-DATE   AVAILABLE   AGE    CONTAINERS   IMAGES         SELECTOR', 'web    2/2     2            2           120m   web          shop/web:1.0   app=web']],
    ['replicasets (get all naming)', 'ReplicaSet', { withKind: true }, [`${'NAME'.padEnd(`replicaset.apps/web-${HASH}`.length + 3)}DESIRED   CURRENT   READY   AGE`, `replicaset.apps/web-${HASH}   2         2         2       120m`]],
    ['services', 'Service', {}, ['NAME   TYPE       CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE', 'web    NodePort   <none>       <none>        80:30080/TCP   120m']],
    ['services -o wide', 'Service', { wide: true }, ['NAME   TYPE       CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE    SELECTOR', 'web    NodePort   <none>       <none>        80:30080/TCP   120m   app=web']],
    ['configmaps', 'ConfigMap', {}, ['NAME   DATA   AGE', 'cfg    2      120m']],
    ['secrets', 'Secret', {}, ['NAME    TYPE     DATA   AGE', 'creds   Opaque   1      120m']],
    ['pvc', 'PersistentVolumeClaim', {}, ['NAME   STATUS   VOLUME     CAPACITY   ACCESS MODES   STORAGECLASS   AGE', 'data   Bound    pvc-1234   1Gi        RWO            local          120m']],
    [
      'pv (a static volume of the revision, one berth provisioned)',
      'PersistentVolume',
      { allNamespaces: true },
      [
        'NAME       CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM          STORAGECLASS   AGE',
        'disk1      5Gi        RWO,RWX        Retain           Available                  manual         120m',
        'pvc-1234   1Gi        RWO            Delete           Bound       default/data   local          60m',
      ],
    ],
    [
      'sc (the host\'s local class is the default)',
      'StorageClass',
      {},
      [
        'NAME              PROVISIONER                    RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE',
        'local (default)   berth.dev/local                Delete          Immediate              false                  120m',
        'manual            kubernetes.io/no-provisioner   Retain          WaitForFirstConsumer   false                  120m',
      ],
    ],
    ['namespaces (-A adds no NAMESPACE column to cluster-scoped kinds)', 'Namespace', { allNamespaces: true }, ['NAME      STATUS   AGE', 'default   Active   5d']],
    ['jobs', 'Job', {}, ['NAME      COMPLETIONS   DURATION   AGE', 'migrate   1/1           72s        120m']],
    ['cronjobs', 'CronJob', {}, ['NAME      SCHEDULE    SUSPEND   ACTIVE   LAST SCHEDULE   AGE', 'nightly   0 3 * * *   False     0        9h              120m']],
    ['cronjobs -o wide', 'CronJob', { wide: true }, ['NAME      SCHEDULE    SUSPEND   ACTIVE   LAST SCHEDULE   AGE    CONTAINERS   IMAGES   SELECTOR', 'nightly   0 3 * * *   False     0        9h              120m   n            img:2    <none>']],
  ])('%s', (_title, kind, options, lines) => {
    expect(table(kind, options)).toBe(`${lines.join('\n')}\n`);
  });
});

describe('cell helpers', () => {
  it.each([
    [{ matchLabels: { app: 'web', tier: 'front' } }, 'app=web,tier=front'],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In' as const, values: ['a', 'b'] }, { key: 'legacy', operator: 'DoesNotExist' as const }] }, 'app=web,env in (a,b),!legacy'],
    [{ app: 'legacy' }, 'app=legacy'],
    [{}, '<none>'],
    [undefined, '<none>'],
  ])('selector %j → %s', (sel, text) => {
    expect(labelSelectorText(sel)).toBe(text);
  });

  it.each([
    [['ReadWriteOnce', 'ReadOnlyMany'], 'RWO,ROX'],
    [['ReadWriteMany', 'ReadWriteOncePod'], 'RWX,RWOP'],
    [undefined, ''],
  ])('access modes %j → %s', (modes, text) => {
    expect(accessModes(modes)).toBe(text);
  });

  it.each([
    [[{ port: 80, protocol: 'TCP', targetPort: 8080 }], '80/TCP'],
    [[{ port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }, { port: 53, protocol: 'UDP', targetPort: 53 }], '80:30080/TCP,53/UDP'],
    [[], '<none>'],
  ])('ports %j → %s', (ports, text) => {
    expect(servicePorts(ports)).toBe(text);
  });

  it.each([
    [{ count: 0 }, '0'],
    [{ count: 3 }, '3'],
    [{ count: 3, lastAt: NOW - 125_000 }, '3 (2m5s ago)'],
  ])('restarts %j → %s', (r, text) => {
    expect(restartsText(r, NOW)).toBe(text);
  });

  it('formatColumns pads with three spaces and leaves no trailing blanks', () => {
    expect(formatColumns([['A', 'BB', ''], ['ccc', 'd', 'e']])).toBe('A     BB\nccc   d    e\n');
  });
});
