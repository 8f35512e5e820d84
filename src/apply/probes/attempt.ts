import type { Clock } from '../../model/clock.js';
import type { Probe } from '../../model/types.js';
import type { HostPolicy } from '../../model/policy.js';
import { DEFAULT_HOST_POLICY } from '../../model/policy.js';
import { probeHostAllowed } from '../../model/pod-policy.js';
import { resolveProbePort } from './ports.js';
import type { ProbeKind, ProbeOutcome, ProbeRunner, ProbeTargetContainer } from './types.js';

/** Longest message kept in a probe result (kubelet keeps 10 KiB of output; we keep a summary). */
export const MAX_MESSAGE_LENGTH = 1024;

export interface AttemptContext {
  runner: ProbeRunner;
  clock: Clock;
  podIP: string;
  container: ProbeTargetContainer;
  /** Hosts other than the pod that probes may name (host policy allowedProbeHosts); default none. */
  policy?: HostPolicy;
}

/**
 * One probe attempt, bounded by timeoutSeconds on the injected clock. Resolves (never rejects)
 * with the outcome: a runner that throws, hangs past the timeout or gets cancelled through
 * `cancel` yields a failure. The runner's signal is aborted on timeout and on cancel, so real
 * I/O is torn down rather than left running.
 */
export function runProbeAttempt(
  kind: ProbeKind,
  probe: Probe,
  ctx: AttemptContext,
  cancel: AbortSignal,
): Promise<ProbeOutcome> {
  // Kubernetes' minimum timeout is 1 s; a 0 from a hand-written object must not mean "instant failure".
  const timeoutSeconds = Math.max(1, probe.timeoutSeconds);
  const timeoutMs = timeoutSeconds * 1000;
  const controller = new AbortController();
  const target = describeHandler(probe, ctx);

  return new Promise<ProbeOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      ctx.clock.clearTimeout(timer);
      cancel.removeEventListener('abort', onCancel);
      const message = capMessage(outcome.message);
      resolve(outcome.ok ? { ok: true, message } : { ok: false, message });
    };
    const timer = ctx.clock.setTimeout(() => {
      controller.abort(new Error(`${kind} probe timed out`));
      finish({ ok: false, message: `${target}: timed out after ${timeoutSeconds}s` });
    }, timeoutMs);
    const onCancel = (): void => {
      controller.abort(cancel.reason);
      finish({ ok: false, message: `${target}: cancelled` });
    };
    if (cancel.aborted) return onCancel();
    cancel.addEventListener('abort', onCancel, { once: true });

    startHandler(probe, ctx, timeoutMs, controller.signal).then(finish, (err: unknown) =>
      finish({ ok: false, message: `${target}: probe error: ${errorMessage(err)}` }),
    );
  });
}

function startHandler(probe: Probe, ctx: AttemptContext, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
  try {
    const { runner, container } = ctx;
    if (probe.exec) return runner.exec(container.containerId, probe.exec.command, timeoutMs, signal);
    if (probe.httpGet) {
      const port = resolveProbePort(probe.httpGet.port, container.ports);
      if (!port.ok) return Promise.resolve({ ok: false, message: `httpGet: ${port.message}` });
      const host = probeHost(probe.httpGet.host, ctx);
      if ('refused' in host) return Promise.resolve({ ok: false, message: `httpGet: ${host.refused}` });
      const action = {
        host: host.host,
        port: port.port,
        path: probe.httpGet.path || '/',
        scheme: probe.httpGet.scheme ?? 'HTTP',
        headers: probe.httpGet.httpHeaders ?? [],
      };
      return runner.httpGet(action, timeoutMs, signal);
    }
    if (probe.tcpSocket) {
      const port = resolveProbePort(probe.tcpSocket.port, container.ports);
      if (!port.ok) return Promise.resolve({ ok: false, message: `tcpSocket: ${port.message}` });
      const host = probeHost(probe.tcpSocket.host, ctx);
      if ('refused' in host) return Promise.resolve({ ok: false, message: `tcpSocket: ${host.refused}` });
      return runner.tcpSocket(host.host, port.port, timeoutMs, signal);
    }
    if (probe.grpc) {
      // Kubernetes' gRPC probe has no host field: it always goes to the pod, so no policy applies.
      const port = resolveProbePort(probe.grpc.port, undefined);
      if (!port.ok) return Promise.resolve({ ok: false, message: `grpc: ${port.message}` });
      const host = probeHost(undefined, ctx);
      if ('refused' in host) return Promise.resolve({ ok: false, message: `grpc: ${host.refused}` });
      return runner.grpc(host.host, port.port, probe.grpc.service ?? '', timeoutMs, signal);
    }
    return Promise.resolve({ ok: false, message: 'probe has no handler (exec, httpGet, tcpSocket or grpc)' });
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Where a probe goes: the pod itself, or a host the manifest names, which the host policy must
 * allow. Checked here as well as at validation: probe specs live on in container labels and
 * stored templates written under an older policy (defence in depth, SPEC §8).
 */
export function probeHost(named: string | undefined, ctx: { podIP: string; policy?: HostPolicy }): { host: string } | { refused: string } {
  if (named) {
    return probeHostAllowed(ctx.policy ?? DEFAULT_HOST_POLICY, named)
      ? { host: named }
      : { refused: `host ${JSON.stringify(named)} is not the pod and this host's policy does not allow probing it (--allow-probe-host); not probed` };
  }
  return ctx.podIP ? { host: ctx.podIP } : { refused: 'the pod has no IP yet' };
}

/** A short name for the probe target, used in timeout and error messages. */
function describeHandler(probe: Probe, ctx: AttemptContext): string {
  if (probe.exec) return `exec ${JSON.stringify(probe.exec.command)}`;
  if (probe.httpGet) {
    const h = probe.httpGet;
    return `${h.scheme ?? 'HTTP'} GET ${h.host || ctx.podIP}:${String(h.port)}${h.path || '/'}`;
  }
  if (probe.tcpSocket) return `TCP ${probe.tcpSocket.host || ctx.podIP}:${String(probe.tcpSocket.port)}`;
  if (probe.grpc) return `gRPC ${ctx.podIP}:${String(probe.grpc.port)}${probe.grpc.service ? ` service ${JSON.stringify(probe.grpc.service)}` : ''}`;
  return 'probe';
}

export function capMessage(message: string): string {
  return message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
