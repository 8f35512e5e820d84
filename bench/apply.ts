/**
 * bench:apply (issue 3): 100 single-container pods (20 Deployments × 5 replicas of a small
 * local image) from cold, then a no-op apply, with Docker API calls by operation; in the same
 * run, Debian's docker-compose `up -d` of the equivalent 20 services × 5 replicas, cold and
 * no-op. Goals: cold apply no slower than compose; no-op under 1 s and under half of compose's.
 *
 * Also the floor under each: the same Docker calls made directly with dockerode at berth's
 * concurrency, with no tool around them: 100 pods as Kubernetes runs them (a sandbox holding the
 * network namespace plus the app container joining it), and 100 plain containers as compose
 * runs them. What a tool adds is its figure minus its floor; what the pod model costs is the
 * difference between the floors.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerClient } from '../src/apply/docker.js';
import { systemClock } from '../src/runtime/clock.js';
import { createDockerClient } from '../src/apply/docker.js';
import { ensureSandboxImage } from '../src/apply/images/index.js';
import { buildBusyboxImage } from '../scripts/images.js';
import { BERTH, fmtMs, must, table, timed } from './support.js';

const DEPLOYMENTS = 20;
const REPLICAS = 5;
const IMAGE = 'berth-bench/busybox:1';
/** berth's executor runs this many pod actions at once (src/apply/execute.ts). */
const CONCURRENCY = 16;

const docker = createDockerClient({ clock: systemClock });
await buildBusyboxImage(docker, IMAGE);
const dir = await mkdtemp(join(tmpdir(), 'berth-bench-apply-'));
const manifests = join(dir, 'manifests');
const empty = join(dir, 'empty');
const state = join(dir, 'state');
await Promise.all([import('node:fs/promises').then((fs) => fs.mkdir(manifests)), import('node:fs/promises').then((fs) => fs.mkdir(empty))]);

const docs: string[] = [];
const services: string[] = [];
for (let i = 0; i < DEPLOYMENTS; i++) {
  docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: svc${i}}
spec:
  replicas: ${REPLICAS}
  selector: {matchLabels: {app: svc${i}}}
  template:
    metadata: {labels: {app: svc${i}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${IMAGE}
        command: [sleep, '100000']
`);
  services.push(`  svc${i}:
    image: ${IMAGE}
    command: [sleep, '100000']
    scale: ${REPLICAS}
    stop_grace_period: 1s
`);
}
await writeFile(join(manifests, 'app.yaml'), docs.join('---\n'));
const composeFile = join(dir, 'docker-compose.yml');
await writeFile(composeFile, `version: '2.4'\nservices:\n${services.join('')}`);

/** Wall time of `pods` pods (or plain containers) made with bare Docker calls, then removed. */
async function floor(docker: DockerClient, shape: 'pods' | 'containers'): Promise<number> {
  const sandboxImage = await ensureSandboxImage(docker);
  const network = `berth-bench-floor-${process.pid}-${shape}`;
  const labels = { 'berth-bench.floor': String(process.pid) };
  await docker.api.createNetwork({ Name: network, Driver: 'bridge', Labels: labels });
  // Containers that own a network namespace, and those that join one (removed first).
  const owners: string[] = [];
  const joined: string[] = [];
  const app = async () => {
    if (shape === 'containers') {
      const c = await docker.api.createContainer({ Image: IMAGE, Cmd: ['sleep', '100000'], Labels: labels, HostConfig: { NetworkMode: network } });
      owners.push(c.id);
      await c.start();
      return;
    }
    // What berth does per pod, minus everything else: the app container is created while the
    // sandbox starts, and starts once the sandbox runs.
    const sandbox = await docker.api.createContainer({ Image: sandboxImage, Labels: labels, HostConfig: { NetworkMode: network, IpcMode: 'shareable' } });
    owners.push(sandbox.id);
    const started = sandbox.start();
    const c = await docker.api.createContainer({
      Image: IMAGE,
      Cmd: ['sleep', '100000'],
      Labels: labels,
      HostConfig: { NetworkMode: `container:${sandbox.id}`, IpcMode: `container:${sandbox.id}` },
    });
    joined.push(c.id);
    await started;
    await c.start();
  };
  const t0 = process.hrtime.bigint();
  let next = 0;
  const total = DEPLOYMENTS * REPLICAS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        next++;
        await app();
      }
    }),
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  // Stop, then remove, 16 at a time: force-removing 200 running containers at once can leave
  // dockerd 20.10 counting endpoints that are gone, and the network then never goes.
  for (const queue of [joined, owners]) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          await docker.api.getContainer(id).stop({ t: 0 }).catch(() => undefined);
          await docker.api.getContainer(id).remove({ force: true, v: true });
        }
      }),
    );
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await docker.api.getNetwork(network).remove();
      break;
    } catch (err) {
      if (attempt === 10) {
        console.error(`bench:apply: could not remove network ${network} (${(err as Error).message.trim()}); a dockerd restart clears it`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return ms;
}

// A fresh app per run: a wedged leftover of an earlier run (dockerd 20.10 can lose count of a
// network's endpoints) must not block this one.
const app = `bench-apply-${process.pid}`;
const berthArgs = ['--app', app, '--state-dir', state];
const stats = (stderr: string) => {
  const line = stderr.split('\n').find((l) => l.startsWith('{"dockerCalls"'));
  return line ? (JSON.parse(line) as { dockerCalls: Record<string, number>; total: number; mutating: number }) : undefined;
};

try {
  const berthCold = must(await timed(BERTH, ['apply', '-f', manifests, ...berthArgs], { BERTH_STATS: '1' }), 'berth cold apply');
  const berthNoop = must(await timed(BERTH, ['apply', '-f', manifests, ...berthArgs], { BERTH_STATS: '1' }), 'berth no-op apply');
  const pods = (await docker.api.listContainers({ filters: { label: [`berth.app=${app}`, 'berth.role=container'] } })).length;
  must(await timed(BERTH, ['apply', '-f', empty, '--prune', '--all', '--allow-empty', ...berthArgs]), 'berth teardown');

  const podFloor = await floor(docker, 'pods');
  const containerFloor = await floor(docker, 'containers');

  const composeArgs = ['-p', 'berthbenchapply', '-f', composeFile];
  const composeCold = must(await timed('docker-compose', [...composeArgs, 'up', '-d']), 'compose cold up');
  const composeNoop = must(await timed('docker-compose', [...composeArgs, 'up', '-d']), 'compose no-op up');
  const composeContainers = (await docker.api.listContainers({ filters: { label: ['com.docker.compose.project=berthbenchapply'] } })).length;

  const cold = stats(berthCold.stderr);
  const noop = stats(berthNoop.stderr);
  console.log(`bench:apply — ${DEPLOYMENTS} Deployments × ${REPLICAS} replicas (berth: ${pods} pods running; compose: ${composeContainers} containers)\n`);
  console.log(
    table([
      ['', 'berth', 'docker-compose', 'goal', 'met'],
      ['cold apply', fmtMs(berthCold.ms), fmtMs(composeCold.ms), '≤ compose', berthCold.ms <= composeCold.ms ? 'yes' : 'NO'],
      ['no-op apply', fmtMs(berthNoop.ms), fmtMs(composeNoop.ms), '< 1 s and < ½ compose', berthNoop.ms < 1000 && berthNoop.ms < composeNoop.ms / 2 ? 'yes' : 'NO'],
    ]),
  );
  console.log(`\nFloor: the same containers made with bare Docker calls, ${CONCURRENCY} at a time, no tool:\n`);
  console.log(
    table([
      ['', 'floor', 'tool', 'tool adds'],
      ['100 pods (sandbox + app container)', fmtMs(podFloor), `berth ${fmtMs(berthCold.ms)}`, fmtMs(berthCold.ms - podFloor)],
      ['100 plain containers', fmtMs(containerFloor), `compose ${fmtMs(composeCold.ms)}`, fmtMs(composeCold.ms - containerFloor)],
    ]),
  );
  console.log(`\nDocker API calls, cold apply (${cold?.total} total, ${cold?.mutating} mutating):`);
  for (const [op, n] of Object.entries(cold?.dockerCalls ?? {}).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${op}`);
  console.log(`Docker API calls, no-op apply (${noop?.total} total, ${noop?.mutating} mutating):`);
  for (const [op, n] of Object.entries(noop?.dockerCalls ?? {}).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${op}`);
} finally {
  await timed(BERTH, ['apply', '-f', empty, '--prune', '--all', '--allow-empty', ...berthArgs]);
  // dockerd 20.10 sometimes reports "active endpoints" for a network whose containers just
  // went; a second `down` finishes the job.
  for (let i = 0; i < 3; i++) if ((await timed('docker-compose', ['-p', 'berthbenchapply', '-f', composeFile, 'down', '-t', '1'])).code === 0) break;
  await rm(dir, { recursive: true, force: true });
}
