import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { eventually, killDaemons, startDaemon } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';
import { stopDataplane } from './support/services.js';

/**
 * Status words and counts on the real engine (issue 13, item 6): crash loops that Docker
 * restarts and berth then takes over (an error, an OOM kill, an exit 0 under restartPolicy
 * Always) read CrashLoopBackOff with the run's own reason in Last State, RESTARTS keeps
 * Docker's restarts after berth's `docker start` reset Docker's count, and a container
 * re-created by healing counts as a restart with an event on its pod saying why.
 */
let t: E2eApp;
let live: E2eApp | undefined;
let image: string;

beforeAll(async () => {
  t = await createE2eApp('statuswords');
  image = await ensureBusyboxImage(t.docker);
});
afterAll(async () => {
  await killDaemons();
  if (live) {
    await stopDataplane(live);
    await live.cleanup();
  }
  await t.cleanup();
});

const deployment = (name: string, command: string, resources = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: IMAGE
        command: [sh, -c, '${command}']
${resources}`;

const LOOPS = {
  crash: { reason: 'Error', exitCode: 3 },
  // A shell doubling a string until the 8 MiB limit kills it.
  oom: { reason: 'OOMKilled', exitCode: 137 },
  done: { reason: 'Completed', exitCode: 0 },
} as const;
type Loop = keyof typeof LOOPS;

interface PodJson {
  metadata: { name: string; labels: Record<string, string> };
  status: { containerStatuses: Array<{ restartCount: number; state: Record<string, { reason?: string }>; lastState: { terminated?: { reason: string; exitCode?: number } } }> };
}

async function berthOk(...args: string[]): Promise<string> {
  const r = await t.berth(...args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

async function pods(): Promise<Map<string, PodJson>> {
  const list = JSON.parse(await berthOk('get', 'pods', '-o', 'json')) as { items: PodJson[] };
  return new Map(list.items.map((p) => [p.metadata.labels['app']!, p]));
}

/** The app container of each Deployment's pod, inspected. */
async function inspectApp(name: string): Promise<Dockerode.ContainerInspectInfo> {
  const c = (await t.containers()).find((x) => x.Labels['berth.role'] === 'container' && x.Labels['berth.controller'] === `Deployment/default/${name}`);
  if (!c) throw new Error(`no container for ${name}`);
  return t.docker.getContainer(c.Id).inspect();
}

/**
 * How each loop's last run ended in the kubelet's words. Docker 20.10 sometimes loses the OOM
 * flag of a run killed within milliseconds of its start (containerd's OOM event arrives after
 * its exit event): berth can only say what Docker says, so for the OOM loop the reason is read
 * from Docker's own flag, the exit code (137, SIGKILL) is always checked.
 */
async function lastRuns(): Promise<Record<Loop, { reason: string; exitCode: number }>> {
  const oom = (await inspectApp('oom')).State;
  expect(oom.Status).toBe('exited');
  return { ...LOOPS, oom: { reason: oom.OOMKilled ? 'OOMKilled' : 'Error', exitCode: 137 } };
}

/** `get pods` rows by app label: STATUS and RESTARTS. */
async function table(): Promise<Map<string, { status: string; restarts: number }>> {
  const byName = new Map([...(await pods()).values()].map((p) => [p.metadata.name, p.metadata.labels['app']!]));
  const rows = (await berthOk('get', 'pods')).trim().split('\n').slice(1).map((l) => l.split(/\s{2,}/));
  return new Map(rows.map((r) => [byName.get(r[0]!)!, { status: r[2]!, restarts: Number(r[3]!.split(' ')[0]) }]));
}

describe('crash loops Docker restarted, then berth', () => {
  it('read CrashLoopBackOff with the run\'s reason, keep Docker\'s restarts in RESTARTS; a re-created container counts and its pod says why', async () => {
    await t.write({
      'crash.yaml': deployment('crash', 'echo bye; exit 3').replaceAll('IMAGE', image),
      'oom.yaml': deployment('oom', 'x=a; while true; do x=$x$x; done', '        resources: {limits: {memory: 8Mi}}\n').replaceAll('IMAGE', image),
      'done.yaml': deployment('done', 'exit 0').replaceAll('IMAGE', image),
      // A sandbox pod (a fieldRef env keeps it one, plan/pod-shape.ts): its container removed by
      // hand is made again in the same pod. A single-container pod would be gone with it.
      'steady.yaml': deployment('steady', 'sleep 3600', '        env: [{name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]\n').replaceAll('IMAGE', image),
    });
    await berthOk('apply', '-f', t.dir);
    const loops = Object.keys(LOOPS) as Loop[];

    // Docker's restart policy restarts them at once (a command leaves crash loops to Docker).
    await eventually('Docker restarting each loop', async () => (await Promise.all(loops.map(inspectApp))).every((i) => i.RestartCount >= 1));
    // A container removed by hand, for healing to re-create.
    await t.docker.getContainer((await inspectApp('steady')).Id).remove({ force: true });

    // The daemon (only a process that stays holds restarts) takes over each loop it sees exited
    // or in Docker's restart wait (restart policy `no`; one caught running in between waits for
    // the next pass) and re-creates the removed container.
    await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir]);
    await eventually('berth to take every loop over', async () => (await Promise.all(loops.map(inspectApp))).every((i) => i.HostConfig.RestartPolicy?.Name === 'no'), 60_000, 100);
    const taken = await eventually('Docker to stop restarting the loops', async () => {
      const infos = await Promise.all(loops.map(inspectApp));
      return infos.every((i) => i.HostConfig.RestartPolicy?.Name === 'no' && i.State.Status === 'exited') && infos;
    });
    const dockerCounts = Object.fromEntries(loops.map((l, i) => [l, taken[i]!.RestartCount])) as Record<Loop, number>;
    for (const l of loops) expect(dockerCounts[l], l).toBeGreaterThanOrEqual(1);
    const lastRun = await lastRuns();

    let seen = await pods();
    let rows = await table();
    for (const l of loops) {
      const s = seen.get(l)!.status.containerStatuses[0]!;
      expect(s.state['waiting']?.reason, l).toBe('CrashLoopBackOff');
      expect(s.lastState.terminated, l).toMatchObject(lastRun[l]);
      expect(s.restartCount, l).toBe(dockerCounts[l]);
      // Before: an OOM-killed container in back-off read OOMKilled.
      expect(rows.get(l), l).toEqual({ status: 'CrashLoopBackOff', restarts: dockerCounts[l] });
    }

    // berth restarts each after its back-off with `docker start`, which resets Docker's count.
    await eventually('berth to restart every loop itself', async () => {
      const infos = await Promise.all(loops.map(inspectApp));
      return infos.every((i) => i.RestartCount === 0 && Date.parse(i.State.StartedAt) > Date.parse(taken.find((x) => x.Id === i.Id)!.State.FinishedAt));
    }, 120_000, 1000);
    seen = await eventually('the loops to end their runs again', async () => {
      const p = await pods();
      return loops.every((l) => p.get(l)!.status.containerStatuses[0]!.state['waiting']) && p;
    });
    rows = await table();
    const again = await lastRuns();
    for (const l of loops) {
      const s = seen.get(l)!.status.containerStatuses[0]!;
      // Docker's restarts before the takeover plus berth's (before: berth's alone).
      expect(s.restartCount, l).toBeGreaterThanOrEqual(dockerCounts[l] + 1);
      expect(s.lastState.terminated, `${l}: ${JSON.stringify(s)}`).toMatchObject(again[l]);
      expect(rows.get(l), l).toEqual({ status: 'CrashLoopBackOff', restarts: s.restartCount });
    }

    // The pod of a Deployment hears about its crash loop, not only the Deployment.
    const crash = await berthOk('describe', 'pod', seen.get('crash')!.metadata.name);
    expect(crash).toMatch(/Warning\s+BackOff\s+\S+\s+berth\s+Back-off restarting failed container app/);
    expect(crash).toMatch(/Normal\s+Started\s+\S+\s+berth\s+Started container app again/);

    // The re-created container: one restart, how the old one ended is unknown, and an event says why.
    const steady = seen.get('steady')!.status.containerStatuses[0]!;
    expect(steady.state['running']).toBeDefined();
    expect(steady.restartCount).toBe(1);
    expect(steady.lastState.terminated?.reason).toBe('ContainerStatusUnknown');
    const described = await berthOk('describe', 'pod', seen.get('steady')!.metadata.name);
    expect(described).toMatch(/Restart Count:\s+1\n/);
    expect(described).toMatch(/Normal\s+Created\s+\S+\s+berth\s+Created container app again: container app was removed/);
  });
});

describe('a container killed for its liveness probe', () => {
  it('reads how the run ended (Error, exit code), counts the restart and says Killing, as the kubelet does', async () => {
    live = await createE2eApp('statuslive');
    const app = live;
    await app.write({
      'live.yaml': `apiVersion: v1
kind: Pod
metadata: {name: live}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${image}
    command: [sh, -c, 'touch /tmp/healthy; sleep 2; rm /tmp/healthy; exec sleep 3600']
    livenessProbe: {exec: {command: [test, -f, /tmp/healthy]}, periodSeconds: 1, failureThreshold: 1}
`,
    });
    await startDaemon(['--watch', app.dir, '--app', app.app, '--state-dir', app.stateDir]);
    const status = await eventually('a liveness restart', async () => {
      const r = await app.berth('get', 'pod', 'live', '-o', 'json');
      if (r.code !== 0) return undefined;
      const s = (JSON.parse(r.stdout) as PodJson).status.containerStatuses[0]!;
      // The restart is counted when the kill begins; how the run ended is known once it stopped.
      return s.restartCount >= 1 && s.lastState.terminated?.exitCode !== undefined && s;
    }, 90_000, 250);
    // Before: reason `Unhealthy` (an event's word) and no exit code.
    const described = await app.berth('describe', 'pod', 'live');
    expect(status.lastState.terminated!.reason, `${JSON.stringify(status)}\n${described.stdout}`).toBe('Error');
    // SIGTERM, or SIGKILL after the grace period: a signal's exit code.
    expect(status.lastState.terminated!.exitCode).toBeGreaterThan(128);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/Warning\s+Unhealthy\s+\S+\s+berth\s+Liveness probe failed: /);
    expect(described.stdout).toMatch(/Normal\s+Killing\s+\S+\s+berth\s+Container app failed liveness probe, will be restarted/);
  });
});
