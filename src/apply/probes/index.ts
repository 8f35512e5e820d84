/**
 * Probe engine: liveness, readiness and startup probes with Kubernetes semantics, and the
 * CrashLoopBackOff policy. See docs/probes.md. The reconcile loop feeds observed containers in
 * through Prober.update() and reacts to onChange / onLivenessFailure.
 */
export type {
  ContainerProbeStatus,
  HttpGetProbeAction,
  PodProbeStatus,
  Prober,
  ProbeKind,
  ProbeOutcome,
  ProbeResult,
  ProbeRunner,
  ProbeTarget,
  ProbeTargetContainer,
} from './types.js';
export { createProber, type ProberDeps } from './prober.js';
export { createDockerProbeRunner } from './docker-runner.js';
export { httpGetProbe } from './http-probe.js';
export { tcpSocketProbe } from './tcp-probe.js';
export { grpcHealthProbe } from './grpc-probe.js';
export { dockerExecProbe } from './exec-probe.js';
export { resolveProbePort } from './ports.js';
export { probeHost } from './attempt.js';
