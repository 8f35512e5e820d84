import net from 'node:net';
import type { ProbeOutcome } from './types.js';

/** kubelet's TCP prober: the probe passes when a connection opens; it is closed at once. */
export function tcpSocketProbe(host: string, port: number, signal: AbortSignal): Promise<ProbeOutcome> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise<ProbeOutcome>((resolve) => {
    if (signal.aborted) return resolve({ ok: false, message: `dial tcp ${address}: cancelled` });
    const socket = net.connect({ host, port });
    let settled = false;
    const settle = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => settle({ ok: false, message: `dial tcp ${address}: cancelled (timeout)` });
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => settle({ ok: true, message: `TCP connect to ${address} succeeded` }));
    socket.once('error', (err) => settle({ ok: false, message: `dial tcp ${address}: ${err.message}` }));
  });
}
