import { describe, expect, it } from 'vitest';
import { envLines, podFieldValues } from '../../src/cli/output/describe-containers.js';
import type { Container, EnvVar } from '../../src/model/types.js';
import type { PodItem } from '../../src/runtime/views/index.js';

/** `describe pod` shows downward values resolved next to their source, as kubectl does. */
const POD: PodItem = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'info', namespace: 'shop', uid: '0123abcd-0000-0000-0000-000000000000', creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'web' }, annotations: { owner: 'team-a' } },
  spec: { containers: [], nodeName: 'host-1' },
  status: { phase: 'Running', conditions: [], hostIP: '172.20.0.1', hostIPs: [{ ip: '172.20.0.1' }], podIP: '172.20.0.5', podIPs: [{ ip: '172.20.0.5' }], containerStatuses: [] },
};

const container = (env: EnvVar[], limits?: Record<string, string>): Container => ({ name: 'app', image: 'busybox', imagePullPolicy: 'IfNotPresent', env, ...(limits ? { resources: { limits } } : {}) });

describe('describe: downward env', () => {
  it.each([
    ['metadata.uid', { fieldRef: { fieldPath: 'metadata.uid' } }, undefined, 'V:  0123abcd-0000-0000-0000-000000000000 (v1:metadata.uid)'],
    ['a label', { fieldRef: { fieldPath: "metadata.labels['app']" } }, undefined, "V:  web (v1:metadata.labels['app'])"],
    ['an annotation not set', { fieldRef: { fieldPath: "metadata.annotations['nope']" } }, undefined, "V:   (v1:metadata.annotations['nope'])"],
    ['spec.nodeName', { fieldRef: { fieldPath: 'spec.nodeName' } }, undefined, 'V:  host-1 (v1:spec.nodeName)'],
    ['spec.serviceAccountName', { fieldRef: { fieldPath: 'spec.serviceAccountName' } }, undefined, 'V:  default (v1:spec.serviceAccountName)'],
    ['status.hostIP', { fieldRef: { fieldPath: 'status.hostIP' } }, undefined, 'V:  172.20.0.1 (v1:status.hostIP)'],
    ['status.podIPs', { fieldRef: { fieldPath: 'status.podIPs' } }, undefined, 'V:  172.20.0.5 (v1:status.podIPs)'],
    ['a limit, rounded up', { resourceFieldRef: { resource: 'limits.cpu' } }, { cpu: '250m' }, 'V:  1 (limits.cpu)'],
    ['a limit with divisor', { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } }, { memory: '64Mi' }, 'V:  64 (limits.memory)'],
    ['no limit: the node allocatable', { resourceFieldRef: { resource: 'limits.memory' } }, undefined, 'V:  node allocatable (limits.memory)'],
    ["another container's", { resourceFieldRef: { containerName: 'side', resource: 'limits.cpu' } }, undefined, 'V:  (side:limits.cpu)'],
  ])('%s', (_name, valueFrom, limits, want) => {
    expect(envLines(container([{ name: 'V', valueFrom }], limits), podFieldValues(POD))).toEqual([want]);
  });
});
