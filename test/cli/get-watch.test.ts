import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Output, WatchSource } from '../../src/cli/commands/get-watch.js';
import { follow } from '../../src/cli/commands/get-watch.js';
import type { WatchChanges } from '../../src/cli/commands/get-watch-changes.js';
import { FALLBACK_MS, POLL_MS, SETTLE_MS, watchChanges } from '../../src/cli/commands/get-watch-changes.js';
import type { CliIO } from '../../src/cli/context.js';
import { parseObjectPrinter } from '../../src/cli/output/object-printers.js';
import { FakeClock } from '../support/fake-clock.js';

/** A pod as the fake source knows it: its STATUS, and when it was created (AGE counts from it). */
interface FakePod {
  name: string;
  status: string;
  created: number;
}

/** Looks scripted as `name:STATUS …`; all pods were created at 0, so AGE is the time a look prints at. */
function scripted(looks: string[], missing: string[] = []): WatchSource<FakePod> & { looked: number } {
  const source = {
    looked: 0,
    async look() {
      const text = looks[Math.min(source.looked, looks.length - 1)]!;
      const now = (source.looked + 1) * 1000;
      source.looked++;
      const pods = text.split(' ').filter(Boolean).map((p) => ({ name: p.split(':')[0]!, status: p.split(':')[1]!, created: 0 }));
      return { items: pods.map((p) => ({ key: p.name, item: p })), missing, now };
    },
    table: (pods: readonly FakePod[], now: number) => [['NAME', 'STATUS', 'AGE'], ...pods.map((p) => [p.name, p.status, `${Math.round((now - p.created) / 1000)}s`])],
    object: (p: FakePod) => ({ kind: 'Pod', metadata: { name: p.name }, status: { phase: p.status } }),
    name: (p: FakePod) => `pod/${p.name}`,
  };
  return source;
}

/** Changes that come at once, once per remaining look, then Ctrl-C. */
function changesFor(source: { looked: number }, looks: number, interrupt: AbortController): WatchChanges {
  return {
    async changed(signal) {
      if (source.looked >= looks) interrupt.abort(new Error('interrupted'));
      if (signal.aborted) throw signal.reason;
    },
    close: () => undefined,
  };
}

async function watch(looks: string[], o: { output?: Partial<Output>; watchOnly?: boolean; missing?: string[]; ignoreNotFound?: boolean } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const interrupt = new AbortController();
  const io: CliIO = { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: '/', interrupted: interrupt.signal };
  const source = scripted(looks, o.missing);
  const output: Output = { format: 'table', printer: undefined, noHeaders: false, allowMissingKeys: true, ...o.output };
  const code = await follow(source, output, { watchOnly: o.watchOnly ?? false, ignoreNotFound: o.ignoreNotFound ?? false, fixedNow: 0 }, io, changesFor(source, looks.length, interrupt));
  return { code, stdout: String(stdout.read() ?? ''), stderr: String(stderr.read() ?? '') };
}

const LOOKS = ['web-1:Running', 'web-1:Running web-2:Pending', 'web-1:Running web-2:ContainerCreating', 'web-1:Running web-2:Running', 'web-2:Running'];

describe('get -w prints the listing, then a row per change, until Ctrl-C (exit 0)', () => {
  it.each([
    {
      name: '-w: the table, then rows under it; AGE ticking on is no change; a deleted pod prints its last row',
      o: {},
      want: ['NAME    STATUS    AGE', 'web-1   Running   1s', 'web-2   Pending   2s', 'web-2   ContainerCreating   3s', 'web-2   Running   4s', 'web-1   Running   5s'],
    },
    {
      name: '--watch-only: no listing; the header comes with the first change',
      o: { watchOnly: true },
      want: ['NAME    STATUS    AGE', 'web-2   Pending   2s', 'web-2   ContainerCreating   3s', 'web-2   Running   4s', 'web-1   Running   5s'],
    },
    {
      name: '--no-headers: rows only',
      o: { output: { noHeaders: true } },
      want: ['web-1   Running   1s', 'web-2   Pending   2s', 'web-2   ContainerCreating   3s', 'web-2   Running   4s', 'web-1   Running   5s'],
    },
    { name: '-o name: a name per change', o: { output: { format: 'name' as const } }, want: ['pod/web-1', 'pod/web-2', 'pod/web-2', 'pod/web-2', 'pod/web-1'] },
    {
      name: '-o jsonpath: the template per object',
      o: { output: { format: 'json' as const, printer: parseObjectPrinter('jsonpath={.metadata.name}={.status.phase}{"\\n"}', () => '') } },
      want: ['web-1=Running', 'web-2=Pending', 'web-2=ContainerCreating', 'web-2=Running', 'web-1=Running'],
    },
    {
      name: '-o custom-columns: the header once',
      o: { output: { format: 'json' as const, printer: parseObjectPrinter('custom-columns=NAME:.metadata.name,PHASE:.status.phase', () => '') } },
      want: ['NAME    PHASE', 'web-1   Running', 'web-2   Pending', 'web-2   ContainerCreating', 'web-2   Running', 'web-1   Running'],
    },
  ])('$name', async ({ o, want }) => {
    const r = await watch(LOOKS, o);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(want);
  });

  it('-o yaml: one document per change, separated by ---', async () => {
    const r = await watch(['a:Running', 'a:Failed'], { output: { format: 'yaml' } });
    expect(r.stdout).toBe('kind: Pod\nmetadata:\n  name: a\nstatus:\n  phase: Running\n---\nkind: Pod\nmetadata:\n  name: a\nstatus:\n  phase: Failed\n');
  });

  it('-o json: one object per change, not a List', async () => {
    const r = await watch(['a:Running', 'a:Running', 'a:Failed'], { output: { format: 'json' } });
    expect(r.stdout.match(/"phase": "\w+"/g)).toEqual(['"phase": "Running"', '"phase": "Failed"']);
    expect(r.stdout).not.toContain('"List"');
  });

  it('a named object that does not exist: the NotFound line and exit 1, nothing watched', async () => {
    const r = await watch([''], { missing: ['Error (NotFound): pods "nope" not found'] });
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Error (NotFound): pods "nope" not found\n' });
  });

  it('--ignore-not-found: watches on (the object may come)', async () => {
    const r = await watch(['', 'nope:Pending'], { missing: ['Error (NotFound): pods "nope" not found'], ignoreNotFound: true });
    expect(r).toEqual({ code: 0, stdout: 'NAME   STATUS    AGE\nnope   Pending   2s\n', stderr: '' });
  });
});

describe('when a watch looks again', () => {
  function setup(subscribe = false) {
    const clock = new FakeClock(0);
    let version = 1;
    const marks: Array<() => void> = [];
    const changes = watchChanges({ clock, dataVersion: () => version, ...(subscribe ? { subscribe: (mark: () => void) => (marks.push(mark), { close: () => undefined }) } : {}) });
    let looks = 0;
    const abort = new AbortController();
    const loop = (async () => {
      try {
        for (;;) {
          await changes.changed(abort.signal);
          looks++;
        }
      } catch {
        return;
      }
    })();
    return { clock, commit: () => version++, event: () => marks.forEach((m) => m()), looks: () => looks, stop: async () => (abort.abort(), await loop) };
  }

  it.each([
    { name: 'idle: only the fallback look', steps: [{ wait: FALLBACK_MS + POLL_MS, want: 1 }] },
    { name: 'a store commit by another process: a look after it settles', steps: [{ commit: true, wait: POLL_MS + SETTLE_MS, want: 1 }] },
    { name: 'a burst of commits within one poll: one look', steps: [{ commit: 3, wait: POLL_MS + SETTLE_MS, want: 1 }, { wait: POLL_MS * 4, want: 1 }] },
    { name: 'a Docker event: a look after it settles', steps: [{ event: true, wait: POLL_MS + SETTLE_MS, want: 1 }] },
  ])('$name', async ({ steps }) => {
    const w = setup(true);
    for (const s of steps as Array<{ commit?: boolean | number; event?: boolean; wait: number; want: number }>) {
      for (let i = 0; i < Number(s.commit ?? 0); i++) w.commit();
      if (s.event) w.event();
      await w.clock.advance(s.wait);
      expect(w.looks()).toBe(s.want);
    }
    await w.stop();
  });

  it('nothing heard within the fallback: no look yet (no busy loop)', async () => {
    const w = setup();
    await w.clock.advance(FALLBACK_MS - POLL_MS);
    expect(w.looks()).toBe(0);
    await w.stop();
  });
});
