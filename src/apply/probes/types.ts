import type { ContainerPort, Probe } from '../../model/types.js';

/** What the prober needs to know about one container of a pod; observed from Docker. */
export interface ProbeTargetContainer {
  name: string;
  containerId: string;
  /** ms epoch from Docker State.StartedAt; a change means the container (re)started */
  startedAt: number;
  running: boolean;
  /** Resolves probes that name their port (`port: http`). */
  ports?: ContainerPort[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
}

export interface ProbeTarget {
  /** `namespace/name` */
  podKey: string;
  /** Default host of httpGet and tcpSocket probes and the only host of grpc probes, as in Kubernetes. */
  podIP: string;
  containers: ProbeTargetContainer[];
}

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

export interface ProbeResult {
  kind: ProbeKind;
  ok: boolean;
  message: string;
  /** ms epoch when the attempt finished */
  at: number;
}

export interface ContainerProbeStatus {
  /** Running and, when it has a startup probe, that probe has succeeded once. */
  started: boolean;
  /** Started and, when it has a readiness probe, that probe passes (successThreshold reached). */
  ready: boolean;
  /**
   * False once the liveness probe (or the startup probe) failed failureThreshold times in a row
   * for the current container instance, i.e. the prober asked for a restart. Resets to true when
   * the container comes back with a new containerId or startedAt.
   */
  live: boolean;
  /** The most recent attempt of any kind for the current container instance. */
  lastResult?: ProbeResult;
}

export interface PodProbeStatus {
  podKey: string;
  /** All containers ready (and the pod has at least one container). */
  ready: boolean;
  containers: Record<string, ContainerProbeStatus>;
}

export type ProbeOutcome = { ok: true; message: string } | { ok: false; message: string };

export interface HttpGetProbeAction {
  host: string;
  port: number;
  path: string;
  scheme: 'HTTP' | 'HTTPS';
  headers: { name: string; value: string }[];
}

/**
 * The I/O of probing, injected so tests can script it. The prober enforces timeoutSeconds itself
 * (with its clock) and aborts `signal` when an attempt times out or the worker stops; a runner
 * must give up promptly when the signal aborts. `timeoutMs` is informational.
 */
export interface ProbeRunner {
  httpGet(action: HttpGetProbeAction, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome>;
  tcpSocket(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome>;
  exec(containerId: string, command: string[], timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome>;
  /** grpc.health.v1.Health/Check; `service` empty asks about the server as a whole. */
  grpc(host: string, port: number, service: string, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome>;
}

export interface Prober {
  /** Declarative: the full set of pods to probe. Starts, resets and stops workers to match. */
  update(targets: ProbeTarget[]): void;
  status(podKey: string): PodProbeStatus | undefined;
  statuses(): PodProbeStatus[];
  /** Stops every worker, aborts attempts in flight and waits for them to settle. */
  stop(): Promise<void>;
}
