import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { E2eApp } from './support/harness.js';
import { eventually } from './support/daemon.js';
import { createE2eApp, execIn } from './support/harness.js';
import { runCli } from '../support/cli.js';

/**
 * Issue 14 on the real engine: a revision berth used to refuse whole (Helm's empty values, a
 * volume with no source, a named targetPort no pod defines, an image placeholder) is applied as
 * Kubernetes applies it. The pods that can run, run (their sourceless volumes are emptyDirs);
 * the one whose image is a placeholder does not start, and that stops nothing else.
 */

const web = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
  annotations:
spec:
  replicas: 1
  strategy:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
    spec:
      terminationGracePeriodSeconds: 0
      securityContext:
      imagePullSecrets:
      nodeSelector:
      initContainers:
      containers:
        - name: web
          image: ${image}
          command: [sh, -c, 'echo from-web > /scratch/f; echo cached > /cache/f; exec sleep 100000']
          args:
          env:
          ports:
          resources:
          securityContext:
          livenessProbe:
          volumeMounts:
            - {name: scratch, mountPath: /scratch}
            - {name: cache, mountPath: /cache}
      volumes:
        - name: scratch
        - name: cache
          emptyDir:
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
spec:
  selector: {app: web}
  ports: [{name: metrics, port: 9090, targetPort: metrics}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: placeholder}
spec:
  replicas: 1
  selector: {matchLabels: {app: placeholder}}
  template:
    metadata: {labels: {app: placeholder}}
    spec:
      containers:
        - name: app
          image: IMAGE_PLACEHOLDER
`;

describe('what Kubernetes accepts runs (real Docker)', () => {
  let t: E2eApp;
  let image: string;

  beforeAll(async () => {
    t = await createE2eApp('accept');
    image = await ensureBusyboxImage(t.docker);
    await t.write({ 'app.yaml': web(image) });
  });

  afterAll(async () => {
    await t.cleanup();
  });

  const appContainers = async (controller: string): Promise<Dockerode.ContainerInfo[]> =>
    (await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.Labels['berth.controller'] === controller);

  it('validate: warnings only, no error', async () => {
    const r = await runCli(['validate', t.dir, '-o', 'json']);
    const out = JSON.parse(r.stdout) as { valid: boolean; problems: Array<{ code: string; severity: string }> };
    expect(out.problems.map((p) => [p.code, p.severity]).sort()).toEqual([
      ['unknown-target-port', 'warning'],
      ['unresolvable-image', 'warning'],
    ]);
    expect(out.valid).toBe(true);
    expect(r.code).toBe(0);
  });

  it('apply runs the pods that can run, with sourceless volumes as emptyDirs; the placeholder alone fails, as an image that cannot be had', async () => {
    const r = await t.berth('apply', '-f', t.dir);
    // Everything is applied; the one pod that cannot start stands with the reason, as the
    // kubelet's does for a name it cannot parse (InvalidImageName, never pulled again).
    expect(r.stdout).toContain('deployment.apps/web created');
    expect(r.stdout).toContain('service/web created');
    expect(r.stdout).toContain('deployment.apps/placeholder created');
    expect(r.code).toBe(0);
    const pods = (await t.berth('get', 'pods', '-l', 'app=placeholder')).stdout;
    expect(pods).toMatch(/^placeholder-\S+\s+0\/1\s+InvalidImageName\s/m);
    const events = (await t.berth('get', 'events')).stdout;
    expect(events).toMatch(/Warning\s+InspectFailed\s+pod\/placeholder-\S+\s+Failed to apply default image tag "IMAGE_PLACEHOLDER": couldn't parse image reference "IMAGE_PLACEHOLDER": invalid reference format/);
    expect(events).toMatch(/Warning\s+Failed\s+pod\/placeholder-\S+\s+Error: InvalidImageName/);
    expect(events).not.toMatch(/pod\/placeholder-\S+\s+Failed to pull image/);
    const waiting = async (): Promise<{ waiting?: { reason: string; message?: string } }> => {
      const list = JSON.parse((await t.berth('get', 'pods', '-l', 'app=placeholder', '-o', 'json')).stdout) as { items: Array<{ status: { containerStatuses: Array<{ state: { waiting?: { reason: string; message?: string } } }> } }> };
      return list.items[0]!.status.containerStatuses[0]!.state;
    };
    expect((await waiting()).waiting?.reason).toBe('InvalidImageName');
    expect((await waiting()).waiting?.message).toMatch(/^Failed to apply default image tag "IMAGE_PLACEHOLDER": couldn't parse image reference "IMAGE_PLACEHOLDER": invalid reference format/);
    const [standIn] = await appContainers('Deployment/default/placeholder');
    const [c] = await appContainers('Deployment/default/web');
    expect(c?.State).toBe('running');
    // Both volumes are emptyDirs the container writes to (the one without a source too).
    const seen = await eventually('the web container to write its volumes', async () => {
      const out = (await execIn(t.docker, c!.Id, ['sh', '-c', 'echo $(cat /scratch/f /cache/f 2>/dev/null)'])).output.trim();
      return out === 'from-web cached' ? out : undefined;
    });
    expect(seen).toBe('from-web cached');
    // Its container is a stand-in that never runs.
    expect((await appContainers('Deployment/default/placeholder')).filter((x) => x.State === 'running')).toEqual([]);
    // Never pulled again: another pass keeps the same stand-in and the same word, no back-off.
    expect((await t.berth('apply', '-f', t.dir)).code).toBe(0);
    expect((await appContainers('Deployment/default/placeholder')).map((x) => x.Id)).toEqual([standIn!.Id]);
    expect((await waiting()).waiting?.reason).toBe('InvalidImageName');
    expect((await t.berth('describe', 'pods', '-l', 'app=placeholder')).stdout).toMatch(/Reason:\s+InvalidImageName/);
    // The Service exists although no pod names its targetPort: it has no endpoint for it.
    const svc = JSON.parse((await t.berth('get', 'svc', 'web', '-o', 'json')).stdout) as { metadata: { name: string }; spec: { ports: Array<{ targetPort: unknown }> } };
    expect([svc.metadata.name, svc.spec.ports[0]?.targetPort]).toEqual(['web', 'metrics']);
  });
});
