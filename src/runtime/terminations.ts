import type { Logger } from './log.js';

/**
 * The pod terminations this process runs in the background (plan/terminating.ts): begun by a
 * step, which goes on at once, and finished here while the grace period runs out, as the
 * kubelet finishes them beside the controllers. One per pod at a time. Built once per control
 * plane (runtime/compose.ts); what it holds is only in flight, never what decides: the store's
 * marks are, so a process that exits or restarts loses nothing (another adopts the pod).
 */
export interface Terminations {
  /**
   * Runs the rest of one pod's termination unless one runs already. `work` calls `signalled`
   * once every stop is asked of Docker (its preStop hooks ran): from then on the pod ends at its
   * deadline even if this process goes (the next pass, or the finisher a CLI leaves, kills what
   * remains of it).
   */
  run(podKey: string, work: (signalled: () => void, signal: AbortSignal) => Promise<void>): void;
  has(podKey: string): boolean;
  /** Pods whose termination runs here now. */
  pending(): string[];
  /** Resolves once every termination running here has asked Docker to stop its containers (or ended). */
  signalled(): Promise<void>;
  /** Resolves once every termination running here has ended. */
  idle(): Promise<void>;
  /**
   * Stops waiting for the deadlines here: the process is about to exit and leaves the pods to
   * another (their marks stay in the store); resolves once every termination let go.
   */
  abandon(): Promise<void>;
  /**
   * Calls `listener` with the pod's key each time a termination running here ends (the pod gone,
   * or left to a later pass); returns the unsubscribe. The daemon passes again then if a pass
   * waits for the pod (runtime/daemon/termination-events.ts).
   */
  onEnded(listener: (podKey: string) => void): () => void;
}

export function createTerminations(log: Logger): Terminations {
  const running = new Map<string, { done: Promise<void>; signalled: Promise<void> }>();
  const abandoned = new AbortController();
  const listeners = new Set<(podKey: string) => void>();
  return {
    run(podKey, work) {
      if (running.has(podKey) || abandoned.signal.aborted) return;
      let signal!: () => void;
      const signalled = new Promise<void>((resolve) => (signal = resolve));
      const done = (async () => {
        try {
          await work(signal, abandoned.signal);
        } catch (err) {
          if (abandoned.signal.aborted) return;
          // The store's mark stays: a later pass kills and removes the pod once it is overdue.
          log.warn({ err, pod: podKey }, 'could not finish the termination of a pod; a later pass will');
        } finally {
          signal();
          running.delete(podKey);
          for (const listener of listeners) listener(podKey);
        }
      })();
      running.set(podKey, { done, signalled });
    },
    has: (podKey) => running.has(podKey),
    pending: () => [...running.keys()],
    signalled: async () => {
      await Promise.all([...running.values()].map((r) => r.signalled));
    },
    abandon: async () => {
      abandoned.abort();
      await Promise.all([...running.values()].map((r) => r.done));
    },
    onEnded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    idle: async () => {
      while (running.size > 0) await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
