import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { eventually, startDaemon } from './support/daemon.js';
import type { Harness } from './cli-support.js';
import { cells, docker, harness } from './cli-support.js';

/**
 * Issue 17 newcomer trial against the real engine: rollout and scale take kubectl's
 * `TYPE NAME`; a missing container and a busy local port exit 1 as kubectl's; a crash loop is
 * the kubelet's `Warning BackOff` on the pod, with nothing of berth's bookkeeping on the owner.
 */
let h: Harness;
let image: string;

const deployment = (img: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - {name: web, image: ${img}, command: ["sh", "-c", "exec httpd -f -p 8080 -h /"], ports: [{containerPort: 8080}]}
`;

beforeAll(async () => {
  h = await harness('rwords');
  image = await ensureBusyboxImage(docker);
  const applied = await h.berth(['apply', '-f', await h.write('web.yaml', deployment(image)), '--wait', '--timeout', '90s']);
  expect(applied.code, applied.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await h?.cleanup();
});

describe('rollout and scale take TYPE NAME', () => {
  it('rollout status|history deployment web, two arguments as kubectl', async () => {
    const status = await h.berth(['rollout', 'status', 'deployment', 'web', '--timeout', '60s']);
    expect({ code: status.code, stdout: status.stdout }, status.stderr).toEqual({ code: 0, stdout: expect.stringContaining('deployment "web" successfully rolled out') as unknown as string });
    const history = await h.berth(['rollout', 'history', 'deployment', 'web']);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout.split('\n')[0]).toBe('deployment.apps/web');
  });

  it('rollout restart deploy web --wait replaces the pod', async () => {
    const before = cells((await h.berth(['get', 'pods', '-l', 'app=web'])).stdout).slice(1).map((r) => r[0]);
    const r = await h.berth(['rollout', 'restart', 'deploy', 'web', '--wait', '--timeout', '90s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('deployment.apps/web restarted');
    const after = cells((await h.berth(['get', 'pods', '-l', 'app=web'])).stdout).slice(1).map((x) => x[0]);
    expect(after.some((name) => !before.includes(name))).toBe(true);
  }, 120_000);

  it('scale deployment web --replicas 2, then get shows 2/2', async () => {
    const r = await h.berth(['scale', 'deployment', 'web', '--replicas', '2', '--wait', '--timeout', '90s']);
    expect({ code: r.code, stdout: r.stdout }, r.stderr).toEqual({ code: 0, stdout: 'deployment.apps/web scaled\n' });
    expect(cells((await h.berth(['get', 'deploy', 'web'])).stdout)[1]?.[1]).toBe('2/2');
  }, 120_000);

  it('a misspelt type: did you mean, exit 1', async () => {
    expect(await h.berth(['rollout', 'status', 'deploymnt', 'web'])).toEqual({ code: 1, stdout: '', stderr: 'error: berth has no resource type "deploymnt"; did you mean "deployment"?\n' });
  });
});

describe('runtime errors exit 1, as kubectl', () => {
  it('exec -c of a container the pod lacks', async () => {
    const r = await h.berth(['exec', 'deploy/web', '-c', 'nope', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\nerror: container nope is not valid for pod web-[a-z0-9]+-[a-z0-9]+\n$/);
  });

  it('port-forward on a local port another process holds', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen({ host: '127.0.0.1', port: 0 }, r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const r = await h.berth(['port-forward', 'deploy/web', `${port}:8080`, '--address', '127.0.0.1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error: unable to listen on 127.0.0.1:${port}: listen EADDRINUSE`);
    } finally {
      busy.close();
    }
  });
});

describe('a crash-looping Deployment', () => {
  it("reads as the kubelet's Warning BackOff on the pod, with no Normal BackOff of berth's own on the owner", async () => {
    const crash = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: crash}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: crash}}\n  template:\n    metadata: {labels: {app: crash}}\n    spec:\n      terminationGracePeriodSeconds: 1\n      containers:\n        - {name: c, image: ${image}, command: ["sh", "-c", "sleep 1; exit 3"]}\n`;
    const file = await h.write('crash.yaml', crash);
    expect((await h.berth(['apply', '-f', file])).code).toBe(0);
    let restarts = 0;
    for (let i = 0; i < 60 && restarts < 2; i++) {
      await new Promise((r) => setTimeout(r, 500));
      restarts = Number((cells((await h.berth(['get', 'pods', '-l', 'app=crash'])).stdout)[1]?.[3] ?? '0').split(' ')[0]);
    }
    expect(restarts).toBeGreaterThanOrEqual(2);
    // Commands leave a crash loop to Docker's policy (nothing of them stays to pace it); the
    // daemon takes it over and paces it as the kubelet does, which is when the event is recorded.
    const src = join(h.dir, 'daemon-src');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'crash.yaml'), crash);
    const daemon = await startDaemon(['--watch', src, '--app', h.app, '--state-dir', h.stateDir]);
    let events = '';
    try {
      events = await eventually('the BackOff event', async () => {
        const out = (await h.berth(['events'])).stdout;
        return /Warning\s+BackOff/.test(out) ? out : undefined;
      }, 90_000);
    } finally {
      daemon.kill('SIGTERM');
      await daemon.exited;
    }
    expect(events).toMatch(/Warning\s+BackOff\s+pod\/crash-[a-z0-9-]+\s+Back-off restarting failed container c in pod crash-/);
    expect(events).not.toMatch(/Normal\s+BackOff/);
    expect(events).not.toContain('take over restarts');
  }, 120_000);
});
