import type { PlannedEvent, Wait } from '../actions.js';
import type { ObservedEdge } from '../observed.js';
import type { CompileResult } from './compiled.js';

/**
 * Whether the edge serves this app's routes yet, beside whether it runs: it applied this app's
 * fragment (acknowledged the generation written), and it listens on its ports. A port taken after
 * the edge was made (it restarted while a host process held it) leaves the container running and
 * the routes unserved; the edge retries every 2 s on its own (dataplane/edge-listen.ts). Until
 * then `--wait` keeps waiting and fails with the port and the fix, and every pass files an
 * EdgeListenFailed event on the app's route objects, where `describe` shows it.
 */
export const EDGE_LISTEN_RETRY_S = 2;

/** The route objects an edge problem concerns: this app's served Ingresses, Gateways and HTTPRoutes. */
const ROUTE_OBJECT_KINDS = new Set(['Ingress', 'Gateway', 'HTTPRoute']);

/** `EADDRINUSE` of `EADDRINUSE: listen EADDRINUSE: address already in use :::8000`; else the whole text. */
export function listenErrorCode(error: string | undefined): string {
  const code = /^([A-Z][A-Z0-9_]+)\b/.exec(error ?? '')?.[1];
  return code ?? (error || 'unknown error');
}

/** `the edge cannot listen on TCP/8000: EADDRINUSE; free the port or choose --edge-http-port`. */
export function listenFailureText(l: { name: string; port: number; error?: string }): string {
  const flag = l.name === 'https' ? '--edge-https-port' : '--edge-http-port';
  return `the edge cannot listen on TCP/${l.port}: ${listenErrorCode(l.error)}; free the port or choose ${flag}`;
}

export function edgeReadiness(edge: ObservedEdge, compiled: CompileResult, eventKey: (object: string) => string): { waits: Wait[]; events: PlannedEvent[] } {
  const key = `Edge//${edge.name}`;
  const waits: Wait[] = [];
  const events: PlannedEvent[] = [];
  if (edge.state !== 'running' && edge.state !== 'restarting') return { waits, events };
  const failed = (edge.listening ?? []).filter((l) => l.state === 'failed' && l.error !== 'not started');
  const objects = compiled.statuses.filter((s) => s.ours && ROUTE_OBJECT_KINDS.has(s.object.split('/')[0] ?? '')).map((s) => eventKey(s.object));
  for (const l of failed) {
    const text = listenFailureText(l);
    waits.push({ key, kind: 'edge', blocking: false, message: `${text} (it retries every ${EDGE_LISTEN_RETRY_S} s)` });
    for (const object of objects.length ? objects : [key]) events.push({ key: object, type: 'Warning', reason: 'EdgeListenFailed', message: `edge ${edge.name}: ${text}; this app's routes are not served until it listens (it retries every ${EDGE_LISTEN_RETRY_S} s)` });
  }
  // Written, not applied yet: a write the edge has not picked up (or refused; EdgeRejected says so).
  if (edge.config && edge.acknowledged !== undefined && edge.acknowledged < edge.config.generation)
    waits.push({ key, kind: 'edge', blocking: false, message: `the edge has not applied this app's routes yet (generation ${edge.config.generation}, it runs ${edge.acknowledged})` });
  return { waits, events };
}
