import type { Clock } from '../../model/clock.js';
import type { HostPolicy } from '../../model/policy.js';
import { ContainerProbes } from './container-probes.js';
import type { PodProbeStatus, Prober, ProbeKind, ProbeRunner, ProbeTarget } from './types.js';

export interface ProberDeps {
  runner: ProbeRunner;
  clock: Clock;
  /** The host policy probes are held to (hosts they may name); default: only the pod itself. */
  policy?: HostPolicy;
  /** A pod's effective state (started/ready/live of any container, or its container set) changed. */
  onChange?: (status: PodProbeStatus) => void;
  /**
   * The liveness probe (or the startup probe) failed failureThreshold times in a row. Called once
   * per container instance; the caller restarts the container and reports the new instance
   * (new containerId or startedAt) through update().
   */
  onLivenessFailure?: (podKey: string, container: string, message: string) => void;
  /**
   * One probe attempt failed, of any kind: the kubelet's `Unhealthy` event is recorded here,
   * every time (the event store aggregates the repeats). Called before onLivenessFailure when
   * the attempt also reached failureThreshold.
   */
  onProbeFailure?: (podKey: string, container: string, kind: ProbeKind, message: string) => void;
  /** A callback threw. Probing goes on; without this hook the error is dropped. */
  onError?: (err: unknown) => void;
}

interface PodEntry {
  target: ProbeTarget;
  containers: Map<string, ContainerProbes>;
  /** The effective state last reported through onChange (lastResult excluded: it moves every period). */
  reported: string | undefined;
}

/**
 * kubelet's probe manager for berth: one worker per container per probe kind, results kept in
 * memory, changes pushed through callbacks. Pure control flow: all I/O is in the runner, all
 * time in the clock.
 */
export function createProber(deps: ProberDeps): Prober {
  const pods = new Map<string, PodEntry>();
  const settling = new Set<Promise<void>>();
  let stopped = false;
  let batching = false;
  const dirty = new Set<string>();

  const guard = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      deps.onError?.(err);
    }
  };

  const statusOf = (entry: PodEntry): PodProbeStatus => {
    const containers: PodProbeStatus['containers'] = {};
    let ready = entry.containers.size > 0;
    for (const [name, c] of entry.containers) {
      const s = c.status();
      containers[name] = s;
      ready &&= s.ready;
    }
    return { podKey: entry.target.podKey, ready, containers };
  };

  const report = (podKey: string): void => {
    if (batching) {
      dirty.add(podKey);
      return;
    }
    const entry = pods.get(podKey);
    if (!entry || stopped) return;
    const status = statusOf(entry);
    const key = effectiveKey(status);
    if (key === entry.reported) return;
    entry.reported = key;
    if (deps.onChange) guard(() => deps.onChange?.(status));
  };

  const envFor = (entry: PodEntry) => ({
    clock: deps.clock,
    runner: deps.runner,
    podIP: () => entry.target.podIP,
    ...(deps.policy ? { policy: deps.policy } : {}),
    changed: () => report(entry.target.podKey),
    probeFailed: (container: string, kind: ProbeKind, message: string) => {
      if (deps.onProbeFailure) guard(() => deps.onProbeFailure?.(entry.target.podKey, container, kind, message));
    },
    livenessFailed: (container: string, message: string) => {
      if (deps.onLivenessFailure) guard(() => deps.onLivenessFailure?.(entry.target.podKey, container, message));
    },
    settle: (done: Promise<void>) => {
      settling.add(done);
      void done.finally(() => settling.delete(done));
    },
  });

  const syncPod = (entry: PodEntry, target: ProbeTarget): void => {
    entry.target = target;
    const wanted = new Set(target.containers.map((c) => c.name));
    for (const [name, c] of entry.containers) {
      if (!wanted.has(name)) {
        c.stop();
        entry.containers.delete(name);
      }
    }
    for (const spec of target.containers) {
      const existing = entry.containers.get(spec.name);
      if (existing) existing.update(spec);
      else entry.containers.set(spec.name, new ContainerProbes(spec, envFor(entry)));
    }
    report(target.podKey);
  };

  return {
    update(targets) {
      if (stopped) return;
      // Emit once per pod after the whole update, not once per container touched.
      batching = true;
      try {
        const byKey = new Map(targets.map((t) => [t.podKey, t]));
        for (const [podKey, entry] of pods) {
          if (byKey.has(podKey)) continue;
          for (const c of entry.containers.values()) c.stop();
          pods.delete(podKey);
        }
        for (const [podKey, target] of byKey) {
          let entry = pods.get(podKey);
          if (!entry) {
            entry = { target, containers: new Map(), reported: undefined };
            pods.set(podKey, entry);
          }
          syncPod(entry, target);
        }
      } finally {
        batching = false;
      }
      const changed = [...dirty];
      dirty.clear();
      for (const podKey of changed) report(podKey);
    },
    status(podKey) {
      const entry = pods.get(podKey);
      return entry ? statusOf(entry) : undefined;
    },
    statuses() {
      return [...pods.values()].map(statusOf);
    },
    async stop() {
      stopped = true;
      for (const entry of pods.values()) for (const c of entry.containers.values()) c.stop();
      pods.clear();
      await Promise.all([...settling]);
    },
  };
}

function effectiveKey(status: PodProbeStatus): string {
  const parts = Object.entries(status.containers)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, c]) => `${name}:${Number(c.started)}${Number(c.ready)}${Number(c.live)}`);
  return `${Number(status.ready)}|${parts.join(',')}`;
}
