import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * The events of a pod whose containers berth refused as CreateContainerConfigError (issue 11
 * red-team, finding 7): it started nothing, so its events say `Failed` and why, never `Started`.
 */
let t: E2eApp;
let image: string;

beforeAll(async () => {
  t = await createE2eApp('podevents');
  image = await ensureBusyboxImage(t.docker);
});
afterAll(async () => {
  await t.cleanup();
});

const pod = (name: string, spec: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
${spec}`;
const container = (name: string, sc = '') => `  - name: ${name}
    image: IMAGE
    command: [sleep, "3600"]
${sc}`;
const NON_ROOT = '    securityContext: {runAsNonRoot: true}\n';

/** The reasons of the Events section of `describe pod`. */
async function eventReasons(name: string): Promise<string[]> {
  const r = await t.berth('describe', 'pod', name);
  expect(r.code, r.stderr).toBe(0);
  const events = r.stdout.slice(r.stdout.indexOf('\nEvents:'));
  return [...events.matchAll(/^\s+(?:Normal|Warning)\s+(\S+)/gm)].map((m) => m[1]!);
}

describe('a pod whose containers were all refused', () => {
  it('has Failed events and no Started; a pod with one container started and the healthy pod have Started', async () => {
    await t.write(Object.fromEntries(Object.entries({
      'refused.yaml': pod('refused', `  containers:\n${container('a', NON_ROOT)}${container('b', NON_ROOT)}`),
      'init.yaml': pod('initrefused', `  initContainers:\n${container('i', NON_ROOT).replace('sleep, "3600"', '"true"')}  containers:\n${container('a')}`),
      'half.yaml': pod('half', `  containers:\n${container('a', NON_ROOT)}${container('b')}`),
      'fine.yaml': pod('fine', `  containers:\n${container('a')}`),
    }).map(([k, v]) => [k, v.replaceAll('IMAGE', image)])));
    const r = await t.berth('apply', '-f', t.dir);
    expect(r.code, r.stderr).toBe(0);

    const refused = await eventReasons('refused');
    expect(refused).toContain('Failed');
    expect(refused).not.toContain('Started');
    const init = await eventReasons('initrefused');
    expect(init).toContain('Failed');
    expect(init).not.toContain('Started');
    expect(await eventReasons('half')).toEqual(expect.arrayContaining(['Failed', 'Started']));
    expect(await eventReasons('fine')).toContain('Started');
  });
});
