import type { StreamEventName } from '../../src/runtime/api/contract.js';
import type { Api } from './api.js';
import { paths } from './lib/api-paths.js';
import { backoffDelay, STREAM_BACKOFF } from './lib/backoff.js';
import { createSseParser } from './lib/sse.js';

/**
 * The daemon's live stream (GET /api/v1/stream), read with fetch() so the token goes in the
 * Authorization header: EventSource cannot send one, and a token in the URL would end up in
 * logs and history. Events only say what changed; pages refetch what they show. After a
 * reconnect every page refetches too ('reconnected'): what changed meanwhile was not sent.
 */
export type LiveTopic = StreamEventName | 'reconnected';
export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface Live {
  subscribe(listener: (topic: LiveTopic) => void): () => void;
  state(): LiveState;
  onState(listener: (state: LiveState) => void): () => void;
  close(): void;
}

/** The daemon sends a heartbeat every 15 s; three missed means the connection is gone. */
const SILENCE_MS = 45_000;
const TOPICS: ReadonlySet<string> = new Set<StreamEventName>(['status', 'resources', 'event']);

export function connectLive(api: Api): Live {
  const listeners = new Set<(topic: LiveTopic) => void>();
  const stateListeners = new Set<(state: LiveState) => void>();
  let state: LiveState = 'connecting';
  let closed = false;
  let current: AbortController | undefined;
  // Retries since the stream last answered, and whether it ever did (then a reconnect may have missed events).
  let attempt = 0;
  let everConnected = false;

  const emit = (topic: LiveTopic) => listeners.forEach((l) => l(topic));
  const setState = (s: LiveState) => {
    if (s === state) return;
    state = s;
    stateListeners.forEach((l) => l(s));
  };

  const readOnce = async (): Promise<void> => {
    const ctrl = new AbortController();
    current = ctrl;
    let silence = setTimeout(() => ctrl.abort(), SILENCE_MS);
    try {
      const res = await api.open(paths.stream, ctrl.signal, 'text/event-stream');
      if (!res.body) return;
      setState('live');
      if (everConnected) emit('reconnected');
      everConnected = true;
      attempt = 0;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = createSseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        clearTimeout(silence);
        silence = setTimeout(() => ctrl.abort(), SILENCE_MS);
        for (const e of parser.push(value)) if (TOPICS.has(e.event)) emit(e.event as StreamEventName);
      }
    } finally {
      clearTimeout(silence);
    }
  };

  void (async () => {
    while (!closed) {
      try {
        await readOnce();
      } catch (err) {
        // A 401 has ended the session (api.ts); anything else is worth another try.
        if (closed || (err as { status?: number }).status === 401) return;
      }
      if (closed) return;
      setState('reconnecting');
      await new Promise((r) => setTimeout(r, backoffDelay(STREAM_BACKOFF, attempt++, Math.random())));
    }
  })();

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closed = true;
      current?.abort();
    },
  };
}
