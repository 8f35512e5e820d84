/**
 * bench:apply (issues 3, 18): 100 single-container pods (20 Deployments × 5 replicas of a small
 * local image) from cold, then a no-op apply, with Docker API calls by operation (count and
 * time); in the same run, Debian's docker-compose `up -d` of the equivalent 20 services × 5
 * replicas, cold and no-op. Goals: cold apply no slower than compose; no-op under 1 s and under
 * half of compose's.
 *
 * Also the floor under each: the same Docker calls made directly with dockerode at berth's
 * concurrency, with no tool around them (bench/apply-floor.ts): 100 pods as Kubernetes runs them
 * (a sandbox holding the network namespace plus the app container joining it), and 100 plain
 * containers as compose runs them.
 *
 * The Docker engine is shared and its speed drifts: three rounds (`--rounds N`), berth and
 * compose alternating which goes first, each cold apply started on a settled machine, each
 * round printed, then the medians.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/runtime/clock.js';
import { createDockerClient } from '../src/apply/docker.js';
import { buildBusyboxImage } from '../scripts/images.js';
import { floor } from './apply-floor.js';
import { BERTH, fmtMs, median, must, settle, table, timed } from './support.js';

const DEPLOYMENTS = 20;
const REPLICAS = 5;
const IMAGE = 'berth-bench/busybox:1';
/** berth's executor runs this many pod actions at once (src/apply/execute.ts). */
const CONCURRENCY = 16;
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
/** `--floor-rounds N`: the floors only in the first N rounds (they take as long as the tools on a loaded engine). */
const floorArg = process.argv.indexOf('--floor-rounds');
const FLOOR_ROUNDS = floorArg > 0 ? Number(process.argv[floorArg + 1]) : ROUNDS;

const docker = createDockerClient({ clock: systemClock });
await buildBusyboxImage(docker, IMAGE);
const dir = await mkdtemp(join(tmpdir(), 'berth-bench-apply-'));
const manifests = join(dir, 'manifests');
const empty = join(dir, 'empty');
await Promise.all([mkdir(manifests), mkdir(empty)]);

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

interface Stats {
  dockerCalls: Record<string, number>;
  dockerMs?: Record<string, number>;
  total: number;
  mutating: number;
}
const stats = (stderr: string): Stats | undefined => {
  const line = stderr.split('\n').find((l) => l.startsWith('{"dockerCalls"'));
  return line ? (JSON.parse(line) as Stats) : undefined;
};

interface Round {
  berthCold: number;
  berthNoop: number;
  composeCold: number;
  composeNoop: number;
  podFloor: number;
  containerFloor: number;
  pods: number;
  composeContainers: number;
  cold?: Stats;
  noop?: Stats;
}

/** berth's cold and no-op apply of a fresh app, then its teardown. */
async function berthRun(round: number): Promise<Pick<Round, 'berthCold' | 'berthNoop' | 'pods' | 'cold' | 'noop'>> {
  // A fresh app and state per round: a wedged leftover (dockerd 20.10 can lose count of a
  // network's endpoints) must not block the next one.
  const args = ['--app', `bench-apply-${process.pid}-${round}`, '--state-dir', join(dir, `state-${round}`)];
  try {
    await quiet('berth');
    const cold = must(await timed(BERTH, ['apply', '-f', manifests, ...args], { BERTH_STATS: '1' }), 'berth cold apply');
    const noop = must(await timed(BERTH, ['apply', '-f', manifests, ...args], { BERTH_STATS: '1' }), 'berth no-op apply');
    const pods = (await docker.api.listContainers({ filters: { label: [`berth.app=bench-apply-${process.pid}-${round}`, 'berth.role=container'] } })).length;
    return { berthCold: cold.ms, berthNoop: noop.ms, pods, ...optional('cold', stats(cold.stderr)), ...optional('noop', stats(noop.stderr)) };
  } finally {
    await timed(BERTH, ['apply', '-f', empty, '--prune', '--all', '--allow-empty', ...args]);
  }
}

/** compose's cold and no-op `up -d` of a fresh project, then its `down`. */
async function composeRun(round: number): Promise<Pick<Round, 'composeCold' | 'composeNoop' | 'composeContainers'>> {
  const project = `berthbenchapply${process.pid}r${round}`;
  const args = ['-p', project, '-f', composeFile];
  try {
    await quiet('compose');
    const cold = must(await timed('docker-compose', [...args, 'up', '-d']), 'compose cold up');
    const noop = must(await timed('docker-compose', [...args, 'up', '-d']), 'compose no-op up');
    const composeContainers = (await docker.api.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } })).length;
    return { composeCold: cold.ms, composeNoop: noop.ms, composeContainers };
  } finally {
    // dockerd 20.10 sometimes reports "active endpoints" for a network whose containers just
    // went; a second `down` finishes the job.
    for (let i = 0; i < 3; i++) if ((await timed('docker-compose', [...args, 'down', '-t', '1'])).code === 0) break;
  }
}

/**
 * Each cold apply starts on a quiet machine (support.ts settle): the teardown of whatever ran
 * before it, the other tool's or a floor's, is not charged to it. Logged, so a run on a busy
 * host shows it never settled.
 */
async function quiet(who: string): Promise<void> {
  const s = await settle();
  console.log(`  ${who}: ${s.settled ? 'settled' : 'NOT settled'} after ${fmtMs(s.ms)} (${s.idlePct.toFixed(0)} % idle)`);
}

const orDash = (ms: number) => (Number.isNaN(ms) ? '—' : fmtMs(ms));

/** berth's Docker calls by operation: count, summed latency (calls overlap), mean latency. */
function printCalls(what: string, s: Stats | undefined): void {
  console.log(`\nDocker API calls, ${what} (${s?.total} total, ${s?.mutating} mutating): count, summed latency, mean`);
  for (const [op, n] of Object.entries(s?.dockerCalls ?? {}).sort((a, b) => b[1] - a[1])) {
    const ms = s?.dockerMs?.[op];
    console.log(`  ${String(n).padStart(5)}  ${(ms === undefined ? '' : fmtMs(ms)).padStart(9)}  ${(ms === undefined ? '' : fmtMs(ms / n)).padStart(7)}  ${op}`);
  }
}

function optional<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

const floorOptions = { image: IMAGE, count: DEPLOYMENTS * REPLICAS, concurrency: CONCURRENCY };
const rounds: Round[] = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    // Alternating who goes first: the engine slows as it holds more (and others' work) over a run.
    const berthFirst = r % 2 === 0;
    const first = berthFirst ? await berthRun(r) : await composeRun(r);
    const second = berthFirst ? await composeRun(r) : await berthRun(r);
    // Out before the floors: on a loaded engine a floor can fail where the tools did not.
    const tools = { ...first, ...second } as Round;
    console.log(`round ${r + 1}: berth ${fmtMs(tools.berthCold)}, compose ${fmtMs(tools.composeCold)} (${(tools.berthCold / tools.composeCold).toFixed(2)})`);
    const floorOf = async (shape: 'pods' | 'containers') => (await quiet(`floor of ${shape}`), floor(docker, shape, floorOptions));
    const floors = r >= FLOOR_ROUNDS ? [NaN, NaN] : berthFirst ? [await floorOf('pods'), await floorOf('containers')] : [await floorOf('containers'), await floorOf('pods')].reverse();
    const round = { ...first, ...second, podFloor: floors[0]!, containerFloor: floors[1]! } as Round;
    rounds.push(round);
    console.log(`round ${r + 1} (${berthFirst ? 'berth' : 'compose'} first; berth: ${round.pods} pods running, compose: ${round.composeContainers} containers)`);
    console.log(
      table([
        ['', 'berth', 'compose', 'berth/compose', 'floor: pods', 'floor: containers'],
        ['cold apply', fmtMs(round.berthCold), fmtMs(round.composeCold), (round.berthCold / round.composeCold).toFixed(2), orDash(round.podFloor), orDash(round.containerFloor)],
        ['no-op apply', fmtMs(round.berthNoop), fmtMs(round.composeNoop), (round.berthNoop / round.composeNoop).toFixed(2), '', ''],
      ]),
    );
    console.log('');
  }
  const m = (f: (r: Round) => number) => {
    const xs = rounds.map(f).filter((x) => !Number.isNaN(x));
    return xs.length ? median(xs) : NaN;
  };
  const ratios = rounds.map((r) => r.berthCold / r.composeCold);
  console.log(`bench:apply — ${DEPLOYMENTS} Deployments × ${REPLICAS} replicas, medians of ${rounds.length} rounds\n`);
  console.log(
    table([
      ['', 'berth', 'docker-compose', 'goal', 'met'],
      ['cold apply', fmtMs(m((r) => r.berthCold)), fmtMs(m((r) => r.composeCold)), '≤ compose, every round', ratios.every((x) => x <= 1) ? 'yes' : 'NO'],
      ['no-op apply', fmtMs(m((r) => r.berthNoop)), fmtMs(m((r) => r.composeNoop)), '< 1 s and < ½ compose', rounds.every((r) => r.berthNoop < 1000 && r.berthNoop < r.composeNoop / 2) ? 'yes' : 'NO'],
    ]),
  );
  console.log(`\nberth/compose by round: ${ratios.map((x) => x.toFixed(2)).join(', ')}`);
  console.log(`\nFloor: the same containers made with bare Docker calls, ${CONCURRENCY} at a time, no tool (medians):\n`);
  console.log(
    table([
      ['', 'floor', 'tool', 'tool adds'],
      ['100 pods (sandbox + app container)', orDash(m((r) => r.podFloor)), `berth ${fmtMs(m((r) => r.berthCold))}`, orDash(m((r) => r.berthCold - r.podFloor))],
      ['100 plain containers', orDash(m((r) => r.containerFloor)), `compose ${fmtMs(m((r) => r.composeCold))}`, orDash(m((r) => r.composeCold - r.containerFloor))],
    ]),
  );
  for (const [i, r] of rounds.entries()) {
    printCalls(`cold apply, round ${i + 1}`, r.cold);
    printCalls(`no-op apply, round ${i + 1}`, r.noop);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
