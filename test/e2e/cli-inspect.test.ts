import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { Harness } from './cli-support.js';
import { cells, docker, harness } from './cli-support.js';

/**
 * get, describe, logs and exec through the CLI against what `berth apply` really created:
 * a Deployment behind a readiness probe, a two-container pod on a PVC, config and a Service.
 */
let h: Harness;
let dir: string;
const SECRET = 'e2e-s3cr3t';

const manifests = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web, tier: front}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: ${image}
          command: ["sh", "-c", "echo web starting $GREETING; exec httpd -f -p 8080 -h /var/www"]
          ports: [{name: http, containerPort: 8080}]
          env:
            - {name: GREETING, valueFrom: {configMapKeyRef: {name: cfg, key: greeting}}}
            - {name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}
          readinessProbe: {httpGet: {path: /index.html, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {greeting: hello}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {token: ${SECRET}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: duo, labels: {app: duo, tier: back}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: ${image}
      command: ["sh", "-c", "for i in 1 2 3; do echo main line $i; done; echo main to stderr >&2; exec sleep 100000"]
      volumeMounts: [{name: data, mountPath: /data}]
    - name: helper
      image: ${image}
      command: ["sh", "-c", "echo helper up >&2; exec sleep 100000"]
  volumes:
    - {name: data, persistentVolumeClaim: {claimName: data}}
`;

beforeAll(async () => {
  const image = await ensureBusyboxImage(docker);
  h = await harness('e2e-get');
  dir = h.dir;
  await h.write('app.yaml', manifests(image));
  const applied = await h.berth(['apply', '-f', `${dir}/app.yaml`, '--wait', '--timeout', '120s']);
  expect(applied.code, applied.stderr).toBe(0);
});

afterAll(async () => {
  await h?.cleanup();
});

const AGE = /^\d+s$/;

describe('get', () => {
  it('pods: kubectl columns, READY from containers and probes, Running, no restarts', async () => {
    const r = await h.berth(['get', 'pods']);
    expect(r.code).toBe(0);
    const [header, ...rows] = cells(r.stdout);
    expect(header).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual(['duo', '2/2', 'Running', '0', expect.stringMatching(AGE)]);
    for (const row of rows.slice(1)) expect(row).toEqual([expect.stringMatching(/^web-[a-z0-9]+-[a-z0-9]{5}$/), '1/1', 'Running', '0', expect.stringMatching(AGE)]);
  });

  it("pods -o wide: kubectl's wide columns, the pod IP and the Docker host as node", async () => {
    const node = ((await docker.info()) as { Name: string }).Name;
    const [header, ...rows] = cells((await h.berth(['get', 'po', '-o', 'wide'])).stdout);
    expect(header).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(rows[0]!.slice(5)).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/), node, '<none>', '<none>']);
  });

  it('deployments, replicasets, services, configmaps, secrets, pvc, namespaces', async () => {
    const table = async (kind: string) => cells((await h.berth(['get', kind])).stdout);
    expect(await table('deploy')).toEqual([
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
      ['web', '2/2', '2', '2', expect.stringMatching(AGE)],
    ]);
    expect(await table('rs')).toEqual([
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
      [expect.stringMatching(/^web-[a-z0-9]+$/), '2', '2', '2', expect.stringMatching(AGE)],
    ]);
    expect(await table('svc')).toEqual([
      ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
      ['web', 'ClusterIP', expect.stringMatching(/^(<none>|\d+\.\d+\.\d+\.\d+)$/), '<none>', '80/TCP', expect.stringMatching(AGE)],
    ]);
    expect(await table('cm')).toEqual([
      ['NAME', 'DATA', 'AGE'],
      ['cfg', '1', expect.stringMatching(AGE)],
    ]);
    expect(await table('secrets')).toEqual([
      ['NAME', 'TYPE', 'DATA', 'AGE'],
      ['creds', 'Opaque', '1', expect.stringMatching(AGE)],
    ]);
    expect(await table('pvc')).toEqual([
      ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'AGE'],
      // Provisioned by the host's default class as a PersistentVolume pvc-<uid> (docs/storage.md).
      ['data', 'Bound', expect.stringMatching(/^pvc-[0-9a-f-]{36}$/), '1Gi', 'RWO', 'local', expect.stringMatching(AGE)],
    ]);
    expect(await table('ns')).toEqual([
      ['NAME', 'STATUS', 'AGE'],
      ['default', 'Active', expect.stringMatching(AGE)],
    ]);
  });

  it('-o json: a v1 List of Kubernetes Pods that jq-style scripts can read', async () => {
    const r = await h.berth(['get', 'pods', '-o', 'json']);
    const list = JSON.parse(r.stdout) as { apiVersion: string; kind: string; items: Array<Record<string, any>> };
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' } });
    expect(list.items.map((p) => p.metadata.name)).toEqual([expect.stringMatching(/^duo$/), expect.stringMatching(/^web-/), expect.stringMatching(/^web-/)]);
    for (const p of list.items) {
      expect(p).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', uid: expect.stringMatching(/^[0-9a-f]{8}-/), creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) }, status: { phase: 'Running', podIP: expect.any(String) } });
      expect(p.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
      for (const c of p.status.containerStatuses) {
        expect(c).toMatchObject({ ready: true, started: true, restartCount: 0, containerID: expect.stringMatching(/^docker:\/\/[0-9a-f]{64}$/), imageID: expect.stringMatching(/^docker:\/\/sha256:/), state: { running: { startedAt: expect.any(String) } } });
      }
    }
    const web = list.items[1]!;
    expect(web.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: expect.stringMatching(/^web-/), uid: expect.any(String), controller: true, blockOwnerDeletion: true }]);
    expect(web.spec.containers[0].readinessProbe.httpGet.port).toBe('http');
    expect(list.items[0]!.status.containerStatuses.map((c: { name: string }) => c.name)).toEqual(['main', 'helper']);
  });

  it('-o yaml of one named object prints the object itself, with status', async () => {
    const r = await h.berth(['get', 'deploy/web', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expect(load(r.stdout)).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 }, status: { replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 } });
  });

  it('secrets print base64 data in json, as kubectl does', async () => {
    const secret = JSON.parse((await h.berth(['get', 'secret', 'creds', '-o', 'json'])).stdout) as { data: Record<string, string> };
    expect(Buffer.from(secret.data['token']!, 'base64').toString()).toBe(SECRET);
  });

  it('-o name and get all', async () => {
    const names = (await h.berth(['get', 'pods', '-o', 'name'])).stdout.trim().split('\n');
    expect(names).toEqual(['pod/duo', expect.stringMatching(/^pod\/web-/), expect.stringMatching(/^pod\/web-/)]);
    const all = (await h.berth(['get', 'all'])).stdout;
    for (const name of ['pod/duo', 'service/web', 'deployment.apps/web', 'replicaset.apps/web-']) expect(all).toContain(name);
    expect(all.split('\n\n')).toHaveLength(4);
  });

  it('-l with equality and set-based selectors', async () => {
    const names = async (selector: string) => (await h.berth(['get', 'pods', '-l', selector, '-o', 'name'])).stdout.trim().split('\n').filter(Boolean);
    expect(await names('tier in (front,back),app notin (web)')).toEqual(['pod/duo']);
    expect(await names('app=web')).toHaveLength(2);
    expect(await names('tier,app!=duo')).toHaveLength(2);
    const none = await h.berth(['get', 'pods', '-l', '!tier']);
    expect(none).toEqual({ code: 0, stdout: '', stderr: 'No resources found in default namespace.\n' });
  });

  it('a missing name is NotFound, exit 1; other namespaces are empty', async () => {
    expect(await h.berth(['get', 'pods', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'Error (NotFound): pods "nope" not found\n' });
    expect(await h.berth(['get', 'pods', '-n', 'elsewhere'])).toEqual({ code: 0, stdout: '', stderr: 'No resources found in elsewhere namespace.\n' });
  });
});

describe('describe', () => {
  it('pod: sections and its events', async () => {
    const r = await h.berth(['describe', 'pod', 'duo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+duo\nNamespace:\s+default\n/);
    expect(r.stdout).toContain('Containers:\n  main:\n');
    expect(r.stdout).toContain('  helper:\n');
    expect(r.stdout).toMatch(/\n {4}State:\s+Running\n/);
    expect(r.stdout).toContain('      /data from data (rw)\n');
    expect(r.stdout).toContain('    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:  data\n');
    expect(r.stdout).toMatch(/\nEvents:\n {2}Type\s+Reason\s+Age\s+From\s+Message\n/);
    expect(r.stdout).toMatch(/\n {2}Normal\s+Started\s+\d+s\s+berth\s+create pod default\/duo/);
  });

  it('deployment: replicas, template with secret references (never values), new replica set, events', async () => {
    const r = await h.berth(['describe', 'deploy', 'web']);
    expect(r.stdout).toContain('Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable\n');
    expect(r.stdout).toContain("TOKEN:     <set to the key 'token' in secret 'creds'>");
    expect(r.stdout).toMatch(/NewReplicaSet:\s+web-[a-z0-9]+ \(2\/2 replicas created\)/);
    expect(r.stdout).toMatch(/Normal\s+SuccessfulCreate/);
    const secret = await h.berth(['describe', 'secret', 'creds']);
    expect(secret.stdout).toContain('token:  10 bytes\n');
    for (const out of [r.stdout, secret.stdout]) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain(Buffer.from(SECRET).toString('base64'));
    }
  });
});

describe('logs', () => {
  it('one container of a pod with -c; stdout and stderr demultiplexed', async () => {
    const r = await h.berth(['logs', 'duo', '-c', 'main']);
    expect(r).toEqual({ code: 0, stdout: 'main line 1\nmain line 2\nmain line 3\n', stderr: 'main to stderr\n' });
    expect((await h.berth(['logs', 'duo', '-c', 'helper'])).stderr).toBe('helper up\n');
  });

  it('--tail and --timestamps', async () => {
    // --tail counts lines of both streams; Docker copies them concurrently, so their order across streams may vary.
    const tail = await h.berth(['logs', 'duo', '-c', 'main', '--tail', '2']);
    expect(`${tail.stdout}${tail.stderr}`.trim().split('\n')).toHaveLength(2);
    expect(tail.stdout).toMatch(/main line 3\n$/);
    expect(tail.stdout).not.toContain('main line 1');
    const stamped = (await h.berth(['logs', 'duo', '-c', 'main', '--timestamps'])).stdout.split('\n')[0]!;
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z main line 1$/);
  });

  it('-f streams new lines until interrupted (Ctrl-C)', async () => {
    await h.berth(['exec', 'duo', '-c', 'main', '--', 'sh', '-c', 'echo follow-me > /proc/1/fd/1']);
    const r = await h.berth(['logs', 'duo', '-c', 'main', '-f', '--tail', '1'], { interrupt: AbortSignal.timeout(1500) });
    expect(r).toEqual({ code: 0, stdout: 'follow-me\n', stderr: '' });
  });

  it('several containers and no -c: the first, with kubectl\'s note (kubectl >= 1.24, as exec)', async () => {
    // follow-me: the -f test above wrote it into main's output.
    expect(await h.berth(['logs', 'duo'])).toEqual({ code: 0, stdout: 'main line 1\nmain line 2\nmain line 3\nfollow-me\n', stderr: 'Defaulted container "main" out of: main, helper\nmain to stderr\n' });
  });

  it('deploy/web: one of its pods, named on stderr', async () => {
    const r = await h.berth(['logs', 'deploy/web']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('web starting hello\n');
    expect(r.stderr).toMatch(/^Found 2 pods, using pod\/web-[a-z0-9]+-[a-z0-9]{5}\n$/);
  });
});

describe('exec', () => {
  it("the command's exit code becomes berth's", async () => {
    expect((await h.berth(['exec', 'duo', '-c', 'main', '--', 'sh', '-c', 'exit 7'])).code).toBe(7);
    expect(await h.berth(['exec', 'deploy/web', '-q', '--', 'cat', '/var/www/index.html'])).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
  });

  it('-i passes stdin; the command sees its end', async () => {
    const r = await h.berth(['exec', '-i', 'duo', '-c', 'main', '--', 'sh', '-c', 'cat > /data/in.txt; wc -l < /data/in.txt'], { stdin: 'one\ntwo\n' });
    expect(r).toEqual({ code: 0, stdout: '2\n', stderr: '' });
  });

  it('no -c on a pod with several containers: the first, with kubectl\'s note; stderr stays separate', async () => {
    const r = await h.berth(['exec', 'duo', '--', 'sh', '-c', 'echo out; echo err >&2']);
    expect(r).toEqual({ code: 0, stdout: 'out\n', stderr: 'Defaulted container "main" out of: main, helper\nerr\n' });
  });

  it('-t without a terminal on stdin falls back to plain streams, as kubectl does', async () => {
    const r = await h.berth(['exec', '-t', 'duo', '-c', 'helper', '--', 'echo', 'hi']);
    expect(r).toEqual({ code: 0, stdout: 'hi\n', stderr: 'Unable to use a TTY - input is not a terminal or the right kind of file\n' });
  });
});

describe('a crash-looping container', () => {
  it('shows its restarts, and logs --previous prints what earlier runs wrote', async () => {
    const image = await ensureBusyboxImage(docker);
    const file = await h.write('crash.yaml', `apiVersion: v1\nkind: Pod\nmetadata: {name: crash}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n    - {name: c, image: ${image}, command: ["sh", "-c", "echo run; sleep 1; exit 3"]}\n`);
    expect((await h.berth(['apply', '-f', file])).code).toBe(0);
    let row: string[] = [];
    for (let i = 0; i < 60; i++) {
      row = cells((await h.berth(['get', 'pod', 'crash'])).stdout)[1] ?? [];
      if (Number((row[3] ?? '0').split(' ')[0]) >= 2) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(row).toEqual(['crash', expect.stringMatching(/^[01]\/1$/), expect.stringMatching(/^(Running|CrashLoopBackOff|Error)$/), expect.stringMatching(/^\d+ \(\d+s ago\)$/), expect.stringMatching(AGE)]);
    const previous = await h.berth(['logs', 'crash', '--previous']);
    expect(previous.code).toBe(0);
    expect(previous.stdout).toMatch(/^(run\n)+$/);
    const json = JSON.parse((await h.berth(['get', 'pod', 'crash', '-o', 'json'])).stdout) as { status: { containerStatuses: Array<{ restartCount: number; lastState: unknown }> } };
    expect(json.status.containerStatuses[0]!.restartCount).toBeGreaterThanOrEqual(2);
  });

  it('--previous of a container that never restarted is NotFound', async () => {
    expect(await h.berth(['logs', 'duo', '-c', 'main', '-p'])).toEqual({ code: 1, stdout: '', stderr: 'error: previous terminated container "main" in pod "duo" not found\n' });
  });
});

