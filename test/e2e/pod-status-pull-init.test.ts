import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { eventually } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * The kubelet keeps a pod whose image cannot be had or whose init container fails, says why in
 * STATUS, and retries in place with back-off (issue 13 leftovers). Before: the image failure
 * failed the pod's creation (no pod in `get pods`), and a failed init container failed the pass
 * and its pod was re-created.
 */
let t: E2eApp;
let image: string;
// An image of a registry that cannot resolve (the .invalid TLD): every pull fails at once.
const MISSING = `registry.invalid/berth-e2e/nope-${randomBytes(3).toString('hex')}:1`;
const ABSENT = `berth-e2e/absent-${randomBytes(3).toString('hex')}:1`;

beforeAll(async () => {
  t = await createE2eApp('pullinit');
  image = await ensureBusyboxImage(t.docker);
});
afterAll(async () => {
  await t.cleanup();
  for (const ref of [MISSING, ABSENT]) await t.docker.getImage(ref).remove({ noprune: true }).catch(() => undefined);
});

interface ContainerStatusJson {
  name: string;
  restartCount: number;
  state: Record<string, { reason?: string; message?: string }>;
}
interface PodJson {
  metadata: { name: string; labels: Record<string, string> };
  status: { phase: string; containerStatuses: ContainerStatusJson[]; initContainerStatuses?: ContainerStatusJson[] };
}

async function berthOk(...args: string[]): Promise<string> {
  const r = await t.berth(...args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The app's pod (one per test), as `get pods -o json` and as its `get pods` row: STATUS, RESTARTS. */
async function pod(app: string): Promise<{ json: PodJson; status: string; restarts: number } | undefined> {
  const list = JSON.parse(await berthOk('get', 'pods', '-o', 'json')) as { items: PodJson[] };
  const json = list.items.find((p) => p.metadata.labels['app'] === app);
  if (!json) return undefined;
  const row = (await berthOk('get', 'pods')).split('\n').find((l) => l.startsWith(`${json.metadata.name} `))?.split(/\s{2,}/);
  if (!row) return undefined;
  return { json, status: row[2]!, restarts: Number(row[3]!.split(' ')[0]) };
}

const deployment = (name: string, spec: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
${spec}`;

describe('an image that cannot be had', () => {
  it('stands in the pod as ErrImagePull then ImagePullBackOff with the pull error, is pulled again with back-off, and runs once the image is there', async () => {
    await t.write({
      'pull.yaml': deployment(
        'pull',
        `      containers:
      - {name: app, image: ${MISSING}, command: [sleep, '3600']}
      - {name: side, image: ${image}, command: [sleep, '3600']}
`,
      ),
    });
    await berthOk('apply', '-f', t.dir);
    // The pod is there at once, its other container running, the failed one saying why.
    const first = (await pod('pull'))!;
    expect(first.json.status.phase).toBe('Pending');
    const app = () => first.json.status.containerStatuses.find((c) => c.name === 'app')!;
    expect(app().state['waiting']?.reason).toBe('ErrImagePull');
    expect(app().state['waiting']?.message).toMatch(/pulling it failed/);
    expect(first.json.status.containerStatuses.find((c) => c.name === 'side')!.state['running']).toBeDefined();
    expect(first.status).toBe('ErrImagePull');
    const described = await berthOk('describe', 'pod', first.json.metadata.name);
    expect(described).toMatch(/Warning\s+Failed\s+\S+\s+berth\s+Failed to pull image "registry\.invalid/);
    expect(described).toMatch(/Warning\s+Failed\s+\S+\s+berth\s+Error: ErrImagePull/);

    // Once the kubelet would have looked again, the word is the back-off's, still saying why.
    // pod() reads -o json, then the table, by two commands: across the moment the word turns, the
    // JSON may still hold ErrImagePull while the table says ImagePullBackOff. Wait for both.
    const backoff = await eventually('ImagePullBackOff', async () => {
      const p = await pod('pull');
      return p?.status === 'ImagePullBackOff' && p.json.status.containerStatuses.find((c) => c.name === 'app')!.state['waiting']?.reason === 'ImagePullBackOff' && p;
    }, 60_000, 500);
    expect(backoff.json.metadata.name).toBe(first.json.metadata.name);
    expect(backoff.json.status.containerStatuses.find((c) => c.name === 'app')!.state['waiting']?.message).toMatch(/^Back-off pulling image "registry\.invalid.*": ErrImagePull: /);

    // Passes pull it again after the back-off: the attempt count on its stand-in grows.
    const attempt = async () => {
      const c = (await t.containers()).find((x) => x.Labels['berth.container'] === 'app' && x.Labels['berth.role'] === 'container');
      return c?.Labels['berth.image-pull'] ? (JSON.parse(c.Labels['berth.image-pull']) as { attempt: number }).attempt : 0;
    };
    expect(await attempt()).toBe(1);
    await eventually('a second pull attempt', async () => {
      await berthOk('apply', '-f', t.dir);
      return (await attempt()) >= 2;
    }, 60_000, 1_000);

    // The image appears (loaded on the host): the next attempt finds it and the pod runs, in place.
    await t.docker.getImage(image).tag({ repo: MISSING.slice(0, MISSING.lastIndexOf(':')), tag: '1' });
    const running = await eventually('the pod to run', async () => {
      await berthOk('apply', '-f', t.dir);
      const p = await pod('pull');
      return p?.status === 'Running' && p;
    }, 120_000, 1_000);
    expect(running.json.metadata.name).toBe(first.json.metadata.name);
    expect(running.restarts).toBe(0);
  }, 240_000);

  it('imagePullPolicy Never with the image absent reads ErrImageNeverPull', async () => {
    await t.write({
      'never.yaml': deployment(
        'never',
        `      containers:
      - {name: app, image: ${ABSENT}, imagePullPolicy: Never, command: [sleep, '3600']}
`,
      ),
    });
    await berthOk('apply', '-f', t.dir);
    const p = (await pod('never'))!;
    expect(p.status).toBe('ErrImageNeverPull');
    expect(p.json.status.containerStatuses[0]!.state['waiting']?.message).toBe(`Container image "${ABSENT}" is not present with pull policy of Never`);
  }, 120_000);
});

describe('a failing init container', () => {
  it('under restartPolicy Always is run again in place with back-off (Init:CrashLoopBackOff), and the pod goes on once it succeeds', async () => {
    // Fails its first two runs, succeeds on the third: a count kept in the pod's emptyDir.
    await t.write({
      'init.yaml': deployment(
        'init',
        `      volumes: [{name: w, emptyDir: {}}]
      initContainers:
      - name: setup
        image: ${image}
        command: [sh, -c, 'n=$(cat /w/n 2>/dev/null || echo 0); echo $((n+1)) > /w/n; test $n -ge 2']
        volumeMounts: [{name: w, mountPath: /w}]
      containers:
      - {name: app, image: ${image}, command: [sleep, '3600']}
`,
      ),
    });
    await berthOk('apply', '-f', t.dir);
    const looping = await eventually('Init:CrashLoopBackOff', async () => {
      const p = await pod('init');
      return p?.status === 'Init:CrashLoopBackOff' && p;
    }, 60_000, 500);
    expect(looping.restarts).toBe(1);
    expect(looping.json.status.initContainerStatuses![0]!.state['waiting']?.reason).toBe('CrashLoopBackOff');
    const running = await eventually('the pod to run after its init succeeded', async () => {
      await berthOk('apply', '-f', t.dir);
      const p = await pod('init');
      return p?.status === 'Running' && p;
    }, 120_000, 1_000);
    // The same pod, resumed: not re-created.
    expect(running.json.metadata.name).toBe(looping.json.metadata.name);
    expect(running.json.status.initContainerStatuses![0]!.restartCount).toBe(2);
    expect(running.restarts).toBe(0);
  }, 240_000);

  it('under restartPolicy Never fails the pod: Init:Error, phase Failed, not run again', async () => {
    await t.write({
      'once.yaml': `apiVersion: v1
kind: Pod
metadata: {name: once, labels: {app: once}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  initContainers:
  - {name: setup, image: ${image}, command: [sh, -c, 'exit 4']}
  containers:
  - {name: app, image: ${image}, command: [sleep, '3600']}
`,
    });
    await berthOk('apply', '-f', t.dir);
    const p = (await pod('once'))!;
    expect(p.status).toBe('Init:Error');
    expect(p.json.status.phase).toBe('Failed');
    await berthOk('apply', '-f', t.dir);
    const again = (await pod('once'))!;
    expect(again.json.status.initContainerStatuses![0]!.restartCount).toBe(0);
    expect(again.status).toBe('Init:Error');
  }, 120_000);
});

describe('a container Docker cannot run', () => {
  it('is the pod\'s state (RunContainerError, then CrashLoopBackOff with StartError), retried with back-off, while the rest of the app converges', async () => {
    await t.write({
      'nocmd.yaml': deployment(
        'nocmd',
        `      containers:
      - {name: app, image: ${image}, command: [/no/such/binary]}
`,
      ),
      'fine.yaml': deployment(
        'fine',
        `      containers:
      - {name: app, image: ${image}, command: [sleep, '3600']}
`,
      ),
    });
    // Before: the apply failed (exit 3) on Docker's start error, every pass after it too, and the pod read ContainerCreating.
    await berthOk('apply', '-f', t.dir);
    expect((await pod('fine'))!.status).toBe('Running');
    const p = (await pod('nocmd'))!;
    const s = p.json.status.containerStatuses[0]!;
    // Tried at once a second time (the kubelet's first restart), then it waits out the back-off.
    expect(p.status).toBe('CrashLoopBackOff');
    expect(s.restartCount).toBeGreaterThanOrEqual(1);
    expect((s as unknown as { lastState: { terminated?: { reason: string; message?: string } } }).lastState.terminated).toMatchObject({ reason: 'StartError', message: expect.stringMatching(/no such file/) });
    const described = await berthOk('describe', 'pod', p.json.metadata.name);
    expect(described).toMatch(/Warning\s+Failed\s+.*\bberth\s+Error: failed to start container "app": .*no such file/);
    // The next pass past the back-off tries again: one more attempt.
    const again = await eventually('another attempt', async () => {
      await berthOk('apply', '-f', t.dir);
      const q = await pod('nocmd');
      return q && q.json.status.containerStatuses[0]!.restartCount > s.restartCount && q;
    }, 60_000, 1_000);
    expect(again.status).toBe('CrashLoopBackOff');
    expect(again.json.metadata.name).toBe(p.json.metadata.name);
  }, 120_000);
});

describe('a pod being deleted', () => {
  it('reads Terminating, with its deletionTimestamp, for as long as its grace period keeps it, then is gone', async () => {
    await t.write({
      'slow.yaml': `apiVersion: v1
kind: Pod
metadata: {name: slow, labels: {app: slow}}
spec:
  terminationGracePeriodSeconds: 30
  containers:
  - {name: app, image: ${image}, command: [sh, -c, 'trap "" TERM; while true; do sleep 1; done']}
`,
    });
    await berthOk('apply', '-f', t.dir);
    expect((await pod('slow'))!.status).toBe('Running');
    // The container ignores SIGTERM: the deletion lasts until its grace period ends (or this test stops it).
    const deleting = t.berth('delete', 'pod', 'slow');
    await eventually('Terminating', async () => (await pod('slow'))?.status === 'Terminating', 60_000, 250);
    // Read after the row said so (the JSON of that read came first).
    const seen = (await pod('slow'))!;
    expect(seen.status).toBe('Terminating');
    expect(Date.parse((seen.json.metadata as { deletionTimestamp?: string }).deletionTimestamp ?? '')).not.toBeNaN();
    // Still there, still running its container: Terminating is the deletion under way, not a state of Docker's.
    const app = (await t.containers()).find((c) => c.Labels['berth.name'] === 'slow' && c.Labels['berth.role'] === 'container');
    expect(app?.State).toBe('running');
    const done = await deleting;
    expect(done.code, done.stderr).toBe(0);
    expect(await pod('slow')).toBeUndefined();
  }, 120_000);
});
