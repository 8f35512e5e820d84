import { describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../src/plan/desired.js';
import { expandSubPathExpr } from '../../src/plan/pod-plan.js';
import { res, TEST_HASH_KEY } from '../support/builders.js';

/**
 * Issue 11 review, finding 5: subPathExpr was "ignored" with a warning, which mounted the whole
 * volume where a per-pod sub-directory was asked for (SPEC §8: a restricting field berth cannot
 * honour is an error). It is implemented as the kubelet does it: expanded from the container's
 * environment when the container is created, then resolved inside the volume like a subPath.
 */
describe('expandSubPathExpr', () => {
  const env = new Map([
    ['POD_NAME', 'web-abc12'],
    ['NS', 'default'],
    ['EMPTY', ''],
    ['UP', '../../etc'],
    ['ABS', '/etc'],
  ]);
  it.each<{ expr: string; want: ReturnType<typeof expandSubPathExpr> }>([
    { expr: '$(POD_NAME)', want: { subPath: 'web-abc12' } },
    { expr: 'logs/$(NS)/$(POD_NAME)/out', want: { subPath: 'logs/default/web-abc12/out' } },
    { expr: 'cost$$$(NS)', want: { subPath: 'cost$default' } },
    { expr: 'plain', want: { subPath: 'plain' } },
    { expr: '$(MISSING)/$(EMPTY)', want: { error: "has no value for $(EMPTY), $(MISSING): not in the container's env, or empty" } },
    { expr: '$(UP)', want: { error: `expands to "../../etc", which contains '..'; it must stay inside the volume` } },
    { expr: 'a/$(UP)', want: { error: `expands to "a/../../etc", which contains '..'; it must stay inside the volume` } },
    { expr: '$(ABS)', want: { error: 'expands to "/etc", an absolute path; it must be relative to the volume' } },
  ])('$expr', ({ expr, want }) => {
    expect(expandSubPathExpr(expr, env)).toEqual(want);
  });
});

describe('the pod plan keeps subPathExpr for the container to expand', () => {
  it('is carried on the mount, next to the env that expands it', () => {
    const pod = res({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: {
        containers: [{ name: 'app', image: 'busybox', env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], volumeMounts: [{ name: 'logs', mountPath: '/logs', subPathExpr: '$(POD_NAME)' }] }],
        volumes: [{ name: 'logs', emptyDir: {} }],
      },
    });
    const plan = buildDesiredState([pod], { hashKey: TEST_HASH_KEY }).workloads[0]!.template.build('web');
    const c = plan.containers[0]!;
    expect(c.mounts).toEqual([{ volume: 'logs', mountPath: '/logs', readOnly: false, subPathExpr: '$(POD_NAME)' }]);
    expect(c.env).toEqual([{ name: 'POD_NAME', value: 'web' }]);
  });
});
