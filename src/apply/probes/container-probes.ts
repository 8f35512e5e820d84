import type { Clock } from '../../model/clock.js';
import { stableStringify } from '../../model/hash.js';
import type { HostPolicy } from '../../model/policy.js';
import type { Probe } from '../../model/types.js';
import { runProbeAttempt } from './attempt.js';
import type {
  ContainerProbeStatus,
  ProbeKind,
  ProbeOutcome,
  ProbeResult,
  ProbeRunner,
  ProbeTargetContainer,
} from './types.js';
import { ProbeWorker, type WorkerHooks } from './worker.js';

const KINDS: readonly ProbeKind[] = ['startup', 'readiness', 'liveness'];

export interface ContainerEnv {
  clock: Clock;
  runner: ProbeRunner;
  podIP(): string;
  /** Host policy for probes that name a host (allowedProbeHosts). */
  policy?: HostPolicy;
  /** The container's effective state (started/ready/live) may have changed. */
  changed(): void;
  livenessFailed(container: string, message: string): void;
  /** Every failed attempt of any probe kind (the Unhealthy event). */
  probeFailed(container: string, kind: ProbeKind, message: string): void;
  /** Stopped workers settle in the background; the prober awaits them in stop(). */
  settle(done: Promise<void>): void;
}

/**
 * The probes of one container. A container *instance* is (containerId, startedAt): a new
 * instance (restart, recreate) or a changed probe spec starts from scratch, as kubelet does
 * when it sees a new container ID. A container that stops keeps its last verdict (so callers
 * can tell why it died) but has no workers and is neither started nor ready.
 */
export class ContainerProbes {
  private workers = new Map<ProbeKind, ProbeWorker>();
  private failed = false;
  private last: ProbeResult | undefined;
  private readonly hooks: WorkerHooks;

  constructor(
    private spec: ProbeTargetContainer,
    private readonly env: ContainerEnv,
  ) {
    this.hooks = {
      mayProbe: (kind) => this.mayProbe(kind),
      attempt: (kind, probe, cancel) =>
        runProbeAttempt(kind, probe, { runner: env.runner, clock: env.clock, podIP: env.podIP(), container: this.spec, ...(env.policy ? { policy: env.policy } : {}) }, cancel),
      record: (kind, outcome, decided) => this.record(kind, outcome, decided),
    };
    this.startWorkers();
  }

  update(spec: ProbeTargetContainer): void {
    const prev = this.spec;
    this.spec = spec;
    const sameInstance = prev.containerId === spec.containerId && prev.startedAt === spec.startedAt;
    const sameProbes = probesKey(prev) === probesKey(spec);
    if (sameInstance && sameProbes && prev.running === spec.running) return;
    this.stopWorkers();
    if (!sameInstance || !sameProbes) {
      this.failed = false;
      this.last = undefined;
    }
    this.startWorkers();
  }

  status(): ContainerProbeStatus {
    const started = this.spec.running && (!this.spec.startupProbe || this.verdict('startup'));
    const ready = started && (!this.spec.readinessProbe || this.verdict('readiness'));
    const status: ContainerProbeStatus = { started, ready, live: !this.failed };
    if (this.last) status.lastResult = { ...this.last };
    return status;
  }

  stop(): void {
    this.stopWorkers();
  }

  private verdict(kind: ProbeKind): boolean {
    return this.workers.get(kind)?.verdict === true;
  }

  private startWorkers(): void {
    if (!this.spec.running) return;
    for (const kind of KINDS) {
      const probe = probeOf(this.spec, kind);
      if (!probe) continue;
      const worker = new ProbeWorker(kind, probe, this.env.clock, this.hooks, this.spec.startedAt);
      this.workers.set(kind, worker);
      worker.start();
    }
  }

  private stopWorkers(): void {
    for (const worker of this.workers.values()) this.env.settle(worker.stop());
    this.workers.clear();
  }

  /** kubelet: liveness and readiness wait for the startup probe; startup stops once it passed. */
  private mayProbe(kind: ProbeKind): boolean {
    const started = !this.spec.startupProbe || this.verdict('startup');
    return kind === 'startup' ? !started : started;
  }

  private record(kind: ProbeKind, outcome: ProbeOutcome, decided: boolean): void {
    this.last = { kind, ok: outcome.ok, message: outcome.message, at: this.env.clock.now() };
    // One path for every kind: readiness and startup failures are reported as liveness ones are.
    if (!outcome.ok) this.env.probeFailed(this.spec.name, kind, outcome.message);
    if (decided && kind === 'startup' && outcome.ok) {
      // kubelet triggers readiness at once when a container has started, instead of waiting a period.
      this.workers.get('readiness')?.trigger();
    }
    if (decided && !outcome.ok && kind !== 'readiness') {
      this.failed = true;
      this.env.changed();
      this.env.livenessFailed(this.spec.name, `${kind === 'startup' ? 'Startup' : 'Liveness'} probe failed: ${outcome.message}`);
      return;
    }
    this.env.changed();
  }
}

function probeOf(c: ProbeTargetContainer, kind: ProbeKind): Probe | undefined {
  if (kind === 'startup') return c.startupProbe;
  if (kind === 'readiness') return c.readinessProbe;
  return c.livenessProbe;
}

function probesKey(c: ProbeTargetContainer): string {
  return stableStringify([c.startupProbe ?? null, c.readinessProbe ?? null, c.livenessProbe ?? null]);
}
