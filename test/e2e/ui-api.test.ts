import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ActionAccepted, ActionStatusResponse, ObjectResponse, TreeNode, TreeResponse } from '../../src/runtime/api/contract.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { DaemonProcess } from './support/daemon.js';
import { eventually, killDaemons, openEventStream, startDaemon } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * The web UI's API against a real daemon on the real engine (issue 19): the tree a person
 * browses, an object's rollout history, the actions (the daemon acts on them), a container's
 * log, a command over the exec WebSocket, the event stream after a new revision, and no secret
 * value anywhere, with a token on every request.
 */
const TOKEN = 'ui-e2e-token-8c41';
const SECRET_VALUE = 'ui-e2e-secret-d00d';
const SECRET_B64 = Buffer.from(SECRET_VALUE).toString('base64');
let t: E2eApp;
let d: DaemonProcess;
let image: string;

const manifests = (version: string) => ({
  // A Pod no controller owns, crash-looping: the tree once lost it (and the app's health with it).
  'notes.yaml': `apiVersion: v1
kind: Pod
metadata: {name: notes}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: notes
    image: ${image}
    command: [sh, -c, "echo notes; exit 1"]
`,
  'secret.yaml': `apiVersion: v1
kind: Secret
metadata: {name: creds}
type: Opaque
stringData: {token: ${SECRET_VALUE}}
`,
  'web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {kubernetes.io/change-cause: "version ${version}"}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${image}
        command: [sh, -c, "echo hello-from-web-$VERSION; mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
        env:
        - {name: VERSION, value: "${version}"}
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: creds, key: token}}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`,
});

beforeAll(async () => {
  t = await createE2eApp('uiapi');
  image = await ensureBusyboxImage(t.docker);
  await t.write(manifests('1'));
  const tokenFile = join(t.dir, '..', 'api-token');
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  d = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--token-file', tokenFile], { token: TOKEN });
}, 180_000);

afterAll(async () => {
  await killDaemons();
  if (t) await t.cleanup();
});

async function get<T>(path: string): Promise<T> {
  const r = await d.api(path);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
  return r.body as T;
}

async function deploymentNode(): Promise<TreeNode | undefined> {
  const tree = await get<TreeResponse>('/api/v1/tree');
  return tree.namespaces.find((n) => n.name === 'default')?.children.find((c) => c.kind === 'Deployment' && c.name === 'web');
}

/** The Deployment's pods in the tree, by ReplicaSet, once every one of them is ready. */
async function readyPods(count: number): Promise<TreeNode[] | undefined> {
  const deploy = await deploymentNode();
  const pods = deploy?.children.filter((c) => c.kind === 'ReplicaSet').flatMap((rs) => rs.children.filter((p) => p.kind === 'Pod')) ?? [];
  return pods.length === count && pods.every((p) => p.status === 'Running' && p.ready === '1/1') ? pods : undefined;
}

async function act(body: Record<string, unknown>): Promise<ActionStatusResponse> {
  const r = await d.api('/api/v1/actions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(r.status, r.text).toBe(202);
  const { intent } = r.body as ActionAccepted;
  return eventually(`action ${intent} done`, async () => {
    const s = await get<ActionStatusResponse>(`/api/v1/actions/${intent}`);
    return s.state !== 'pending' ? s : undefined;
  }, 60_000);
}

function envOf(o: ObjectResponse, name: string): unknown {
  const spec = o.object.spec as { template: { spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } } };
  return spec.template.spec.containers[0]!.env?.find((e) => e.name === name)?.value;
}

/** Reads the event stream as the UI does (support/daemon.ts), checking its answer. */
async function openStream(): Promise<Awaited<ReturnType<typeof openEventStream>>> {
  const stream = await openEventStream(d, TOKEN);
  expect([stream.status, stream.contentType]).toEqual([200, 'text/event-stream; charset=utf-8']);
  return stream;
}

describe('the web UI API on a real daemon', () => {
  it('refuses every UI route without the token', async () => {
    for (const path of ['/api/v1/tree', '/api/v1/passes', '/api/v1/object?kind=Secret&name=creds', '/api/v1/stream']) expect([path, (await d.anonymous(path)).status]).toEqual([path, 401]);
  });

  it('the tree shows Deployment → ReplicaSet → Pods → containers, and the Service its endpoints', async () => {
    const pods = await eventually('two ready pods in the tree', () => readyPods(2), 120_000);
    expect(pods.every((p) => p.children.length === 1 && p.children[0]!.kind === 'Container' && p.children[0]!.status === 'Running')).toBe(true);
    const deploy = (await deploymentNode())!;
    expect([deploy.status, deploy.health]).toEqual(['2/2', 'Healthy']);
    const svc = await eventually('the Service with two ready endpoints', async () => {
      const tree = await get<TreeResponse>('/api/v1/tree');
      const s = tree.namespaces.find((n) => n.name === 'default')?.children.find((c) => c.kind === 'Service' && c.name === 'web');
      return s?.endpoints?.filter((e) => e.ready).length === 2 ? s : undefined;
    });
    expect(svc.endpoints!.every((e) => /:8080$/.test(e.address))).toBe(true);
  }, 150_000);

  it('a bare Pod sits under its Namespace, and crash-looping makes the app Degraded', async () => {
    const tree = await eventually('the bare Pod crash-looping in the tree', async () => {
      const tree = await get<TreeResponse>('/api/v1/tree');
      const notes = tree.namespaces.find((n) => n.name === 'default')?.children.find((c) => c.kind === 'Pod' && c.name === 'notes');
      return notes?.health === 'Degraded' ? tree : undefined;
    }, 60_000);
    expect(tree.health).toBe('Degraded');
    expect(tree.healthCounts.Degraded).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('streams a container\'s log: the line it printed', async () => {
    const pod = (await readyPods(2))![0]!.name;
    const r = await d.api(`/api/v1/logs?namespace=default&pod=${pod}&tailLines=50`);
    expect([r.status, r.text]).toEqual([200, expect.stringContaining('hello-from-web-1')]);
  });

  it('runs `echo hi` over the exec WebSocket with a one-time ticket', async () => {
    const pod = (await readyPods(2))![0]!.name;
    const r = await d.api('/api/v1/exec/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ namespace: 'default', pod, command: ['echo', 'hi'], tty: true }) });
    expect(r.status, r.text).toBe(201);
    const { ticket } = r.body as { ticket: string };
    const ws = new WebSocket(`ws://127.0.0.1:${d.port}/api/v1/exec?ticket=${ticket}`, { headers: { origin: d.url } });
    let out = '';
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (binary) out += data.toString('utf8');
    });
    const closed = await new Promise<{ code: number; reason: string }>((resolve, reject) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      ws.on('error', reject);
    });
    expect(closed).toEqual({ code: 1000, reason: '{"exitCode":0}' });
    expect(out.trim()).toBe('hi');
    // Spent: the same ticket opens nothing.
    const again = await new Promise<number>((resolve) => {
      const w = new WebSocket(`ws://127.0.0.1:${d.port}/api/v1/exec?ticket=${ticket}`, { headers: { origin: d.url } });
      w.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
      w.on('open', () => resolve(101));
    });
    expect(again).toBe(401);
  });

  it('the event stream says `status` once a new revision is written, and the object then has two revisions', async () => {
    const stream = await openStream();
    try {
      const written = Date.now();
      await t.write(manifests('2'));
      const frame = await eventually('a status event after the new revision', () => stream.frames.find((f) => f.event === 'status' && f.receivedAt >= written), 60_000, 50);
      expect(frame.event).toBe('status');
      const object = await eventually('revision 2 current', async () => {
        const o = await get<ObjectResponse>(`/api/v1/object?kind=Deployment&namespace=default&name=web`);
        return o.rollout?.revisions.find((r) => r.current)?.revision === 2 ? o : undefined;
      }, 120_000);
      expect(object.rollout!.revisions.map((r) => [r.revision, r.changeCause])).toEqual([
        [1, 'version 1'],
        [2, 'version 2'],
      ]);
      // The rollout's containers and its pass's end follow as `resources`.
      await eventually('a resources event during the rollout', () => stream.frames.some((f) => f.event === 'resources' && f.receivedAt >= written), 60_000, 50);
      await eventually('the new pods ready', () => readyPods(2), 120_000);
    } finally {
      stream.close();
    }
  }, 200_000);

  it('undo: the daemon rolls back to the previous template', async () => {
    const result = await act({ action: 'undo', kind: 'Deployment', namespace: 'default', name: 'web' });
    expect(result, JSON.stringify(result)).toMatchObject({ state: 'done', result: { ok: true } });
    await eventually('the Deployment runs version 1 again', async () => envOf(await get<ObjectResponse>('/api/v1/object?kind=Deployment&namespace=default&name=web'), 'VERSION') === '1', 120_000);
    await eventually('pods of version 1 ready', () => readyPods(2), 120_000);
  }, 200_000);

  it('restart: every pod is replaced', async () => {
    const before = new Set((await eventually('two ready pods', () => readyPods(2), 120_000)).map((p) => p.name));
    expect(await act({ action: 'restart', kind: 'Deployment', namespace: 'default', name: 'web' })).toMatchObject({ state: 'done', result: { ok: true } });
    await eventually('two new ready pods', async () => {
      const pods = await readyPods(2);
      return pods && pods.every((p) => !before.has(p.name));
    }, 150_000);
  }, 200_000);

  it('scale: the daemon runs three pods; a refused action reads failed', async () => {
    expect(await act({ action: 'scale', kind: 'Deployment', namespace: 'default', name: 'web', replicas: 3 })).toMatchObject({ state: 'done', result: { ok: true } });
    await eventually('three ready pods', () => readyPods(3), 150_000);
    expect(await act({ action: 'pause', kind: 'Deployment', namespace: 'default', name: 'ghost' })).toMatchObject({ state: 'failed', result: { ok: false, error: { code: 'NOT_FOUND' } } });
  }, 200_000);

  it('the passes list shows what the daemon did', async () => {
    const passes = await get<Array<{ trigger: string; result: string }>>('/api/v1/passes?limit=100');
    expect(passes.length).toBeGreaterThan(2);
    expect(passes.some((p) => p.trigger === 'intent' || p.trigger === 'api')).toBe(true);
  });

  it('no secret value in the tree, any object, or the events', async () => {
    const tree = await get<TreeResponse>('/api/v1/tree');
    const pods = tree.namespaces.flatMap((n) => n.children).flatMap(function all(n: TreeNode): TreeNode[] {
      return [n, ...n.children.flatMap(all)];
    }).filter((n) => n.kind === 'Pod' && !n.ref);
    const paths = [
      '/api/v1/tree',
      '/api/v1/events?limit=10000',
      '/api/v1/object?kind=Secret&namespace=default&name=creds',
      '/api/v1/object?kind=Deployment&namespace=default&name=web',
      ...pods.map((p) => `/api/v1/object?kind=Pod&namespace=default&name=${p.name}`),
      '/api/v1/resources',
    ];
    for (const path of paths) {
      const r = await d.api(path);
      expect([path, r.status]).toEqual([path, 200]);
      expect(r.text.includes(SECRET_VALUE) || r.text.includes(SECRET_B64), `${path} holds the secret`).toBe(false);
    }
    const secret = await get<ObjectResponse>('/api/v1/object?kind=Secret&namespace=default&name=creds');
    expect(Object.keys(secret.object.data as object)).toEqual(['token']);
    expect(pods.length).toBeGreaterThan(0);
  });
});
