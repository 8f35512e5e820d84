/**
 * bench:rollout (issue 4): roll 10 replicas (maxSurge 25%, maxUnavailable 0,
 * minReadySeconds 1) from web:1.0 to web:2.0 and print the wall time next to the floor for
 * that strategy, waves × (pod start + readiness + minReadySeconds), with the per-pod time
 * measured in the same run (a one-pod Deployment applied with --wait, minus the fixed cost of
 * an apply that changes nothing).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/runtime/clock.js';
import { createDockerClient } from '../src/apply/docker.js';
import { imageExists } from '../src/apply/images/index.js';
import { resolveFenceposts } from '../src/model/int-or-string.js';
import { buildExampleImages } from '../scripts/images.js';
import { BERTH, fmtMs, median, must, table, timed } from './support.js';
import { benchGrace } from './rollout-grace.js';

const REPLICAS = 10;
const MIN_READY = 1;
const docker = createDockerClient({ clock: systemClock });
if (!(await imageExists(docker, 'berth-examples/web:2.0'))) await buildExampleImages(docker);

const dir = await mkdtemp(join(tmpdir(), 'berth-bench-rollout-'));
const manifests = join(dir, 'm');
const single = join(dir, 'single');
const empty = join(dir, 'empty');
await Promise.all([mkdir(manifests), mkdir(single), mkdir(empty)]);
const args = ['--app', 'bench-rollout', '--state-dir', join(dir, 'state')];

const deployment = (name: string, replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  minReadySeconds: ${name === 'web' ? MIN_READY : 0}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: ${image}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

try {
  // Per-pod cost: create + start + first passing readiness probe, measured three times.
  const perPod: number[] = [];
  for (let i = 0; i < 3; i++) {
    await writeFile(join(single, 'one.yaml'), deployment(`probe${i}`, 1, 'berth-examples/web:1.0'));
    const create = must(await timed(BERTH, ['apply', '-f', single, '--wait', ...args]), 'one-pod apply');
    const noop = must(await timed(BERTH, ['apply', '-f', single, '--wait', ...args]), 'no-op apply');
    perPod.push(create.ms - noop.ms);
    must(await timed(BERTH, ['apply', '-f', empty, '--prune', '--all', '--allow-empty', ...args]), 'cleanup');
  }
  const podMs = median(perPod);

  await writeFile(join(manifests, 'web.yaml'), deployment('web', REPLICAS, 'berth-examples/web:1.0'));
  must(await timed(BERTH, ['apply', '-f', manifests, '--wait', '--timeout', '5m', ...args]), 'v1 apply');
  const noop = must(await timed(BERTH, ['apply', '-f', manifests, '--wait', ...args]), 'no-op apply');
  await writeFile(join(manifests, 'web.yaml'), deployment('web', REPLICAS, 'berth-examples/web:2.0'));
  const rollout = must(await timed(BERTH, ['apply', '-f', manifests, '--wait', '--timeout', '10m', ...args]), 'v2 rollout');

  const { surge } = resolveFenceposts('25%', 0, REPLICAS);
  const waves = Math.ceil(REPLICAS / surge);
  const floorMs = waves * (podMs + MIN_READY * 1000) + noop.ms;
  console.log(`bench:rollout — ${REPLICAS} replicas, maxSurge 25% (${surge} per wave), maxUnavailable 0, minReadySeconds ${MIN_READY}\n`);
  console.log(
    table([
      ['', 'time'],
      ['per pod: create + start + ready (median of 3)', fmtMs(podMs)],
      ['fixed cost of one apply (no-op, --wait)', fmtMs(noop.ms)],
      [`floor: ${waves} waves × (pod + ${MIN_READY} s) + fixed`, fmtMs(floorMs)],
      ['berth rolling update v1 → v2', fmtMs(rollout.ms)],
      ['ratio to floor', `${(rollout.ms / floorMs).toFixed(2)}×`],
    ]),
  );
  await benchGrace(dir);
} finally {
  await timed(BERTH, ['apply', '-f', empty, '--prune', '--all', '--allow-empty', ...args]);
  await rm(dir, { recursive: true, force: true });
}
