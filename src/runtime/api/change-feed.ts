import type { Writable } from 'node:stream';
import type { Clock, ClockTimer } from '../../model/clock.js';
import type { StreamEventData, StreamEventName } from './contract.js';

/** One change the daemon noticed, as the event stream tells the web UI. */
export interface Change {
  name: StreamEventName;
  reason: string;
}

export interface ChangeFeed {
  publish(name: StreamEventName, reason: string): void;
  /** Returns how to stop listening. */
  subscribe(listener: (change: Change) => void): () => void;
}

/**
 * Where the daemon tells what changed (runtime/daemon onChange, the store's new events) and the
 * open event streams listen. Built by the composition root and handed to both: no module state.
 * A listener that throws is the stream's problem, not the daemon's.
 */
export function createChangeFeed(): ChangeFeed {
  const listeners = new Set<(change: Change) => void>();
  return {
    publish(name, reason) {
      for (const l of [...listeners]) {
        try {
          l({ name, reason });
        } catch {
          listeners.delete(l);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A server-sent event: `event:` and one `data:` line (JSON never holds a raw newline). */
export function sseFrame(name: StreamEventName, data: StreamEventData): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: keeps proxies and the browser's reader from timing the stream out. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

export const HEARTBEAT_MS = 15_000;
/** The same event is sent at most this often: a rollout's burst of container events is one refetch, not fifty. */
export const COALESCE_MS = 500;

/** What may wait unread for one event-stream client before it is dropped. */
const MAX_UNREAD_BYTES = 1024 * 1024;

/**
 * Writes the feed to one client until `closed` aborts: each change as an event (a burst of one
 * name within COALESCE_MS becomes one event at the burst's end, so the UI still hears the last
 * change within well under the 2 s it promises), and a comment every HEARTBEAT_MS.
 */
export function streamChanges(feed: ChangeFeed, clock: Clock, out: Writable, closed: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const lastSent = new Map<StreamEventName, number>();
    const pending = new Map<StreamEventName, { timer: ClockTimer; reason: string }>();
    let heartbeat: ClockTimer | undefined;
    const emit = (name: StreamEventName, reason: string) => {
      const now = clock.now();
      lastSent.set(name, now);
      write(sseFrame(name, { at: new Date(now).toISOString(), reason }));
    };
    // A reader that stopped reading (a frozen tab, a half-open connection) is let go once a
    // megabyte waits for it, rather than held in this process: its page reconnects and refetches.
    const write = (text: string) => {
      if (out.writableLength > MAX_UNREAD_BYTES) return void out.destroy();
      out.write(text);
    };
    const onChange = (c: Change) => {
      const waiting = pending.get(c.name);
      if (waiting) return void (waiting.reason = c.reason);
      const since = clock.now() - (lastSent.get(c.name) ?? -Infinity);
      if (since >= COALESCE_MS) return emit(c.name, c.reason);
      const entry = { reason: c.reason, timer: clock.setTimeout(() => (pending.delete(c.name), emit(c.name, entry.reason)), COALESCE_MS - since) };
      pending.set(c.name, entry);
    };
    const beat = () => {
      write(sseComment('heartbeat'));
      heartbeat = clock.setTimeout(beat, HEARTBEAT_MS);
    };
    const unsubscribe = feed.subscribe(onChange);
    const stop = () => {
      unsubscribe();
      if (heartbeat) clock.clearTimeout(heartbeat);
      for (const p of pending.values()) clock.clearTimeout(p.timer);
      pending.clear();
      resolve();
    };
    // `retry`: how long the browser's reader should wait before reconnecting (the UI's own loop reads it too).
    out.write(`retry: 2000\n${sseComment('connected')}`);
    heartbeat = clock.setTimeout(beat, HEARTBEAT_MS);
    if (closed.aborted) return stop();
    closed.addEventListener('abort', stop, { once: true });
  });
}
