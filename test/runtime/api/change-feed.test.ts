import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { COALESCE_MS, createChangeFeed, HEARTBEAT_MS, sseComment, sseFrame, streamChanges } from '../../../src/runtime/api/change-feed.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('server-sent event framing', () => {
  it.each([
    [sseFrame('status', { at: '2026-01-01T00:00:00.000Z', reason: 'pass-finished' }), 'event: status\ndata: {"at":"2026-01-01T00:00:00.000Z","reason":"pass-finished"}\n\n'],
    [sseFrame('event', { at: 'x', reason: 'line\nbreak' }), 'event: event\ndata: {"at":"x","reason":"line\\nbreak"}\n\n'],
    [sseComment('heartbeat'), ': heartbeat\n\n'],
    [sseComment('a\r\nb'), ': a b\n\n'],
  ])('%j', (frame, expected) => {
    expect(frame).toBe(expected);
  });
});

function open() {
  const clock = new FakeClock();
  const feed = createChangeFeed();
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const closed = new AbortController();
  const done = streamChanges(feed, clock, out, closed.signal);
  const events = () => [...text.matchAll(/event: (\w+)\ndata: ({.*})\n/g)].map((m) => `${m[1]} ${(JSON.parse(m[2]!) as { reason: string }).reason}`);
  return { clock, feed, closed, done, events, text: () => text };
}

describe('the change stream', () => {
  it('starts with a retry hint and a comment, sends a change at once', async () => {
    const s = open();
    s.feed.publish('status', 'revision');
    await s.clock.advance(0);
    expect(s.text().startsWith('retry: 2000\n: connected\n\n')).toBe(true);
    expect(s.events()).toEqual(['status revision']);
  });

  it('coalesces a burst of one name into one trailing event within COALESCE_MS; other names are not held back', async () => {
    const s = open();
    s.feed.publish('resources', 'container');
    s.feed.publish('resources', 'container');
    s.feed.publish('resources', 'readiness');
    s.feed.publish('event', 'event');
    expect(s.events()).toEqual(['resources container', 'event event']);
    await s.clock.advance(COALESCE_MS);
    expect(s.events()).toEqual(['resources container', 'event event', 'resources readiness']);
  });

  it('sends a heartbeat every 15 s, and stops listening once closed', async () => {
    const s = open();
    await s.clock.advance(HEARTBEAT_MS * 2);
    expect(s.text().match(/: heartbeat/g)).toHaveLength(2);
    s.closed.abort();
    await s.done;
    s.feed.publish('status', 'late');
    await s.clock.advance(HEARTBEAT_MS * 2);
    expect(s.events()).toEqual([]);
    expect(s.clock.pending).toBe(0);
  });

  it('a reader that stopped reading is dropped once a megabyte waits for it, not buffered here', async () => {
    const clock = new FakeClock();
    const feed = createChangeFeed();
    // Nobody reads this one: what is written stays in its buffer.
    const out = new PassThrough({ highWaterMark: 16 });
    const closed = new AbortController();
    void streamChanges(feed, clock, out, closed.signal);
    out.write(Buffer.alloc(1024 * 1024 + 1));
    expect(out.destroyed).toBe(false);
    await clock.advance(HEARTBEAT_MS);
    expect(out.destroyed).toBe(true);
    closed.abort();
  });

  it('a listener that throws is dropped; the others still hear', () => {
    const feed = createChangeFeed();
    const heard: string[] = [];
    feed.subscribe(() => {
      throw new Error('gone');
    });
    feed.subscribe((c) => heard.push(c.reason));
    feed.publish('status', 'a');
    feed.publish('status', 'b');
    expect(heard).toEqual(['a', 'b']);
  });
});
