import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { Harness } from './cli-support.js';
import { docker, harness, owned, removeApp } from './cli-support.js';
import { processAlive } from '../../src/cli/process-alive.js';
import { systemClock } from '../../src/runtime/clock.js';
import { openStore } from '../../src/runtime/store/index.js';

/**
 * `berth delete` against the real engine: by kind and name, a whole namespace, and -f;
 * graceful and immediate; NotFound; objects of other apps and unlabelled containers are never
 * touched; and after deleting everything applied, nothing labelled with the app is left.
 */
let h: Harness;
let image: string;
let otherApp: string;
let imposterId: string | undefined;

const manifests = (img: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: notes-data, namespace: shop}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 100Mi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: notes, namespace: shop}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: ${img}
      command: ["sleep", "100000"]
      volumeMounts: [{name: data, mountPath: /data}, {name: scratch, mountPath: /scratch}]
  volumes:
    - {name: data, persistentVolumeClaim: {claimName: notes-data}}
    - {name: scratch, emptyDir: {}}
---
# A NodePort Service in the namespace: a proxy, a host fast path and the namespace's DNS server.
apiVersion: v1
kind: Service
metadata: {name: notes, namespace: shop}
spec:
  type: NodePort
  selector: {app: notes}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: web
          image: ${img}
          # sleep ignores SIGTERM as PID 1: only the grace period (or --grace-period 0) ends it.
          command: ["sleep", "100000"]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: b}
---
apiVersion: v1
kind: Pod
metadata: {name: solo, labels: {app: solo}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - {name: main, image: ${img}, command: ["sleep", "100000"]}
---
# Its proxy joins the shop network too (cross-namespace names): deleting shop detaches it.
apiVersion: v1
kind: Service
metadata: {name: solo}
spec:
  selector: {app: solo}
  ports: [{port: 80}]
`;

beforeAll(async () => {
  image = await ensureBusyboxImage(docker);
  h = await harness('e2e-delete');
  otherApp = `${h.app}-other`;
  await h.write('app.yaml', manifests(image));
  const r = await h.berth(['apply', '-f', `${h.dir}/app.yaml`, '--wait', '--timeout', '120s']);
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  if (imposterId) await docker.getContainer(imposterId).remove({ force: true }).catch(() => undefined);
  await removeApp(otherApp);
  await h?.cleanup();
});

describe('delete', () => {
  it('one pod of a Deployment: deleted, the Deployment stays in the inventory', async () => {
    const [pod] = (await h.berth(['get', 'pods', '-l', 'app=web', '-o', 'name'])).stdout.trim().split('\n');
    const name = pod!.replace('pod/', '');
    expect(await h.berth(['delete', 'pod', name, '--grace-period', '0'])).toEqual({ code: 0, stdout: `pod "${name}" deleted\n`, stderr: '' });
    expect((await owned(h.app)).containers.some((c) => c.includes(name))).toBe(false);
    expect((await h.berth(['get', 'deploy', 'web', '-o', 'name'])).stdout).toBe('deployment.apps/web\n');
  });

  it('a Deployment with --grace-period 0: its pods go at once and it leaves the inventory, its rollout history and overrides', async () => {
    expect((await h.berth(['rollout', 'pause', 'deploy/web'])).code).toBe(0);
    expect((await h.berth(['rollout', 'history', 'deploy/web', '--revision', '1'])).code).toBe(0);
    const started = Date.now();
    const r = await h.berth(['delete', 'deployment', 'web', '--grace-period', '0']);
    expect(r).toEqual({ code: 0, stdout: 'deployment.apps "web" deleted\n', stderr: '' });
    // The pods ignore SIGTERM with a 30 s grace period: only the override explains a quick end.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await owned(h.app)).containers.filter((c) => c.includes('_web-'))).toEqual([]);
    expect(await h.berth(['get', 'deploy', 'web'])).toEqual({ code: 1, stdout: '', stderr: 'Error (NotFound): deployments.apps "web" not found\n' });
    // Nothing of it is remembered (F4): no history, no pause; `rollout history` finds no Deployment.
    expect((await h.berth(['rollout', 'history', 'deploy/web'])).stderr).toBe(`Error (NotFound): deployments.apps "web" not found in namespace default (app ${h.app})\n`);
    const store = openStore({ isProcessAlive: processAlive, dir: h.stateDir, clock: systemClock });
    try {
      expect(store.listRollouts(h.app, 'Deployment/default/web')).toEqual([]);
      expect(store.getDeploymentOverrides(h.app, 'Deployment/default/web')).toEqual([]);
    } finally {
      store.close();
    }
    // Applied again under the same name, it starts afresh: not paused, one revision.
    const again = await h.berth(['apply', '-f', `${h.dir}/app.yaml`, '--wait', '--timeout', '120s']);
    expect(again.code, again.stderr).toBe(0);
    const deploy = JSON.parse((await h.berth(['get', 'deploy', 'web', '-o', 'json'])).stdout) as { spec: { paused?: boolean } };
    expect(deploy.spec.paused).toBe(false);
    expect((await h.berth(['rollout', 'history', 'deploy/web'])).stdout.trim().split('\n')).toHaveLength(3);
    expect((await h.berth(['delete', 'deployment', 'web', '--grace-period', '0'])).code).toBe(0);
  });

  it("a namespace: its pod, claim volume, per-pod volumes, Service proxy, fast path and DNS server, network, and its inventory; other namespaces' proxies are detached", async () => {
    const before = await owned(h.app);
    expect(before.networks).toContain(`berth_${h.app}_shop`);
    expect(before.containers).toEqual(expect.arrayContaining([`berth_${h.app}_shop__svc_notes`, `berth_${h.app}_shop__svchost_notes`, `berth_${h.app}_shop__dns`, `berth_${h.app}_default__svc_solo`]));
    const r = await h.berth(['delete', 'ns', 'shop']);
    expect(r).toEqual({ code: 0, stdout: 'namespace "shop" deleted\n', stderr: '' });
    const left = await owned(h.app);
    expect(left.containers.filter((c) => c.includes('_shop_'))).toEqual([]);
    expect(left.volumes.filter((v) => v.includes('_shop_'))).toEqual([]);
    expect(left.networks).toEqual([`berth_${h.app}_default`]);
    expect(left.containers).toContain(`berth_${h.app}_default__svc_solo`);
    expect((await h.berth(['get', 'pvc', '-n', 'shop'])).stderr).toBe('No resources found in shop namespace.\n');
    expect((await h.berth(['get', 'svc', '-n', 'shop'])).stderr).toBe('No resources found in shop namespace.\n');
  });

  it('NotFound exits 1 unless --ignore-not-found; an object of another app is named as such and left alone', async () => {
    expect(await h.berth(['delete', 'cm', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'Error (NotFound): configmaps "nope" not found\n' });
    expect(await h.berth(['delete', 'cm', 'nope', '--ignore-not-found'])).toEqual({ code: 0, stdout: '', stderr: '' });
    const other = await h.write('other.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: theirs}\ndata: {key: value}\n');
    const applied = await h.berth(['apply', '-f', other, '--app', otherApp]);
    expect(applied.code, applied.stderr).toBe(0);
    const r = await h.berth(['delete', 'cm', 'theirs']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error (NotFound): configmaps "theirs" not found in app "${h.app}" (it belongs to app "${otherApp}"; pass --app ${otherApp})\n`);
    expect((await h.berth(['get', 'cm', 'theirs', '--app', otherApp, '-o', 'name'])).stdout).toBe('configmap/theirs\n');
  });

  it('never touches an unlabelled container, even one named like a pod of the app', async () => {
    const name = `berth_${h.app}_default_imposter`;
    const c = await docker.createContainer({ name, Image: image, Cmd: ['sleep', '100000'], Labels: { 'berth.test.run': randomBytes(4).toString('hex') } });
    imposterId = c.id;
    expect((await h.berth(['delete', 'pod', 'imposter'])).code).toBe(1);
    expect((await docker.getContainer(c.id).inspect()).Name).toBe(`/${name}`);
  });

  it('--all and -l select within the app only', async () => {
    expect(await h.berth(['delete', 'pods', '-l', 'app in (nothing)'])).toEqual({ code: 0, stdout: '', stderr: 'No resources found\n' });
    expect(await h.berth(['delete', 'cm', '--all'])).toEqual({ code: 0, stdout: 'configmap "cfg" deleted\n', stderr: '' });
    expect((await h.berth(['get', 'cm', '--app', otherApp, '-o', 'name'])).stdout).toBe('configmap/theirs\n');
  });

  it('a pod whose image declares a VOLUME leaves no anonymous volume behind', async () => {
    // An image like postgres' declares VOLUME: Docker gives each container an unlabelled volume.
    const base = await docker.createContainer({ Image: image, Cmd: ['true'], Labels: { 'berth.test.run': randomBytes(4).toString('hex') } });
    const committed = await base.commit({ repo: 'berth-test/with-volume', tag: h.app, changes: 'VOLUME ["/cache"]' });
    await base.remove({ force: true });
    const tagged = `berth-test/with-volume:${h.app}`;
    try {
      const file = await h.write('cache.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: cache}\nspec:\n  terminationGracePeriodSeconds: 0\n  containers: [{name: main, image: ${tagged}, imagePullPolicy: Never, command: [sleep, "100000"]}]\n`);
      const applied = await h.berth(['apply', '-f', file, '--wait', '--timeout', '60s']);
      expect(applied.code, applied.stderr).toBe(0);
      const [main] = await docker.listContainers({ filters: { label: [`berth.app=${h.app}`, 'berth.name=cache', 'berth.container=main'] } });
      const anonymous = (await docker.getContainer(main!.Id).inspect()).Mounts.find((m) => m.Destination === '/cache')!.Name!;
      expect((await docker.getVolume(anonymous).inspect()).Name).toBe(anonymous);
      expect((await h.berth(['delete', 'pod', 'cache'])).code).toBe(0);
      await expect(docker.getVolume(anonymous).inspect()).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await docker.getImage(committed.Id ?? tagged).remove({ force: true }).catch(() => undefined);
    }
  });

  it('runs preStop handlers under the host policy the app was applied with', async () => {
    // berth runs a tcpSocket handler from its own process: a listener here sees it connect.
    const connected: string[] = [];
    const server = createServer((socket) => {
      connected.push('preStop');
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const file = await h.write(
        'hooked.yaml',
        `apiVersion: v1\nkind: Pod\nmetadata: {name: hooked}\nspec:\n  terminationGracePeriodSeconds: 2\n  containers:\n  - name: main\n    image: ${image}\n    command: [sleep, "100000"]\n    lifecycle: {preStop: {tcpSocket: {host: 127.0.0.1, port: ${port}}}}\n`,
      );
      const applied = await h.berth(['apply', '-f', file, '--allow-probe-host', '127.0.0.1', '--wait', '--timeout', '60s']);
      expect(applied.code, applied.stderr).toBe(0);
      expect(await h.berth(['delete', 'pod', 'hooked'])).toEqual({ code: 0, stdout: 'pod "hooked" deleted\n', stderr: '' });
      expect(connected).toEqual(['preStop']);
    } finally {
      server.close();
    }
  });

  it('delete -f of everything applied leaves nothing labelled with the app on the host', async () => {
    const r = await h.berth(['delete', '-f', `${h.dir}/app.yaml`, '--ignore-not-found']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('pod "solo" deleted\nservice "solo" deleted\n');
    expect(await owned(h.app)).toEqual({ containers: [], volumes: [], networks: [] });
    // Only the other app's ConfigMap is left in the namespace: the empty answer names it, as for a forgotten --app.
    expect((await h.berth(['get', 'all'])).stderr).toBe(`No resources found in default namespace for app ${h.app}; app ${otherApp} has objects there: 1 ConfigMap; use --app ${otherApp} or BERTH_APP\n`);
  });
});

describe('delete all --all', () => {
  let g: Harness;
  const web = (tag: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: {rev: "${tag}"}}
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{name: web, image: ${image}, command: ["sleep", "100000"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: solo}
spec:
  terminationGracePeriodSeconds: 0
  containers: [{name: main, image: ${image}, command: ["sleep", "100000"]}]
`;
  beforeAll(async () => {
    g = await harness('e2e-delete-all');
  });
  afterAll(async () => {
    await g?.cleanup();
  });

  it('deletes every object once, its derived ReplicaSets (history ones too) with their Deployment: no NotFound, exit 0', async () => {
    for (const tag of ['1', '2']) {
      const applied = await g.berth(['apply', '-f', await g.write('app.yaml', web(tag)), '--wait', '--timeout', '60s']);
      expect(applied.code, applied.stderr).toBe(0);
    }
    // Two ReplicaSets listed: the current one and the one of revision 1 (no pods).
    expect((await g.berth(['get', 'rs', '-o', 'name'])).stdout.trim().split('\n')).toHaveLength(2);
    const r = await g.berth(['delete', 'all', '--all']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['deployment.apps "web" deleted', 'pod "solo" deleted']);
    expect((await owned(g.app)).containers).toEqual([]);
  });

  it('without a kind: says to pass one', async () => {
    expect(await g.berth(['delete', '--all'])).toMatchObject({ code: 2, stderr: expect.stringContaining('pass KIND --all (e.g. berth delete all --all)') as unknown as string });
  });
});
