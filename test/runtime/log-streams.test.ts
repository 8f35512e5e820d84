import { PassThrough, Writable } from 'node:stream';
import Modem from 'docker-modem';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import type { ObservedContainer, ObservedPod } from '../../src/plan/observed.js';
import { currentRunStart, lineSink, logWindow, tailEntries } from '../../src/runtime/log-streams.js';
import type { PodLogsOptions } from '../../src/runtime/pod-logs.js';
import { logPrefix, podLogs } from '../../src/runtime/pod-logs.js';

/** Docker's multiplexed log: an 8-byte header (stream, 0, 0, 0, size) before each entry. */
const frame = (stream: 1 | 2, text: string) => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

const collect = () => {
  const chunks: string[] = [];
  const w = new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c.toString());
      cb();
    },
  });
  return { w, chunks, text: () => chunks.join('') };
};

describe('currentRunStart: where the current run begins in the one Docker log', () => {
  it.each([
    ['running again after a crash: halfway between the end and the new start', { startedAt: 10_000, finishedAt: 9_990, running: true }, 9_995],
    ['a long back-off: no further back than the start slack', { startedAt: 10_000, finishedAt: 1_000, running: true }, 9_980],
    ['exited (its own end is later): the start slack', { startedAt: 10_000, finishedAt: 12_000, running: false }, 9_980],
    ['never finished before', { startedAt: 10_000, finishedAt: 0, running: true }, 9_980],
  ])('%s', (_what, state, expected) => expect(currentRunStart(state)).toBe(expected));
});

describe('logWindow (Unix seconds)', () => {
  it.each([
    ['never restarted: the whole log', false, {}, {}],
    ['never restarted, --since', false, { since: 5_000 }, { since: 5 }],
    ['restarted: from the current run on', true, {}, { since: 9 }],
    ['restarted, --since later than the run start wins', true, { since: 9_500 }, { since: 9.5 }],
    ['restarted, --since earlier: still only the current run', true, { since: 1_000 }, { since: 9 }],
    ['--previous: before the current run', true, { previous: true }, { until: 9 }],
    ['--previous --since', true, { previous: true, since: 2_000 }, { since: 2, until: 9 }],
  ])('%s', (_what, restarted, options, expected) => expect(logWindow(restarted, 9_000, { previous: false, ...options })).toEqual(expected));
});

describe('tailEntries', () => {
  const log = Buffer.concat([frame(1, 'a\n'), frame(2, 'b\n'), frame(1, 'c\n')]);
  it.each([
    [0, Buffer.alloc(0)],
    [2, Buffer.concat([frame(2, 'b\n'), frame(1, 'c\n')])],
    [3, log],
    [9, log],
  ])('multiplexed, last %i', (n, expected) => expect(tailEntries(log, n, false)).toEqual(expected));

  it.each([
    [1, 'c\n'],
    [2, 'b\nc\n'],
    [5, 'a\nb\nc\n'],
  ])('TTY lines, last %i', (n, expected) => expect(tailEntries(Buffer.from('a\nb\nc\n'), n, true).toString()).toBe(expected));
});

describe('lineSink', () => {
  it.each<[string, string[], string, number | undefined, string[]]>([
    ['whole lines, prefixed, split chunks joined', ['on', 'e\ntw', 'o\n'], '[pod/p/c] ', undefined, ['[pod/p/c] one\n', '[pod/p/c] two\n']],
    ['a last line without newline is flushed at the end', ['x\ny'], '[pod/p/c] ', undefined, ['[pod/p/c] x\n', '[pod/p/c] y']],
    ['no prefix: the bytes as they are', ['\u001b[31mred\u001b[0m\n'], '', undefined, ['\u001b[31mred\u001b[0m\n']],
    ['--limit-bytes cuts inside a line and stops', ['abc\n', 'defgh\n', 'more\n'], '', 6, ['abc\n', 'de']],
  ])('%s', async (_what, writes, prefix, limit, expected) => {
    const out = collect();
    let exhausted = 0;
    const sink = lineSink(out.w, prefix, limit !== undefined ? { left: limit } : undefined, () => exhausted++);
    for (const w of writes) sink.write(Buffer.from(w));
    await new Promise<void>((r) => sink.end(r));
    expect(out.chunks).toEqual(expected);
    expect(exhausted).toBe(limit !== undefined ? 1 : 0);
  });
});

describe('lineSink: bounded memory', () => {
  it('a line without a newline is written out once it reaches 64 KiB, not held without end', async () => {
    const out = collect();
    const sink = lineSink(out.w, '');
    for (let i = 0; i < 20; i++) sink.write(Buffer.alloc(8 * 1024, 'x'));
    // 160 KiB written, no newline: two 64 KiB pieces out already, the rest at the end.
    expect(out.chunks.map((c) => c.length)).toEqual([64 * 1024, 64 * 1024]);
    await new Promise<void>((r) => sink.end(r));
    expect(out.text().length).toBe(160 * 1024);
  });

  it('a target that is full holds the source until it drains (a slow reader)', async () => {
    const target = new PassThrough({ highWaterMark: 4 });
    const sink = lineSink(target, '');
    let accepted = 0;
    sink.write(Buffer.from('first line\n'), () => accepted++);
    await new Promise((r) => setImmediate(r));
    // The target said it is full: the write is not acknowledged until someone reads.
    expect(accepted).toBe(0);
    expect(target.read()?.toString()).toBe('first line\n');
    await new Promise((r) => setImmediate(r));
    expect(accepted).toBe(1);
  });
});

/** A Docker that serves each container's multiplexed log (the same for every window). */
function fakeDocker(logs: Record<string, Buffer | Error>, follow?: Record<string, PassThrough>) {
  const modem = new Modem();
  const calls: Array<{ id: string; params: Record<string, unknown> }> = [];
  const api = {
    modem,
    getContainer: (id: string) => ({
      inspect: async () => ({ Config: { Tty: false }, RestartCount: 0, State: { StartedAt: '2026-12-05T14:00:00Z', FinishedAt: '0001-01-01T00:00:00Z', Running: true } }),
      logs: async (params: Record<string, unknown>) => {
        calls.push({ id, params });
        const l = logs[id]!;
        if (l instanceof Error) throw l;
        return params.follow ? follow![id] : l;
      },
    }),
  };
  return { docker: { api } as unknown as DockerClient, calls };
}

const pod = (name: string) => ({ name }) as ObservedPod;
const ctr = (id: string, name: string, restartCount = 0) => ({ id, name, dockerName: id, restartCount, state: 'running' }) as ObservedContainer;
const OPTS: PodLogsOptions = { follow: false, timestamps: false, previous: false, prefix: true, ignoreErrors: false, maxRequests: 5 };

describe('podLogs', () => {
  it('prefix is kubectl\'s [pod/NAME/CONTAINER]', () => expect(logPrefix({ pod: pod('web-1'), container: ctr('x', 'main') })).toBe('[pod/web-1/main] '));

  it('one stream after the other, stdout and stderr apart, every line prefixed', async () => {
    const { docker } = fakeDocker({ a: Buffer.concat([frame(1, 'a1\n'), frame(2, 'a-err\n')]), b: frame(1, 'b1\nb2\n') });
    const out = collect();
    const err = collect();
    await podLogs(docker, [{ pod: pod('p1'), container: ctr('a', 'main') }, { pod: pod('p2'), container: ctr('b', 'side') }], OPTS, out.w, err.w, () => undefined);
    expect(out.text()).toBe('[pod/p1/main] a1\n[pod/p2/side] b1\n[pod/p2/side] b2\n');
    expect(err.text()).toBe('[pod/p1/main] a-err\n');
  });

  it('-f: streams at once, lines interleaved as they come, never mixed within a line', async () => {
    const streams = { a: new PassThrough(), b: new PassThrough() };
    const { docker } = fakeDocker({ a: Buffer.alloc(0), b: Buffer.alloc(0) }, streams);
    const out = collect();
    const done = podLogs(docker, [{ pod: pod('p1'), container: ctr('a', 'main') }, { pod: pod('p2'), container: ctr('b', 'main') }], { ...OPTS, follow: true }, out.w, collect().w, () => undefined);
    await new Promise((r) => setImmediate(r));
    streams.a.write(frame(1, 'a-half '));
    streams.b.write(frame(1, 'b1\n'));
    streams.a.write(frame(1, 'a-rest\n'));
    streams.a.end();
    streams.b.end();
    await done;
    expect(out.text()).toBe('[pod/p2/main] b1\n[pod/p1/main] a-half a-rest\n');
  });

  it('-f beyond --max-log-requests: kubectl\'s refusal before any stream opens', async () => {
    const { docker, calls } = fakeDocker({});
    const reqs = ['a', 'b', 'c'].map((id) => ({ pod: pod(id), container: ctr(id, 'main') }));
    await expect(podLogs(docker, reqs, { ...OPTS, follow: true, maxRequests: 2 }, collect().w, collect().w, () => undefined)).rejects.toThrow(
      'you are attempting to follow 3 log streams, but maximum allowed concurrency is 2, use --max-log-requests to increase the limit',
    );
    expect(calls).toEqual([]);
  });

  it('--previous of a container that never restarted: kubectl\'s NotFound; --ignore-errors reports it and goes on', async () => {
    const { docker } = fakeDocker({ a: frame(1, 'old\n'), b: frame(1, 'old-b\n') });
    const reqs = [{ pod: pod('p1'), container: ctr('a', 'main') }, { pod: pod('p2'), container: ctr('b', 'main', 1) }];
    await expect(podLogs(docker, reqs, { ...OPTS, previous: true }, collect().w, collect().w, () => undefined)).rejects.toThrow('previous terminated container "main" in pod "p1" not found');
    const out = collect();
    const reported: string[] = [];
    await podLogs(docker, reqs, { ...OPTS, previous: true, ignoreErrors: true }, out.w, collect().w, (e) => reported.push((e as Error).message));
    expect({ out: out.text(), reported }).toEqual({ out: '[pod/p2/main] old-b\n', reported: ['previous terminated container "main" in pod "p1" not found'] });
  });

  it('--previous --tail reads the window whole and cuts it here (Docker tails before until)', async () => {
    const { docker, calls } = fakeDocker({ a: Buffer.concat([frame(1, 'r1\n'), frame(1, 'r2\n'), frame(1, 'r3\n')]) });
    const out = collect();
    await podLogs(docker, [{ pod: pod('p'), container: ctr('a', 'main', 2) }], { ...OPTS, prefix: false, previous: true, tail: 2 }, out.w, collect().w, () => undefined);
    expect(out.text()).toBe('r2\nr3\n');
    expect(calls[0]!.params).not.toHaveProperty('tail');
    expect(calls[0]!.params.until).toBe(Date.parse('2026-12-05T14:00:00Z') / 1000 - 0.02);
  });
});
