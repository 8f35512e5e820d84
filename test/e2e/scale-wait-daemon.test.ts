import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPath } from '../../src/sources/folder.js';
import { converged, killDaemons, startDaemon, type DaemonProcess } from './support/daemon.js';
import { createE2eApp, type E2eApp } from './support/harness.js';
import { isPodOwner } from '../../src/apply/labels.js';

/**
 * `scale --wait` when a daemon manages the app: the daemon takes the change and converges it;
 * the command then follows what runs until the workload is ready (cli/commands/rollout-watch.ts),
 * so a script can read the new count right after it. `--wait` used to be ignored there: the
 * command returned once the daemon took the intent, before the new pods were ready. A
 * ReplicaSet takes the generic wait (the plan has nothing left to do or wait for on it); a
 * Deployment's, rollout status's, is covered by agreement.test.ts.
 */
const rs = (replicas: number) => `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: cache}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: berth-examples/web:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

interface ReplicaSetJson {
  spec: { replicas: number };
  status: { replicas: number; readyReplicas?: number };
}

describe('scale --wait under a daemon (real Docker)', () => {
  let t: E2eApp;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    t = await createE2eApp('scale-wait-daemon');
    await t.write({ 'cache.yaml': rs(1) });
    daemon = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--resync', '1h']);
    await converged(daemon, (await readPath(t.dir)).id);
  });
  afterAll(async () => {
    await killDaemons();
    await t?.cleanup();
  });

  it('returns once the daemon converged the new count and its pods are ready', async () => {
    const scale = await t.berth('scale', 'rs/cache', '--replicas', '2', '--wait', '--timeout', '90s');
    expect(scale.code, scale.stderr).toBe(0);
    expect(scale.stderr).toMatch(/the berth daemon \(pid \d+\) manages this app/);
    expect(scale.stdout).toContain('replicaset.apps/cache is ready');
    // Read right after the command: what --wait promised holds without polling.
    const got = JSON.parse((await t.berth('get', 'rs', 'cache', '-o', 'json')).stdout) as ReplicaSetJson;
    expect([got.spec.replicas, got.status.replicas, got.status.readyReplicas]).toEqual([2, 2, 2]);
    const sandboxes = (await t.containers()).filter((c) => c.Labels['berth.controller'] === 'ReplicaSet/default/cache' && isPodOwner(c.Labels) && c.State === 'running');
    expect(sandboxes).toHaveLength(2);
  });
});
