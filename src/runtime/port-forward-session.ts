import type { DockerClient } from '../apply/docker.js';
import { createImageCache } from '../apply/images/cache.js';
import { startPortRelay } from '../apply/port-relay.js';
import { BerthError } from '../model/errors.js';
import type { ObservedPod, ObservedSandbox } from '../plan/observed.js';
import type { Forward, ForwardEvents } from './port-forward.js';
import { runPortForward } from './port-forward.js';
import { createRelayMux } from './port-relay-client.js';

export interface PortForwardSession {
  app: string;
  pod: ObservedPod;
  sandbox: ObservedSandbox;
  forwards: readonly Forward[];
  addresses: readonly string[];
  /** Makes the relay's name unique among sessions forwarding to the same pod. */
  random: () => number;
  signal: AbortSignal;
}

/**
 * One `berth port-forward` session: the relay in the pod's network namespace
 * (apply/port-relay.ts), the local listeners, and the relay's removal however it ends. Ends
 * quietly on `signal`; when the relay goes (the pod was deleted) it fails as kubectl's does,
 * "lost connection to pod".
 */
export async function forwardToPod(docker: DockerClient, s: PortForwardSession, events: ForwardEvents): Promise<void> {
  const image = await createImageCache(docker).dataplane();
  const name = `${s.sandbox.dockerName}-port-forward-${Math.floor(s.random() * 36 ** 6).toString(36)}`;
  const relay = await startPortRelay(docker, image, { app: s.app, namespace: s.pod.namespace, pod: s.pod.name, sandboxId: s.sandbox.id, name });
  let ended: 'interrupted' | 'lost';
  try {
    const mux = createRelayMux(relay.input, relay.output);
    ended = await runPortForward(s.addresses, s.forwards, (port) => mux.open(port), events, s.signal, mux.ended);
  } finally {
    await relay.close().catch(() => undefined);
  }
  if (ended === 'lost') {
    const why = relay.stderr();
    throw new BerthError('NOT_FOUND', `lost connection to pod${why ? ` (${why})` : ''}`, { pod: s.pod.key });
  }
}
