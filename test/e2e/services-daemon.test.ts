import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonProcess } from './support/daemon.js';
import { eventually, killDaemons, startDaemon } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, execIn, podNames } from './support/harness.js';
import type { SvcJson } from './support/services.js';
import { hostAddress, stopDataplane } from './support/services.js';

/**
 * Under the daemon, endpoints follow readiness all the time, not only while an apply runs: a
 * pod whose readiness probe starts failing leaves the Service, and comes back when it passes.
 * Readiness is toggled by hand inside the pod (an exec probe on a file).
 */
const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: berth-examples/busybox:1.36
        command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && touch /tmp/ready && exec httpd -f -p 8080 -h /www']
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          exec: {command: [test, -f, /tmp/ready]}
          periodSeconds: 1
          failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

/** Which pods answer 30 new connections to the NodePort (busybox httpd serves the pod's hostname). */
async function answering(url: string): Promise<string[]> {
  const pods = new Set<string>();
  for (let i = 0; i < 30; i++) {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000), headers: { connection: 'close' } });
    pods.add((await res.text()).trim());
  }
  return [...pods].sort();
}

describe('services under the daemon (real Docker)', () => {
  let t: E2eApp;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    t = await createE2eApp('svc-daemon');
    await t.write({ 'app.yaml': manifests });
  });
  afterEach(async () => {
    await killDaemons();
  });
  afterAll(async () => {
    await stopDataplane(t);
    await t.cleanup();
  });

  it('a pod that fails readiness leaves the NodePort rotation and returns when ready', async () => {
    daemon = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir]);
    const pods = await eventually('two web pods', async () => {
      const names = podNames(await t.containers(), 'Deployment/default/web');
      return names.length === 2 ? names : undefined;
    });
    const svc = await eventually('the NodePort', async () => (JSON.parse((await t.berth('get', 'svc', 'web', '-o', 'json')).stdout) as SvcJson).spec.ports[0]?.nodePort);
    const url = `http://${hostAddress()}:${svc}/`;
    await eventually('both pods to serve', async () => (await answering(url)).length === 2);

    const victim = (await t.containers()).find((c) => c.Labels['berth.name'] === pods[0] && c.Labels['berth.role'] === 'container')!;
    expect((await execIn(t.docker, victim.Id, ['rm', '/tmp/ready'])).code).toBe(0);
    const without = await eventually('the unready pod to leave', async () => {
      const seen = await answering(url);
      return seen.length === 1 ? seen : undefined;
    }, 20_000);
    expect(without).toEqual([pods[1]]);

    expect((await execIn(t.docker, victim.Id, ['touch', '/tmp/ready'])).code).toBe(0);
    const back = await eventually('the pod to come back', async () => {
      const seen = await answering(url);
      return seen.length === 2 ? seen : undefined;
    }, 20_000);
    expect(back).toEqual(pods);
    expect(daemon.alive()).toBe(true);
  });
});
