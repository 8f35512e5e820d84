import { describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../../src/plan/desired.js';
import { statefulSetPodSpec } from '../../../src/runtime/views/statefulsets.js';
import { res, TEST_HASH_KEY } from '../../support/builders.js';

describe('a StatefulSet pod as the API shows it', () => {
  const sts = res({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db-svc',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'tmp', emptyDir: {} }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  const w = buildDesiredState([sts], { hashKey: TEST_HASH_KEY }).workloads[0];

  it.each([
    ['a pod of the set: hostname, subdomain, its claim in place of the template volume', w, { hostname: 'db-2', subdomain: 'db-svc', volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'data', persistentVolumeClaim: { claimName: 'data-db-2' } }] }],
    ['a pod of anything else: as it is', undefined, {}],
  ])('%s', (_name, workload, want) => {
    const spec = { volumes: [{ name: 'data', emptyDir: {} }, { name: 'tmp', emptyDir: {} }] };
    expect(statefulSetPodSpec(workload, 'db-2', spec)).toEqual({ ...spec, ...want });
  });
});
