import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { Harness } from './cli-support.js';
import { docker, harness } from './cli-support.js';

/**
 * `berth logs` with kubectl's flags, and the container `logs` and `exec` choose, against what
 * `berth apply` really runs: a 2-replica Deployment of two-container pods whose template names
 * its default container, a bare pod with an init container and no such annotation, and a pod
 * whose first run crashes.
 */
let h: Harness;

const manifests = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  replicas: 2
  selector: {matchLabels: {app: x}}
  template:
    metadata:
      labels: {app: x}
      annotations: {kubectl.kubernetes.io/default-container: side}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - {name: main, image: ${image}, env: [{name: WHO, value: main}], command: ["sh", "-c", "echo main hello; exec sleep 100000"]}
        - {name: side, image: ${image}, env: [{name: WHO, value: side}], command: ["sh", "-c", "echo side hello; exec sleep 100000"]}
---
apiVersion: v1
kind: Pod
metadata: {name: plain, labels: {app: plain}}
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
    - {name: setup, image: ${image}, command: ["sh", "-c", "echo setup done"]}
  containers:
    - {name: main, image: ${image}, env: [{name: WHO, value: main}], command: ["sh", "-c", "echo main early; sleep 2; echo main late; exec sleep 100000"]}
    - {name: side, image: ${image}, env: [{name: WHO, value: side}], command: ["sh", "-c", "echo side up; exec sleep 100000"]}
`;

/** Its first run fails; applied without --wait (the wait is for the restart, below). */
const crashPod = (image: string) => `
apiVersion: v1
kind: Pod
metadata: {name: crash, labels: {app: crash}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: ${image}
      # The run counter lives in the pod's emptyDir, which outlives the container's runs.
      command: ["sh", "-c", "n=$(( $(cat /run/n 2>/dev/null || echo 0) + 1 )); echo $n > /run/n; echo run $n; [ $n -ge 2 ] || exit 1; exec sleep 100000"]
      volumeMounts: [{name: run, mountPath: /run}]
  volumes: [{name: run, emptyDir: {}}]
`;

/** Polls until `check` passes (a condition to reach, not a timing assertion); the last failure otherwise. */
async function eventually(check: () => Promise<void>, tries = 120): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await check();
    } catch (e) {
      if (i >= tries) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

beforeAll(async () => {
  const image = await ensureBusyboxImage(docker);
  h = await harness('e2e-logs');
  await h.write('app.yaml', manifests(image));
  const applied = await h.berth(['apply', '-f', `${h.dir}/app.yaml`, '--wait', '--timeout', '120s']);
  expect(applied.code, applied.stderr).toBe(0);
  // Every container has written its first line (and plain's main its late one).
  await eventually(async () => expect((await h.berth(['logs', 'plain', '-c', 'main'])).stdout).toBe('main early\nmain late\n'));
}, 180_000);

afterAll(async () => {
  await h?.cleanup();
});

const PREFIXED = /^\[pod\/(x-[a-z0-9]+-[a-z0-9]{5})\/(main|side)\] (main|side) hello$/;

describe('logs -l SELECTOR', () => {
  it('--all-containers --prefix: every container of every matching pod, each line as [pod/NAME/CONTAINER]', async () => {
    await eventually(async () => {
      const r = await h.berth(['logs', '-l', 'app=x', '--all-containers', '--prefix']);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(4);
      const seen = lines.map((l) => PREFIXED.exec(l)).map((m) => (m ? `${m[1]}/${m[2]}=${m[3]}` : 'unmatched'));
      const pods = [...new Set(seen.map((s) => s.split('/')[0]))].sort();
      expect(pods).toHaveLength(2);
      expect(seen).toEqual(pods.flatMap((p) => [`${p}/main=main`, `${p}/side=side`]));
    });
  });

  it('-f follows all four streams at once, lines as they come', async () => {
    const r = await h.berth(['logs', '-l', 'app=x', '--all-containers', '--prefix', '-f'], { interrupt: AbortSignal.timeout(6000) });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').map((l) => PREFIXED.test(l))).toEqual([true, true, true, true]);
  });

  it('-f over more streams than --max-log-requests: kubectl\'s refusal, exit 2', async () => {
    expect(await h.berth(['logs', '-l', 'app=x', '--all-containers', '-f', '--max-log-requests', '3'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: you are attempting to follow 4 log streams, but maximum allowed concurrency is 3, use --max-log-requests to increase the limit\n',
    });
  });

  it('a selector matching nothing: kubectl\'s words, exit 0', async () => {
    expect(await h.berth(['logs', '-l', 'app=nothing'])).toEqual({ code: 0, stdout: '', stderr: 'No resources found in default namespace.\n' });
  });
});

describe('the container logs and exec mean without -c', () => {
  it('the default-container annotation: logs and exec both take it, silently', async () => {
    const logs = await h.berth(['logs', 'deploy/x']);
    expect(logs.stdout).toBe('side hello\n');
    expect(logs.stderr).toMatch(/^Found 2 pods, using pod\/x-[a-z0-9]+-[a-z0-9]{5}\n$/);
    const exec = await h.berth(['exec', 'deploy/x', '--', 'sh', '-c', 'echo $WHO']);
    expect(exec.stdout).toBe('side\n');
    expect(exec.stderr).toMatch(/^Found 2 pods, using pod\/x-[a-z0-9]+-[a-z0-9]{5}\n$/);
  });

  it('no annotation: the first app container, with kubectl\'s note naming all (init marked), for both', async () => {
    const note = 'Defaulted container "main" out of: main, side, setup (init)\n';
    expect(await h.berth(['logs', 'plain'])).toEqual({ code: 0, stdout: 'main early\nmain late\n', stderr: note });
    expect(await h.berth(['exec', 'plain', '--', 'sh', '-c', 'echo $WHO'])).toEqual({ code: 0, stdout: 'main\n', stderr: note });
  });

  it('--all-containers: the init container first', async () => {
    expect(await h.berth(['logs', 'plain', '--all-containers', '--prefix'])).toEqual({
      code: 0,
      stdout: '[pod/plain/setup] setup done\n[pod/plain/main] main early\n[pod/plain/main] main late\n[pod/plain/side] side up\n',
      stderr: '',
    });
  });
});

describe('time and size', () => {
  const STAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z) (main early|main late)$/;

  it('--timestamps: RFC 3339 before each line; --since-time after the first line leaves the later one', async () => {
    const r = await h.berth(['logs', 'plain', '-c', 'main', '--timestamps']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toEqual([expect.stringMatching(STAMPED), expect.stringMatching(STAMPED)]);
    const early = Date.parse(STAMPED.exec(lines[0]!)![1]!);
    const after = new Date(early + 1000).toISOString();
    expect(await h.berth(['logs', 'plain', '-c', 'main', '--since-time', after])).toEqual({ code: 0, stdout: 'main late\n', stderr: '' });
  });

  it('--since: a window back from now', async () => {
    expect((await h.berth(['logs', 'plain', '-c', 'main', '--since', '1h'])).stdout).toBe('main early\nmain late\n');
  });

  it('--limit-bytes stops inside a line, as the kubelet does; --tail counts lines', async () => {
    expect((await h.berth(['logs', 'plain', '-c', 'main', '--limit-bytes', '7'])).stdout).toBe('main ea');
    expect((await h.berth(['logs', 'plain', '-c', 'main', '--tail', '1'])).stdout).toBe('main late\n');
  });
});

describe('a restarted container', () => {
  it('logs shows the current run; -p the run before it', async () => {
    const file = await h.write('crash.yaml', crashPod(await ensureBusyboxImage(docker)));
    expect((await h.berth(['apply', '-f', file])).code).toBe(0);
    await eventually(async () => expect((await h.berth(['logs', 'crash'])).stdout).toBe('run 2\n'));
    expect(await h.berth(['logs', 'crash', '-p'])).toEqual({ code: 0, stdout: 'run 1\n', stderr: '' });
    expect(await h.berth(['logs', 'crash', '-p', '--tail', '1'])).toEqual({ code: 0, stdout: 'run 1\n', stderr: '' });
  });

  it('-p of a container that never restarted: kubectl\'s NotFound, or reported and skipped with --ignore-errors', async () => {
    expect(await h.berth(['logs', 'plain', '-c', 'side', '-p'])).toEqual({ code: 1, stdout: '', stderr: 'error: previous terminated container "side" in pod "plain" not found\n' });
    const r = await h.berth(['logs', 'plain', '--all-containers', '-p', '--ignore-errors']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('error: previous terminated container "side" in pod "plain" not found\n');
  });
});
