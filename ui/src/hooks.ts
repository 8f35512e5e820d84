import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiAccessBody } from '../../src/runtime/api/contract.js';
import type { Api } from './api.js';
import type { Live, LiveTopic } from './live.js';

/** The signed-in session every page reads through: the API client and the live stream. */
export interface Session {
  api: Api;
  live: Live;
  /** What the daemon opens (status `access`): pages offer logs, terminals and actions only when it does. */
  access: ApiAccessBody;
  logout(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

export interface Loaded<T> {
  data?: T;
  error?: Error;
  /** True until the first answer (data or error); refetches keep the previous data shown. */
  loading: boolean;
  reload(): void;
}

/** Bursts of stream events (a rollout changes many pods) become one refetch. */
const COALESCE_MS = 150;

/**
 * GET `path` now, again whenever the live stream reports one of `topics` (and after a
 * reconnect), and on reload(). A refetch keeps the data on screen until the new answer
 * replaces it; an answer for a path the page no longer shows is dropped.
 */
export function useApi<T>(path: string | null, topics: readonly LiveTopic[]): Loaded<T> {
  const { api, live } = useSession();
  const [state, setState] = useState<{ path: string | null; data?: T; error?: Error }>({ path });
  const [version, setVersion] = useState(0);
  const topicKey = topics.join(',');

  useEffect(() => {
    if (path === null) return;
    const ctrl = new AbortController();
    api.get<T>(path, ctrl.signal).then(
      (data) => setState({ path, data }),
      (error: Error) => {
        if (!ctrl.signal.aborted) setState((s) => ({ ...s, path, error }));
      },
    );
    return () => ctrl.abort();
  }, [api, path, version]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wanted = new Set<LiveTopic>([...(topicKey ? (topicKey.split(',') as LiveTopic[]) : []), 'reconnected']);
    const off = live.subscribe((topic) => {
      if (!wanted.has(topic) || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        setVersion((v) => v + 1);
      }, COALESCE_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [live, topicKey]);

  const current = state.path === path;
  return {
    ...(current && state.data !== undefined ? { data: state.data } : {}),
    ...(current && state.error ? { error: state.error } : {}),
    loading: !current || (state.data === undefined && state.error === undefined),
    reload: () => setVersion((v) => v + 1),
  };
}

/** The current time, every `everyMs`: relative times ("5s ago") stay true without refetching. */
export function useNow(everyMs = 5000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** Runs `fn` once the component has rendered data for the first time (for performance marks). */
export function useOnce(condition: boolean, fn: () => void): void {
  const done = useRef(false);
  useEffect(() => {
    if (condition && !done.current) {
      done.current = true;
      fn();
    }
  });
}

/** `Overview · shop · berth`: tabs and history entries say which page they are. */
export function useTitle(...parts: Array<string | undefined>): void {
  const title = [...parts.filter(Boolean), 'berth'].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
