/**
 * `npm run bench:startup`: what a CLI command costs before it does anything (issue 18: any
 * command's fixed start-up ≤ 100 ms; measured on main before it: `berth version` 0.2 s, ~70 MB).
 * Times child processes, median of RUNS each, interleaved round by round so load on the machine
 * falls on every row alike: bare `node -e 0` (the floor: what any node program pays), then
 * `berth version`, `berth --help`, `berth get --help`, `berth validate` of a one-document file,
 * `berth get pods` against an empty state dir (it lists Docker's containers: skipped with
 * --no-docker), and `--help` of every other command. Fixed start-up = command wall − floor.
 * `get pods` does Docker's work too, so its floor is a node process that loads dockerode and
 * lists the containers (the issue's floor for a listing: the same read with bare dockerode).
 * Peak RSS is read with GNU time where the machine has it.
 *
 * --baseline DIR: time DIR/bin/berth (another checkout, built) in the same run beside this one.
 * Builds first (`npm run build`) unless --no-build is given.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtMs, median, ROOT, table } from './support.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const GOAL_MS = 100;
/** `berth version` on main before issue 18 (the issue's figure). */
const ISSUE_BASELINE_MS = 200;
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** The floor of a listing: load dockerode and list every container, nothing else. */
const DOCKERODE_LIST = `const Docker = require('dockerode'); new Docker().listContainers({ all: true }).then((l) => { if (!Array.isArray(l)) process.exit(1); });`;

interface Sample {
  wall: number;
  rssKb?: number;
}

interface Row {
  name: string;
  args: string[];
  /** Program run with node: bin/berth of this checkout, of the baseline, or none (the floor). */
  bin?: string;
  env?: Record<string, string>;
  /** The row whose median is this one's floor; the first row (bare node) when unset. */
  floor?: Row;
  samples: Sample[];
}

function run(row: Row): Sample {
  const node = [...(row.bin ? [row.bin] : []), ...row.args];
  const [cmd, argv] = TIME ? [TIME, ['-f', '%M', process.execPath, ...node]] : [process.execPath, node];
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...row.env }, maxBuffer: 16 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) throw new Error(`${row.name} exited ${res.status}:\n${res.stdout.slice(-1500)}${res.stderr.slice(-1500)}`);
  const rss = TIME ? /(\d+)\s*$/.exec(res.stderr) : null;
  return rss ? { wall, rssKb: Number(rss[1]) } : { wall };
}

function main(): void {
  const args = process.argv.slice(2);
  if (!args.includes('--no-build')) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build exited ${build.status}\n${build.stdout.slice(-1500)}`);
  }
  const baselineAt = args.indexOf('--baseline');
  const baseline = baselineAt >= 0 ? join(args[baselineAt + 1]!, 'bin', 'berth') : undefined;
  const docker = !args.includes('--no-docker');
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-startup-'));
  try {
    const file = join(dir, 'configmap.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  key: value\n');
    const state = { BERTH_STATE_DIR: join(dir, 'state'), BERTH_APP: 'bench-startup' };
    const berth = join(ROOT, 'bin', 'berth');
    const rows: Row[] = [{ name: 'node -e 0 (floor)', args: ['-e', '0'], samples: [] }];
    const commands: Array<[string, string[], Record<string, string>?]> = [
      ['version', ['version']],
      ['--help', ['--help']],
      ['get --help', ['get', '--help']],
      ['validate FILE (1 doc)', ['validate', file]],
      ...(docker ? [['get pods (empty state)', ['get', 'pods'], state] as [string, string[], Record<string, string>]] : []),
    ];
    const listFloor: Row | undefined = docker ? { name: 'node + dockerode listContainers (floor of get pods)', args: ['-e', DOCKERODE_LIST], samples: [] } : undefined;
    if (listFloor) rows.push(listFloor);
    for (const [name, argv, env] of commands) {
      const floor = name.startsWith('get pods') ? listFloor : undefined;
      rows.push({ name: `berth ${name}`, args: argv, bin: berth, env, floor, samples: [] });
      if (baseline) rows.push({ name: `  baseline ${name}`, args: argv, bin: baseline, env, floor, samples: [] });
    }
    const others = ['validate', 'diff', 'apply', 'describe', 'delete', 'scale', 'rollout', 'logs', 'exec', 'port-forward', 'daemon', 'state', 'kustomize', 'explain', 'config', 'top', 'events', 'api-resources'];
    for (const c of others) rows.push({ name: `berth ${c} --help`, args: [c, '--help'], bin: berth, samples: [] });
    console.log(`${RUNS} runs of each, interleaved; median wall time${TIME ? ' and peak RSS' : ''}; fixed start-up = wall − floor\n`);
    for (let i = 0; i < RUNS; i++) for (const row of rows) row.samples.push(run(row));
    const wallOf = (row: Row) => median(row.samples.map((s) => s.wall));
    const floor = wallOf(rows[0]!);
    const out = [['command', 'wall', 'start-up', 'RSS', `≤ ${GOAL_MS} ms`]];
    let worst = 0;
    for (const row of rows) {
      const wall = wallOf(row);
      const fixed = wall - (row.floor ? wallOf(row.floor) : floor);
      const isFloor = row.bin === undefined;
      const ours = row.bin === berth;
      if (ours) worst = Math.max(worst, fixed);
      const rss = row.samples.every((s) => s.rssKb !== undefined) ? `${(median(row.samples.map((s) => s.rssKb!)) / 1024).toFixed(0)} MB` : '';
      out.push([row.name, fmtMs(wall), isFloor ? '' : fmtMs(fixed), rss, ours ? (fixed <= GOAL_MS ? 'met' : 'MISSED') : '']);
    }
    console.log(table(out));
    console.log(`\nworst fixed start-up ${fmtMs(worst)} (goal ≤ ${GOAL_MS} ms: ${worst <= GOAL_MS ? 'met' : 'MISSED'}); floor ${fmtMs(floor)}; baseline before issue 18: berth version ${fmtMs(ISSUE_BASELINE_MS)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
