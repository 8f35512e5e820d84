import { spawn } from 'node:child_process';
import { readPath } from '../../src/sources/folder.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { BERTH_BIN, converged, eventually, killDaemons, startDaemon } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * `berth get … -w` / `--watch-only` as a real process on the real engine: rows stream as pods
 * start and go, with no daemon (the commands that change the app are other processes) and
 * under a daemon, and Ctrl-C (SIGINT) ends it with exit 0 (cli/commands/get-watch.ts).
 */

/** A Deployment whose pods sit in an init container for 4 s, so a watch sees them before they run. */
const deployment = (image: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      initContainers:
      - {name: warmup, image: ${image}, command: [sleep, '4']}
      containers:
      - {name: web, image: ${image}, command: [sleep, '3600']}
`;

interface Watcher {
  out(): string;
  err(): string;
  /** Resolves once `check` holds for what was printed; fails if the process ends first. */
  until(what: string, check: (out: string, err: string) => boolean): Promise<void>;
  /** Ctrl-C: SIGINT, and how the process ended. */
  interrupt(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const watchers = new Set<{ kill(): void }>();

/** `berth get <args> --app … --state-dir …` (or another verb: `events`) as its own process, as a user runs it in a terminal. */
function watch(t: E2eApp, args: string[], verb = 'get'): Watcher {
  const child = spawn(process.execPath, [BERTH_BIN, verb, ...args, '--app', t.app, '--state-dir', t.stateDir], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let alive = true;
  const waiting = new Set<() => void>();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      alive = false;
      waiting.forEach((w) => w());
      resolve({ code, signal });
    }),
  );
  const handle = { kill: () => alive && child.kill('SIGKILL') };
  watchers.add(handle);
  const data = (append: (s: string) => void) => (chunk: Buffer) => {
    append(chunk.toString('utf8'));
    waiting.forEach((w) => w());
  };
  child.stdout.on('data', data((s) => (out += s)));
  child.stderr.on('data', data((s) => (err += s)));
  return {
    out: () => out,
    err: () => err,
    until: (what, check) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`gave up after 90 s waiting for ${what}; stdout:\n${out}\nstderr:\n${err}`)), 90_000);
        const look = () => {
          if (check(out, err)) done();
          else if (!alive) done(new Error(`get exited before ${what}; stdout:\n${out}\nstderr:\n${err}`));
        };
        const done = (e?: Error) => {
          clearTimeout(timer);
          waiting.delete(look);
          if (e) reject(e);
          else resolve();
        };
        waiting.add(look);
        look();
      }),
    interrupt: async () => {
      child.kill('SIGINT');
      const r = await exited;
      watchers.delete(handle);
      return r;
    },
  };
}

/** The table rows printed (header lines left out), as cells. */
function rows(out: string, header: string): string[][] {
  return out
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith(header))
    .map((l) => l.split(/\s{2,}/));
}

afterEach(() => {
  for (const w of watchers) w.kill();
  watchers.clear();
});

describe('get -w with no daemon (real Docker)', () => {
  let t: E2eApp;
  let image: string;

  beforeAll(async () => {
    t = await createE2eApp('get-watch');
    image = await ensureBusyboxImage(t.docker);
    await t.write({ 'web.yaml': deployment(image, 1) });
    const applied = await t.berth('apply', '-f', t.dir);
    expect(applied.code, applied.stderr).toBe(0);
    await eventually('the first pod running', async () => (await t.berth('get', 'pods', '--no-headers')).stdout.includes('Running'));
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('get pods -w: the listing, then a new pod streams from waiting to Running, a removed one reads Terminating, then prints its deletion row; Ctrl-C exits 0', async () => {
    const before = (await t.berth('get', 'pods', '-o', 'name')).stdout.trim().split('\n').map((n) => n.replace('pod/', ''));
    expect(before).toHaveLength(1);
    const w = watch(t, ['pods', '-w']);
    await w.until('the listing', (out) => out.includes(before[0]!));
    expect(w.out().split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);

    const scaled = await t.berth('scale', 'deploy/web', '--replicas', '2');
    expect(scaled.code, scaled.stderr).toBe(0);
    const newRows = () => rows(w.out(), 'NAME').filter((r) => r[0] !== before[0]);
    await w.until('the new pod Running', () => newRows().some((r) => r[1] === '1/1' && r[2] === 'Running'));
    const fresh = newRows();
    expect(new Set(fresh.map((r) => r[0])).size).toBe(1);
    // It was seen before it ran: in its init container (Init:0/1), or just made (Pending, PodInitializing).
    expect(fresh[0]![2]).toMatch(/^(Pending|Init:0\/1|PodInitializing|ContainerCreating)$/);
    expect(fresh.at(-1)!.slice(1, 3)).toEqual(['1/1', 'Running']);

    const mark = w.out().length;
    const down = await t.berth('scale', 'deploy/web', '--replicas', '1');
    expect(down.code, down.stderr).toBe(0);
    // The scaled-away pod reads Terminating (kubectl lists it so while its grace period runs), then
    // prints its row once more as it is deleted: a row printing no differently than the one before
    // it is the deletion row (a watch prints nothing else that does not change).
    const terminating = () => rows(w.out().slice(mark), 'NAME').find((r) => r[2] === 'Terminating')?.[0];
    await w.until('a pod Terminating', () => terminating() !== undefined);
    const gone = terminating()!;
    expect([before[0]!, fresh[0]![0]!]).toContain(gone);
    await w.until(`the deletion row of ${gone}`, (out) => {
      const seen = rows(out.slice(mark), 'NAME').filter((r) => r[0] === gone).map((r) => r.slice(1, 4).join(' '));
      return seen.length >= 2 && seen.at(-1) === seen.at(-2) && seen.at(-1)!.includes('Terminating');
    });
    const left = (await t.berth('get', 'pods', '-o', 'name')).stdout.trim().split('\n').map((n) => n.replace('pod/', ''));
    expect(left).toEqual([[before[0]!, fresh[0]![0]!].find((p) => p !== gone)]);

    const end = await w.interrupt();
    expect(end).toEqual({ code: 0, signal: null });
    expect(w.err()).not.toMatch(/error/i);
  });

  it('get deploy web --watch-only: no listing; rows only as the Deployment changes, the header with the first', async () => {
    const w = watch(t, ['deploy', 'web', '--watch-only']);
    // The note comes after the first look: from here on, changes are watched.
    await w.until('the first look', (_out, err) => err.includes('nothing drives app'));
    expect(w.out()).toBe('');
    const scaled = await t.berth('scale', 'deploy/web', '--replicas', '3');
    expect(scaled.code, scaled.stderr).toBe(0);
    await w.until('web 3/3', (out) => rows(out, 'NAME').some((r) => r[1] === '3/3'));
    const lines = w.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    const printed = rows(w.out(), 'NAME');
    expect(printed.every((r) => r[0] === 'web')).toBe(true);
    // The state before the change (1 of 1) is not printed by --watch-only.
    expect(printed.map((r) => r[1])).not.toContain('1/1');
    expect(printed.at(-1)!.slice(1, 4)).toEqual(['3/3', '3', '3']);
    expect(await w.interrupt()).toEqual({ code: 0, signal: null });
  });

  it('get events -w: the events so far, then one recorded by another command as a row', async () => {
    const w = watch(t, ['events', '-w']);
    // --for narrows the watch as it narrows the listing: the Deployment's events, no pod's.
    const only = watch(t, ['events', '-w', '--for', 'deployment/web']);
    // The events verb follows the same way, with kubectl events' --types (and --watch=true as kubectl users write it).
    const normal = watch(t, ['--watch=true', '--types', 'normal', '--for', 'deploy/web'], 'events');
    const warnings = watch(t, ['-w', '--types', 'Warning', '--for', 'deploy/web'], 'events');
    await w.until('the listing', (out) => out.includes('scaled to 3 by berth scale'));
    await only.until('the Deployment listing', (out) => out.includes('scaled to 3 by berth scale'));
    await normal.until('the Normal listing', (out) => out.includes('scaled to 3 by berth scale'));
    expect(w.out().split('\n')[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    const mark = w.out().length;
    const scaled = await t.berth('scale', 'deploy/web', '--replicas', '2');
    expect(scaled.code, scaled.stderr).toBe(0);
    await w.until('the ScalingReplicaSet row', (out) => out.slice(mark).includes('scaled to 2 by berth scale'));
    const row = w.out().slice(mark).split('\n').find((l) => l.includes('scaled to 2'));
    expect(row).toMatch(/Normal\s+ScalingReplicaSet\s+deployment\/web\s+scaled to 2 by berth scale$/);
    // No header again: watch rows follow the listing.
    expect(w.out().slice(mark)).not.toContain('LAST SEEN');
    expect(await w.interrupt()).toEqual({ code: 0, signal: null });
    await only.until('the Deployment row', (out) => out.includes('scaled to 2 by berth scale'));
    expect(await only.interrupt()).toEqual({ code: 0, signal: null });
    const objects = rows(only.out(), 'LAST SEEN').map((r) => r.find((c) => c.includes('/')));
    expect(new Set(objects)).toEqual(new Set(['deployment/web']));
    await normal.until('the Normal row', (out) => out.includes('scaled to 2 by berth scale'));
    expect(await normal.interrupt()).toEqual({ code: 0, signal: null });
    expect(await warnings.interrupt()).toEqual({ code: 0, signal: null });
    expect(warnings.out()).not.toContain('ScalingReplicaSet');
  });

  it('a name that does not exist: the NotFound line, exit 1, nothing watched; several kinds: a usage error', async () => {
    const r = await t.berth('get', 'pods', 'nope', '-w');
    expect([r.code, r.stderr.trim()]).toEqual([1, 'Error (NotFound): pods "nope" not found']);
    const forPods = await t.berth('get', 'pods', '-w', '--for', 'deployment/web');
    expect([forPods.code, forPods.stderr]).toEqual([2, expect.stringContaining('--for selects events')]);
    const refused = await t.berth('get', 'pods,svc', '-w');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('watch is only supported on one resource type at a time');
  });
});

describe('get -w under a daemon (real Docker)', () => {
  let t: E2eApp;
  let image: string;

  beforeAll(async () => {
    t = await createE2eApp('get-watch-daemon');
    image = await ensureBusyboxImage(t.docker);
    await t.write({ 'web.yaml': deployment(image, 1) });
  });
  afterAll(async () => {
    await killDaemons();
    await t?.cleanup();
  });

  it('get pods -w -o wide: the daemon converges a new replica count and its pod streams to Running', async () => {
    const daemon = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--resync', '1h']);
    await converged(daemon, (await readPath(t.dir)).id);
    const w = watch(t, ['pods', '-w', '-o', 'wide']);
    await w.until('the listing', (out) => rows(out, 'NAME').length === 1);
    expect(w.out().split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    const first = rows(w.out(), 'NAME')[0]![0]!;

    await t.write({ 'web.yaml': deployment(image, 2) });
    await w.until('the new pod Running', (out) => rows(out, 'NAME').some((r) => r[0] !== first && r[2] === 'Running'));
    const fresh = rows(w.out(), 'NAME').filter((r) => r[0] !== first);
    expect(fresh[0]![2]).toMatch(/^(Pending|Init:0\/1|PodInitializing|ContainerCreating)$/);
    // -o wide rows: the wide columns too (IP, NODE, NOMINATED NODE, READINESS GATES).
    expect(fresh.at(-1)!.slice(5)).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/), expect.any(String), '<none>', '<none>']);
    expect(w.err()).not.toContain('nothing drives app');
    expect(await w.interrupt()).toEqual({ code: 0, signal: null });
  });
});
