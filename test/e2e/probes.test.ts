import { randomBytes } from 'node:crypto';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDockerProbeRunner,
  createProber,
  type PodProbeStatus,
  type ProbeRunner,
  type ProbeTarget,
} from '../../src/apply/probes/index.js';
import type { Probe } from '../../src/model/types.js';
import { systemClock } from '../../src/runtime/clock.js';
import { ensureBusyboxImage } from './support/busybox-image.js';

/**
 * Probes against a real container: a busybox httpd on :8080, reached from the host at the
 * container's bridge IP, and exec through the Docker API. Everything this file creates carries
 * berth.test=probes plus a per-run label, and is removed by that run label.
 */
const docker = new Dockerode();
const run = `${process.pid}-${randomBytes(4).toString('hex')}`;
const labels = { 'berth.test': 'probes', 'berth.test.run': run };
const never = new AbortController().signal;

let runner: ProbeRunner;
let containerId: string;
let ip: string;
let startedAt: number;

beforeAll(async () => {
  runner = createDockerProbeRunner(docker);
  const image = await ensureBusyboxImage(docker);
  const container = await docker.createContainer({
    name: `berth-test-probes-${run}`,
    Image: image,
    Labels: labels,
    Cmd: ['sh', '-c', 'touch /tmp/healthy && exec httpd -f -p 8080 -h /var/www'],
  });
  containerId = container.id;
  await container.start();
  const info = await container.inspect();
  ip = info.NetworkSettings.Networks.bridge?.IPAddress ?? '';
  expect(ip).not.toBe('');
  startedAt = Date.parse(info.State.StartedAt);
  await waitFor(async () => (await runner.tcpSocket(ip, 8080, 1000, deadline(1000))).ok, 10_000);
});

afterAll(async () => {
  const mine = await docker.listContainers({ all: true, filters: { label: [`berth.test.run=${run}`] } });
  await Promise.all(mine.map((c) => docker.getContainer(c.Id).remove({ force: true })));
});

/** A signal that aborts after `ms` on the system clock. */
function deadline(ms: number): AbortSignal {
  const abort = new AbortController();
  systemClock.setTimeout(() => abort.abort(), ms);
  return abort.signal;
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = systemClock.now() + timeoutMs;
  while (!(await check())) {
    if (systemClock.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await systemClock.sleep(100);
  }
}

describe('Docker probe runner against a busybox container', () => {
  const http = (path: string, port = 8080) => runner.httpGet({ host: ip, port, path, scheme: 'HTTP', headers: [] }, 1000, never);

  it('httpGet: 200 passes, 404 fails, a closed port fails', async () => {
    expect(await http('/index.html')).toEqual({ ok: true, message: 'HTTP probe succeeded with statuscode: 200' });
    expect(await http('/missing')).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 404' });
    const refused = await http('/', 8081);
    expect(refused.ok).toBe(false);
    expect(refused.message).toBe(`GET http://${ip}:8081/: connect ECONNREFUSED ${ip}:8081`);
  });

  it('tcpSocket: the httpd port passes, a closed port fails', async () => {
    expect(await runner.tcpSocket(ip, 8080, 1000, never)).toEqual({ ok: true, message: `TCP connect to ${ip}:8080 succeeded` });
    expect(await runner.tcpSocket(ip, 8081, 1000, never)).toEqual({
      ok: false,
      message: `dial tcp ${ip}:8081: connect ECONNREFUSED ${ip}:8081`,
    });
  });

  it('exec: exit 0 passes, a non-zero exit fails with its output', async () => {
    expect(await runner.exec(containerId, ['test', '-f', '/tmp/healthy'], 1000, never)).toEqual({ ok: true, message: 'exit code 0' });
    expect(await runner.exec(containerId, ['echo', 'fine'], 1000, never)).toEqual({ ok: true, message: 'exit code 0: fine' });
    const command = ['sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 3'];
    const failed = await runner.exec(containerId, command, 1000, never);
    expect(failed.ok).toBe(false);
    expect(failed.message).toMatch(/^exec \["sh","-c","echo to-stdout; echo to-stderr >&2; exit 3"\] exited with code 3: /);
    expect(failed.message).toContain('to-stdout');
    expect(failed.message).toContain('to-stderr');
  });

  it('exec: a command that is not in the image fails', async () => {
    const outcome = await runner.exec(containerId, ['no-such-binary'], 1000, never);
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/^exec \["no-such-binary"\]/);
  });

  it('exec: aborting the signal gives up on a command that hangs', async () => {
    const abort = new AbortController();
    const started = systemClock.now();
    const pending = runner.exec(containerId, ['sleep', '30'], 1000, abort.signal);
    await systemClock.sleep(500);
    abort.abort();
    expect(await pending).toEqual({ ok: false, message: 'exec ["sleep","30"]: cancelled (timeout)' });
    expect(systemClock.now() - started).toBeLessThan(5000);
  });
});

describe('prober on the real clock with the Docker runner', () => {
  const base: Omit<Probe, 'exec' | 'httpGet' | 'tcpSocket'> = {
    initialDelaySeconds: 0,
    periodSeconds: 1,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 2,
  };

  it('readiness over httpGet (named port), tcp startup, exec liveness that fails once the file is gone', async () => {
    const changes: PodProbeStatus[] = [];
    const failures: string[] = [];
    const prober = createProber({
      runner,
      clock: systemClock,
      onChange: (s) => changes.push(s),
      onLivenessFailure: (_pod, container, message) => failures.push(`${container}: ${message}`),
    });
    const target: ProbeTarget = {
      podKey: 'probes/web',
      podIP: ip,
      containers: [
        {
          name: 'web',
          containerId,
          startedAt,
          running: true,
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          startupProbe: { ...base, tcpSocket: { port: 'http' } },
          readinessProbe: { ...base, httpGet: { path: '/index.html', port: 'http', scheme: 'HTTP' } },
          livenessProbe: { ...base, exec: { command: ['test', '-f', '/tmp/healthy'] } },
        },
      ],
    };
    try {
      prober.update([target]);
      await waitFor(() => prober.status('probes/web')?.ready === true, 10_000);
      expect(prober.status('probes/web')?.containers.web).toMatchObject({ started: true, ready: true, live: true });

      await waitFor(() => prober.status('probes/web')?.containers.web?.lastResult?.kind === 'liveness', 5000);
      expect(await runner.exec(containerId, ['rm', '/tmp/healthy'], 1000, never)).toMatchObject({ ok: true });
      const removedAt = systemClock.now();
      await waitFor(() => failures.length > 0, 10_000);
      // failureThreshold 2 at periodSeconds 1: about 2 s, never sooner than one period.
      expect(systemClock.now() - removedAt).toBeGreaterThanOrEqual(900);
      expect(failures).toEqual(['web: Liveness probe failed: exec ["test","-f","/tmp/healthy"] exited with code 1']);
      expect(prober.status('probes/web')?.containers.web?.live).toBe(false);
      expect(changes.map((c) => c.containers.web?.ready)).toContain(true);
    } finally {
      await prober.stop();
    }
  });

  it('an exec probe that outlasts timeoutSeconds fails after about that long', async () => {
    const prober = createProber({ runner, clock: systemClock });
    const target: ProbeTarget = {
      podKey: 'probes/slow',
      podIP: ip,
      containers: [
        {
          name: 'web',
          containerId,
          startedAt,
          running: true,
          readinessProbe: { ...base, periodSeconds: 10, failureThreshold: 1, exec: { command: ['sleep', '5'] } },
        },
      ],
    };
    try {
      const started = systemClock.now();
      prober.update([target]);
      await waitFor(() => prober.status('probes/slow')?.containers.web?.lastResult !== undefined, 5000);
      const elapsed = systemClock.now() - started;
      expect(prober.status('probes/slow')?.containers.web?.lastResult).toMatchObject({
        kind: 'readiness',
        ok: false,
        message: 'exec ["sleep","5"]: timed out after 1s',
      });
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(3000);
    } finally {
      await prober.stop();
    }
  });
});
