import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { eventually, killDaemons, startDaemon } from './support/daemon.js';
import { createE2eApp, podNames, type E2eApp } from './support/harness.js';

/**
 * A DaemonSet under the daemon: the node labels come from the daemon's settings
 * (`--node-label`), and a daemon pod removed behind berth's back comes back by itself.
 */
let t: E2eApp;

const daemonSet = (image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 1
      nodeSelector: {role: edge, kubernetes.io/os: linux}
      containers:
        - name: agent
          image: ${image}
          command: ["sh", "-c", "exec sleep 100000"]
`;

const OWNER = 'DaemonSet/default/agent';

beforeAll(async () => {
  t = await createE2eApp('ds-daemon');
  const image = await ensureBusyboxImage(t.docker);
  await t.write({ 'ds.yaml': daemonSet(image) });
  await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--resync', '2s', '--node-label', 'role=edge']);
});

afterAll(async () => {
  await killDaemons();
  await t?.cleanup();
});

describe('DaemonSet under the daemon', () => {
  it('runs the one pod on a host labelled by --node-label, and brings it back when its containers are removed', async () => {
    const first = await eventually('the daemon pod runs', async () => {
      const pods = podNames(await t.containers(), OWNER);
      const running = (await t.containers()).some((c) => c.Labels['berth.controller'] === OWNER && c.Labels['berth.role'] === 'container' && c.State === 'running');
      return pods.length === 1 && running ? pods[0] : undefined;
    });
    expect(first).toMatch(/^agent-[a-z0-9]{5}$/);

    // Behind berth's back: every container of the pod goes.
    const mine = (await t.containers()).filter((c) => c.Labels['berth.controller'] === OWNER);
    await Promise.all(mine.map((c) => t.docker.getContainer(c.Id).remove({ force: true })));

    const second = await eventually('a new daemon pod runs', async () => {
      const pods = podNames(await t.containers(), OWNER);
      const running = (await t.containers()).some((c) => c.Labels['berth.controller'] === OWNER && c.Labels['berth.role'] === 'container' && c.State === 'running');
      return pods.length === 1 && pods[0] !== first && running ? pods[0] : undefined;
    });
    expect(second).toMatch(/^agent-[a-z0-9]{5}$/);
    expect(podNames(await t.containers(), OWNER)).toEqual([second]);
  });
});
