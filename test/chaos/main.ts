/**
 * `npm run chaos`: faults injected into a real berth on the real Docker engine (issue 13), each
 * scenario run a number of times, then one table: scenario | runs | converged | duplicates |
 * orphans | failed requests | held. Exits 1 when any promise did not hold. docs/operations.md
 * ("Chaos suite") says what each scenario checks.
 *
 *   npm run chaos                                # the full counts
 *   npm run chaos -- --small                     # CI's counts (scripts/test.sh)
 *   npm run chaos -- --only kill9,git --kill9 4   # some scenarios, other counts
 *
 * RESTARTS THE DOCKER ENGINE (the dockerd scenarios): every container on the host stops and
 * comes back. Run it when nothing else uses the engine. Needs root (engine restart, tmpfs).
 */
import Dockerode from 'dockerode';
import { buildExampleImages } from '../../scripts/images.js';
import { createDockerClient } from '../../src/apply/docker.js';
import { systemClock } from '../../src/runtime/clock.js';
import { ensureBusyboxImage } from '../e2e/support/busybox-image.js';
import { keeperExists, removeKeeperIfMadeHere, until } from '../e2e/support/keeper.js';
import { killDaemons } from '../e2e/support/daemon.js';
import { dockerdWithDaemon, dockerdWithoutDaemon } from './dockerd.js';
import { gitFaults, type GitFault } from './git-faults.js';
import { killNine } from './kill9.js';
import { scaleLoadRow } from './scale-load.js';
import { storeDamaged, storeFull } from './store.js';
import { cleanupApps, held, table, type Row } from './support.js';

const SCENARIOS = ['kill9', 'dockerd', 'dockerd-daemon', 'git', 'store', 'load'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Counts {
  kill9: number;
  dockerd: number;
  'dockerd-daemon': number;
  load: number;
  gitFaults: GitFault[];
}

const FULL: Counts = { kill9: 10, dockerd: 10, 'dockerd-daemon': 3, load: 5, gitFaults: ['500', 'down', 'hang', 'force-push'] };
// CI: every scenario once or twice (about 3 minutes on 2 cores).
const SMALL: Counts = { kill9: 2, dockerd: 1, 'dockerd-daemon': 1, load: 1, gitFaults: ['500', 'down', 'hang', 'force-push'] };

function parse(argv: string[]): { counts: Counts; only: Set<Scenario> } {
  const counts = { ...(argv.includes('--small') || process.env.BERTH_CHAOS === 'small' ? SMALL : FULL) };
  let only = new Set<Scenario>(SCENARIOS);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--small') continue;
    const value = argv[++i];
    if (value === undefined) throw new Error(`${a} needs a value`);
    if (a === '--only') {
      const names = value.split(',');
      const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
      if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.join(', ')})`);
      only = new Set(names as Scenario[]);
    } else if (a === '--git-faults') counts.gitFaults = value.split(',') as GitFault[];
    else if (a === '--kill9' || a === '--dockerd' || a === '--dockerd-daemon' || a === '--load') counts[a.slice(2) as 'kill9'] = Number(value);
    else throw new Error(`unknown option ${a}`);
  }
  return { counts, only };
}

async function main(): Promise<number> {
  const { counts, only } = parse(process.argv.slice(2));
  const docker = new Dockerode();
  await docker.ping();
  // The images the scenarios run, as the e2e suite's setup makes them (kept when up to date).
  await ensureBusyboxImage(docker);
  await buildExampleImages(createDockerClient({ clock: systemClock }));
  const hadKeeper = await keeperExists(docker);
  const began = Date.now();
  const rows: Row[] = [];
  const step = async (name: string, run: () => Promise<Row | Row[]>) => {
    const at = Date.now();
    process.stderr.write(`chaos: ${name}…\n`);
    const got = [await run()].flat();
    rows.push(...got);
    for (const r of got) process.stderr.write(`chaos: ${r.scenario}: ${held(r) ? 'held' : 'DID NOT HOLD'} (${((Date.now() - at) / 1000).toFixed(0)} s)\n`);
  };
  try {
    if (only.has('kill9')) await step(`kill -9 ×${counts.kill9}`, () => killNine(counts.kill9));
    if (only.has('git')) await step(`git faults ${counts.gitFaults.join(', ')}`, () => gitFaults(counts.gitFaults));
    if (only.has('store')) {
      await step('store damaged', storeDamaged);
      await step('store full', storeFull);
    }
    if (only.has('load')) await step(`scale/rollout under load ×${counts.load}`, () => scaleLoadRow(counts.load));
    if (only.has('dockerd')) {
      process.stderr.write('chaos: RESTARTING THE DOCKER ENGINE (every container on this host stops and comes back)\n');
      await step(`dockerd restart, no berth ×${counts.dockerd}`, () => dockerdWithoutDaemon(counts.dockerd));
    }
    if (only.has('dockerd-daemon')) await step(`dockerd restart, daemon ×${counts['dockerd-daemon']}`, () => dockerdWithDaemon(counts['dockerd-daemon']));
  } finally {
    await killDaemons();
    await until(() => docker.ping().then(() => true));
    await cleanupApps();
    await removeKeeperIfMadeHere(docker, hadKeeper);
  }
  process.stdout.write(`\n${table(rows)}\n\nchaos suite: ${((Date.now() - began) / 1000).toFixed(0)} s\n`);
  for (const r of rows) {
    for (const n of r.notes) process.stdout.write(`  ${r.scenario}: ${n}\n`);
    for (const f of r.failures.slice(0, 20)) process.stdout.write(`  ${r.scenario}: FAILED ${f}\n`);
    if (r.failures.length > 20) process.stdout.write(`  ${r.scenario}: … ${r.failures.length - 20} more failures\n`);
  }
  return rows.every(held) ? 0 : 1;
}

// An interrupted run still removes what it made.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`chaos: ${signal}, cleaning up\n`);
    void killDaemons()
      .then(cleanupApps)
      .finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
