import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMMEDIATE_DELETION_WARNING } from '../../src/cli/delete-grace.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { Harness } from './cli-support.js';
import { docker, harness, owned } from './cli-support.js';

/**
 * `berth delete --force` and `--now` against the real engine, as kubectl's: the pods ignore
 * SIGTERM with a 30 s grace period, so only the override explains a quick end.
 */
let h: Harness;

const pod = (name: string, image: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 30
  containers:
    # sleep ignores SIGTERM as PID 1: only the grace period ends it.
    - {name: main, image: ${image}, command: ["sleep", "100000"]}
`;

beforeAll(async () => {
  const image = await ensureBusyboxImage(docker);
  h = await harness('e2e-delforce');
  await h.write('pods.yaml', [pod('forced', image), pod('prompt', image)].join('---\n'));
  const r = await h.berth(['apply', '-f', `${h.dir}/pods.yaml`, '--wait', '--timeout', '120s']);
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  await h?.cleanup();
});

describe('delete --force / --now', () => {
  it("--force: no grace period, kubectl's warning on stderr, the pod's containers gone", async () => {
    const started = Date.now();
    const r = await h.berth(['delete', 'pod', 'forced', '--force']);
    expect(r).toEqual({ code: 0, stdout: 'pod "forced" deleted\n', stderr: `${IMMEDIATE_DELETION_WARNING}\n` });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await owned(h.app)).containers.filter((c) => c.includes('forced'))).toEqual([]);
  });

  it('--now=true (kubectl writes switches with =): a 1 s grace period, no warning', async () => {
    const started = Date.now();
    const r = await h.berth(['delete', 'pod', 'prompt', '--now=true']);
    expect(r).toEqual({ code: 0, stdout: 'pod "prompt" deleted\n', stderr: '' });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await owned(h.app)).containers.filter((c) => c.includes('prompt'))).toEqual([]);
  });
});
