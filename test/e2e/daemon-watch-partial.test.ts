import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPath } from '../../src/sources/folder.js';
import { eventually, killDaemons, sleep, startDaemon, status, type DaemonProcess } from './support/daemon.js';
import { createE2eApp, type E2eApp } from './support/harness.js';
import { stopDataplane } from './support/services.js';

/**
 * SPEC §1, "files half-written are never applied", against a real daemon, real clock and real
 * Docker: a file rewritten in two writes 0.6 s apart (longer than the 200 ms debounce) gives
 * the watcher a valid revision without the Deployment. The daemon always prunes, so before the
 * prune confirm window that first half deleted the Deployment's pods and the second recreated
 * them. Now the half that would prune waits until the folder has been quiet for 2 s, and the
 * completed file supersedes it; a deliberate deletion still prunes, after the window.
 */
const head = `apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {index.html: hello}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret}
stringData: {token: s3cret}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
`;
const deployment = `apiVersion: apps/v1
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
        command: [sh, -c, 'exec httpd -f -p 8080 -h /www']
        ports: [{name: http, containerPort: 8080}]
        env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: web-secret, key: token}}}]
        volumeMounts: [{name: www, mountPath: /www}]
      volumes: [{name: www, configMap: {name: web-config}}]
`;
const WAITING = 'revision would prune objects; waiting for the folder to stay quiet';

let t: E2eApp;
afterAll(async () => {
  await killDaemons();
  if (t) {
    await stopDataplane(t);
    await t.cleanup();
  }
});

/** Container ids (sandboxes and app containers) of the Deployment's pods. */
async function deploymentContainers(): Promise<string[]> {
  const all = await t.containers();
  return all.filter((c) => c.Labels['berth.controller'] === 'Deployment/default/web').map((c) => c.Id).sort();
}

async function synced(d: DaemonProcess, revision: string, timeoutMs = 90_000) {
  return eventually(`revision ${revision.slice(0, 8)} applied and synced`, async () => {
    const s = await status(d);
    return s.sync.appliedRevision === revision && s.sync.state === 'Synced' && !s.loop.running && s.loop.pending.length === 0 ? s : undefined;
  }, timeoutMs, 100);
}

describe('daemon --watch and a file written in two halves', () => {
  it('never applies the first half (no pod deleted), yet prunes a real deletion after the quiet window', async () => {
    t = await createE2eApp('watch-partial');
    const file = join(t.dir, 'web', 'all.yaml');
    await t.write({ 'web/all.yaml': head + deployment });
    const whole = (await readPath(t.dir)).id;
    const d = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--resync', '1h']);
    await synced(d, whole);
    const before = await deploymentContainers();
    expect(before).toHaveLength(4); // 2 pods: sandbox + app container each

    // The rewrite in two writes, 0.6 s apart: everything up to the last `---`, then the Deployment.
    await writeFile(file, head);
    const half = (await readPath(t.dir)).id;
    await sleep(600);
    await appendFile(file, deployment);
    await eventually('the daemon to see the first half', () => d.logs.some((l) => l.msg === 'new revision' && l.revision === half), 10_000, 50);
    await eventually('the completed file read again', async () => (await status(d)).source.revision === whole, 10_000, 50);
    // Past the confirm window from the first write: nothing may have been pruned meanwhile.
    await sleep(3_000);
    const after = await synced(d, whole, 10_000);
    expect(after.sync.appliedRevision).toBe(whole);
    expect(await deploymentContainers()).toEqual(before);
    expect(d.logs.filter((l) => l.msg === WAITING).map((l) => l.pruned)).toEqual([1]);
    expect(d.logs.some((l) => l.msg === 'reconcile pass done' && l.revision === half)).toBe(false);

    // A deliberate deletion of the Deployment: pruned, once the folder has stayed quiet for 2 s.
    const deletedAt = Date.now();
    await writeFile(file, head);
    const without = (await readPath(t.dir)).id;
    await sleep(1_000);
    expect(await deploymentContainers()).toEqual(before);
    await synced(d, without, 30_000);
    await eventually('the Deployment pods gone', async () => (await deploymentContainers()).length === 0, 30_000, 100);
    const firstDelete = d.logs.find((l) => l.msg === 'first docker change of the pass' && l.revision === without);
    expect(firstDelete).toBeDefined();
    expect(Date.parse(String(firstDelete!.time)) - deletedAt).toBeGreaterThanOrEqual(2_000);
    expect(d.logs.filter((l) => l.msg === WAITING)).toHaveLength(2);
    d.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
  });
});
