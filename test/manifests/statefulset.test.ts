import { describe, expect, it } from 'vitest';
import type { StatefulSet } from '../../src/model/types.js';
import { validate } from './support.js';

const STS = (apiVersion: string, extra = '', strategy = '') => `apiVersion: ${apiVersion}
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
${apiVersion === 'apps/v1beta1' ? '' : '  selector: {matchLabels: {app: db}}\n'}${strategy}  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: postgres:16
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
${extra}`;

const HEADLESS = `apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
---
`;

describe('StatefulSet manifests', () => {
  it.each<{ name: string; text: string; codes: string[]; want: Partial<StatefulSet['spec']> }>([
    {
      name: 'apps/v1 with a headless Service and claim templates validates clean, defaulted as the API server does',
      text: HEADLESS + STS('apps/v1'),
      codes: [],
      want: { podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } }, revisionHistoryLimit: 10, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } },
    },
    {
      name: 'apps/v1beta1 is converted: selector from the template, OnDelete by default',
      text: STS('apps/v1beta1'),
      codes: ['deprecated-api-version'],
      want: { selector: { matchLabels: { app: 'db' } }, updateStrategy: { type: 'OnDelete' } },
    },
    {
      name: 'apps/v1beta2 is converted with the apps/v1 defaults',
      text: STS('apps/v1beta2'),
      codes: ['deprecated-api-version'],
      want: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } } },
    },
    {
      name: 'retention policy and Parallel are read',
      text: STS('apps/v1', '  podManagementPolicy: Parallel\n  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Delete}\n'),
      codes: [],
      want: { podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } },
    },
    {
      // `kubectl get sts -o yaml` writes these into every claim template.
      name: 'an exported claim template (apiVersion, kind, creationTimestamp: null, status) validates clean; the server fields are dropped',
      text: HEADLESS + STS('apps/v1').replace(
        '  - metadata: {name: data}\n',
        '  - apiVersion: v1\n    kind: PersistentVolumeClaim\n    metadata: {name: data, creationTimestamp: null, resourceVersion: "1", uid: x}\n    status: {phase: Pending}\n',
      ),
      codes: [],
      want: { volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] as unknown as StatefulSet['spec']['volumeClaimTemplates'] },
    },
  ])('$name', ({ text, codes, want }) => {
    const { resources, problems } = validate({ 'f.yaml': text });
    expect(problems.map((p) => p.code)).toEqual(codes);
    const sts = resources.find((r) => r.object.kind === 'StatefulSet')!.object as StatefulSet;
    expect(sts.spec).toMatchObject(want);
  });

  it.each<{ name: string; text: string; codes: string[] }>([
    { name: 'rollingUpdate with OnDelete', text: STS('apps/v1', '', '  updateStrategy: {type: OnDelete, rollingUpdate: {partition: 1}}\n'), codes: ['invalid-strategy'] },
    { name: 'maxUnavailable 0', text: STS('apps/v1', '', '  updateStrategy: {rollingUpdate: {maxUnavailable: 0}}\n'), codes: ['invalid-strategy'] },
    { name: 'an unknown podManagementPolicy', text: STS('apps/v1', '  podManagementPolicy: Sometimes\n'), codes: ['invalid-value'] },
    { name: 'a serviceName that is no DNS label', text: STS('apps/v1').replace('serviceName: db', 'serviceName: Db_1'), codes: ['invalid-name'] },
    { name: 'a mount of neither a volume nor a claim template', text: STS('apps/v1').replace('{name: data, mountPath', '{name: date, mountPath'), codes: ['undefined-volume'] },
  ])('refuses $name', ({ text, codes }) => {
    expect(validate({ 'f.yaml': text }).problems.map((p) => p.code)).toEqual(codes);
  });
});
