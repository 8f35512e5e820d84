/**
 * A listener of the edge that keeps trying: a port that cannot be bound (another process holds
 * it, or it is not free yet after a replacement) is LISTEN_FAILED in status and retried every
 * LISTEN_RETRY_MS, so the edge starts serving on its own once the port frees up.
 */
import type { Server } from 'node:net';
import type { Logger } from './log.js';
import { errorText } from './log.js';
import type { ListenerStatus } from './protocol.js';

export const LISTEN_RETRY_MS = 2_000;

export interface Listener {
  status: ListenerStatus;
  /** Resolves after the first attempt, bound or not. */
  started: Promise<void>;
  stop(): void;
}

export function keepListening(server: Server, name: string, port: number, host: string | undefined, log: Logger, onChange: () => void): Listener {
  const status: ListenerStatus = { name, protocol: 'TCP', port, state: 'failed', error: 'not started' };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let first: (() => void) | undefined;
  const started = new Promise<void>((r) => (first = r));
  const attempt = () => {
    // Both handlers are ours and each removes the other: `listen(opts, cb)` would add cb as a
    // 'listening' listener that a failed attempt never removes, one more every retry.
    const onListening = () => {
      server.off('error', onError);
      status.state = 'listening';
      delete status.error;
      onChange();
      first?.();
    };
    const onError = (err: Error) => {
      server.off('listening', onListening);
      status.state = 'failed';
      status.error = errorText(err);
      log.error('listen failed', { listener: name, port, err: status.error });
      onChange();
      first?.();
      if (!stopped) timer = setTimeout(attempt, LISTEN_RETRY_MS);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, ...(host === undefined ? {} : { host }) });
  };
  attempt();
  return {
    status,
    started,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
