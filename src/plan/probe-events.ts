import type { StoreChange } from './store-changes.js';

export type ProbeEventKind = 'readiness' | 'liveness' | 'startup';

const PROBE_TYPE: Readonly<Record<ProbeEventKind, string>> = { readiness: 'Readiness', liveness: 'Liveness', startup: 'Startup' };

/**
 * The kubelet's `Warning Unhealthy` event for one failed probe attempt, of any kind and any
 * handler (exec, httpGet, tcpSocket, grpc): `<Type> probe failed: <detail>`, the container
 * named as berth names it in pod events. Every failed attempt is one occurrence, as the
 * kubelet records them; the event store folds the repeats into a count
 * (model/event-correlation.ts), so `describe` reads `Readiness probe failed: … (x30 over 30s)`.
 */
export function probeFailureEvent(podKey: string, container: string, kind: ProbeEventKind, detail: string): StoreChange {
  const message = `${PROBE_TYPE[kind]} probe failed: ${oneLine(detail)} (container ${container})`;
  return { type: 'add-event', event: { type: 'Warning', reason: 'Unhealthy', objectKey: `Pod/${podKey}`, message } };
}

/** The kubelet's `Normal Killing` event when a liveness or startup probe has failed failureThreshold times. */
export function probeKillingEvent(podKey: string, container: string, kind: 'liveness' | 'startup'): StoreChange {
  return { type: 'add-event', event: { type: 'Normal', reason: 'Killing', objectKey: `Pod/${podKey}`, message: `Container ${container} failed ${kind} probe, will be restarted` } };
}

/** Exec output may span lines; an event message is one line in `describe` and `get events`. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
