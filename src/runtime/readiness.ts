import type { DockerClient } from '../apply/docker.js';
import { dockerError } from '../apply/docker.js';
import type { DeletePodHooks } from '../apply/pod.js';
import type { PodProbeStatus, ProbeKind, ProbeRunner, ProbeTarget } from '../apply/probes/index.js';
import { createDockerProbeRunner, createProber, probeHost, resolveProbePort } from '../apply/probes/index.js';
import type { ObservedPod } from '../plan/observed.js';
import type { Clock } from '../model/clock.js';
import type { HostPolicy } from '../model/policy.js';
import { DEFAULT_HOST_POLICY } from '../model/policy.js';
import type { ContainerPort, LifecycleHandler } from '../model/types.js';
import type { ProbedPods, ReadinessSource } from './observe.js';
import type { ProberOpinion } from '../plan/readiness.js';
import { isFreshRecord } from '../plan/readiness.js';
import type { Logger } from './log.js';
import { commitChanges } from './commit.js';
import type { ContainerStatusRecord, Store } from './store/index.js';
import type { LeaseHolder } from '../model/state.js';
import { own, setOwn } from '../model/own.js';
import { terminationReason } from '../plan/container-status.js';
import { probeFailureEvent, probeKillingEvent } from '../plan/probe-events.js';

/** Docker answers 304 to stopping a stopped container or starting a started one. */
function ignoreNotModified(err: unknown): void {
  if ((err as { statusCode?: number }).statusCode !== 304) throw err;
}

export interface Readiness extends ReadinessSource {
  /** Every wait ends on a change, after `ms`, when `signal` aborts, or on stop(); none leaves a listener on `signal`. */
  changed(ms: number, signal?: AbortSignal): Promise<void>;
  track(host: ProbedPods): void;
  hooks: DeletePodHooks;
  /** Last known probe status of a pod (for get/describe), if this process probes it. */
  status(podKey: string): PodProbeStatus | undefined;
  stop(): Promise<void>;
}

/**
 * Probing while this process runs (the CLI during apply, the daemon always): targets come from
 * observation, results feed the planner, liveness failures restart containers, and every
 * change is written to the store so other processes (`berth get pods`) see it.
 */
export function createReadiness(deps: {
  docker: DockerClient;
  clock: Clock;
  store: Store;
  app: string;
  log: Logger;
  /** Which hosts probes and preStop handlers may name besides the pod; default none. */
  policy?: HostPolicy;
  /**
   * This process as a lease holder. While another process drives the app (holds its live
   * lease: a daemon), that one's prober is the kubelet and records the probe events; this one
   * (`rollout status`, an apply that handed its change over) would count every failure twice.
   */
  holder?: Pick<LeaseHolder, 'id' | 'hostname'>;
}): Readiness {
  const { docker, clock, store, app, log } = deps;
  const policy = deps.policy ?? DEFAULT_HOST_POLICY;
  const runner = createDockerProbeRunner(docker.api);
  const readySince = new Map<string, number>();
  /**
   * Pending `changed()` waits. A change wakes all of them (the daemon's watch and a pass's own
   * wait may overlap); each removes its timer and its abort listener when it settles.
   */
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const done of [...waiters]) done();
  };
  const prober = createProber({
    runner,
    clock,
    policy,
    onChange: (status) => {
      persist(status);
      wakeAll();
    },
    onProbeFailure: (podKey, container, kind, message) => recordProbeFailure(podKey, container, kind, message),
    onLivenessFailure: (podKey, container, message) => {
      void restartContainer(podKey, container, message);
    },
    onError: (err) => log.warn({ err }, 'probe callback failed'),
  });
  /**
   * The pods and probes of the last observation, kept until the next one (liveness restarts and
   * persist() look pods up in it). Only those two: see track().
   */
  let lastHost: ProbedPods | undefined;

  /** True once every readiness-probed container of the pod has had at least one probe result. */
  function hasOpinion(status: PodProbeStatus): boolean {
    const pod = lastHost?.pods.find((p) => p.key === status.podKey);
    if (!pod) return false;
    return pod.containers.every((c) => !lastHost?.probes.get(c.id)?.readinessProbe || own(status.containers, c.name)?.lastResult !== undefined);
  }

  function persist(status: PodProbeStatus): void {
    // A prober that has not probed yet knows nothing; it must not overwrite what another
    // process (a daemon, an earlier apply) recorded.
    if (!hasOpinion(status)) return;
    try {
      const record = store.getPodStatus(app, status.podKey);
      const previous = record?.containers ?? {};
      // The records of containers the prober does not track stay: init containers' restarts
      // (plan/pod-resume.ts) are kept under their names too.
      const containers: Record<string, ContainerStatusRecord> = {};
      for (const [name, c] of Object.entries(previous)) setOwn(containers, name, c);
      for (const [name, c] of Object.entries(status.containers)) {
        setOwn(containers, name, { restartCount: 0, ...own(previous, name), ready: c.ready, started: c.started });
      }
      // What is recorded already, for this pod (not an earlier one of its name), is not written
      // again: its time is the Ready condition's last transition (runtime/views/pods.ts), and
      // every CLI process's prober starts over and would otherwise rewrite every pod, one
      // commit each (a no-op apply of 100 pods spent ~160 ms of CPU there).
      const pod = lastHost?.pods.find((p) => p.key === status.podKey);
      if (record && pod && isFreshRecord(record, pod) && record.ready === status.ready && sameContainers(record.containers, containers)) return;
      store.setPodStatus(app, status.podKey, { ready: status.ready, containers });
    } catch (err) {
      log.warn({ err, pod: status.podKey }, 'could not record pod status');
    }
  }

  /**
   * Every failed attempt of every probe kind is the kubelet's `Warning Unhealthy` event, written
   * for `describe pod`, `get events` and the daemon's events API to say why a pod is not Ready
   * (or was restarted). The store aggregates the repeats into counts. Only for pods this process
   * tracks: a pod deleted meanwhile gets no event after its deletion.
   */
  function recordProbeFailure(podKey: string, container: string, kind: ProbeKind, message: string): void {
    if (!lastHost?.pods.some((p) => p.key === podKey)) return;
    try {
      const driver = deps.holder ? store.liveLease(app, deps.holder.hostname) : undefined;
      if (driver && driver.holder.id !== deps.holder?.id) return;
      commitChanges(store, app, [probeFailureEvent(podKey, container, kind, message)]);
    } catch (err) {
      log.warn({ err, pod: podKey }, 'could not record probe failure event');
    }
  }

  /**
   * The kubelet kills a container whose liveness probe fails and starts it again. Stopped first
   * (the container's StopTimeout is the pod's terminationGracePeriodSeconds) and read before the
   * start, because `docker start` forgets how the run ended and Docker's RestartCount: both go
   * to the store with this restart, so Last State says Error/137 (or OOMKilled, Completed) as the
   * kubelet's does, and RESTARTS keeps Docker's own restarts.
   */
  async function restartContainer(podKey: string, container: string, message: string): Promise<void> {
    const pod = lastHost?.pods.find((p) => p.key === podKey);
    const c = pod?.containers.find((x) => x.name === container);
    if (!pod || !c) return;
    // The Unhealthy event of the failing attempt is already recorded (recordProbeFailure).
    commitChanges(store, app, [
      probeKillingEvent(podKey, container, message.startsWith('Startup') ? 'startup' : 'liveness'),
      // Counted before the stop: a pass that sees the container stopped meanwhile then knows it
      // restarted (and takes its restarts over) instead of counting a start of its own.
      { type: 'update-container-status', podKey, container, add: { restartCount: 1 }, set: { lastTerminationReason: 'Error', lastTerminatedAt: clock.now(), lastExitCode: undefined } },
    ]);
    log.info({ pod: podKey, container }, 'restarting container after liveness failure');
    const ref = docker.api.getContainer(c.id);
    try {
      await ref.stop().catch(ignoreNotModified);
      const info = await ref.inspect();
      const finished = Date.parse(info.State.FinishedAt);
      // `docker start` resets Docker's RestartCount and forgets how the run ended: both go to the store now.
      commitChanges(store, app, [
        {
          type: 'update-container-status',
          podKey,
          container,
          add: { restartCount: info.RestartCount },
          set: {
            lastTerminationReason: terminationReason({ oomKilled: info.State.OOMKilled, exitCode: info.State.ExitCode }),
            lastExitCode: info.State.ExitCode,
            ...(Number.isNaN(finished) ? {} : { lastTerminatedAt: finished }),
          },
        },
      ]);
      // A pass that saw it stopped may have started it already (304): that is the restart.
      await ref.start().catch(ignoreNotModified);
    } catch (err) {
      log.warn({ err: dockerError(err, `restarting ${c.dockerName}`), pod: podKey }, 'liveness restart failed');
    }
  }

  return {
    opinion(pod: ObservedPod): ProberOpinion | undefined {
      const s = prober.status(pod.key);
      // Until this process has probed the pod it knows less than the store (a daemon, an
      // earlier apply): no opinion, and plan/readiness.ts falls back to the record.
      if (!s || !hasOpinion(s)) return undefined;
      // minReadySeconds counts from when this process first saw the pod ready, sandbox up.
      if (s.ready && pod.sandbox?.state === 'running') {
        if (!readySince.has(pod.key)) readySince.set(pod.key, clock.now());
      } else readySince.delete(pod.key);
      const since = readySince.get(pod.key);
      const containers: Record<string, boolean> = {};
      const messages: Record<string, string> = {};
      for (const [name, c] of Object.entries(s.containers)) {
        setOwn(containers, name, c.ready);
        if (!c.ready && c.lastResult && !c.lastResult.ok) setOwn(messages, name, c.lastResult.message);
      }
      return { ready: s.ready, containers, ...(since !== undefined ? { since } : {}), ...(Object.keys(messages).length ? { messages } : {}) };
    },
    track(host: ProbedPods): void {
      // A caller may hand a whole observation (it is a ProbedPods); holding it would keep its
      // inventory and status records alive between passes, which for an idle daemon is until
      // the next revision (issue 13 #7).
      lastHost = { pods: host.pods, probes: host.probes };
      prober.update(targetsOf(host));
    },
    changed(ms: number, signal?: AbortSignal): Promise<void> {
      return new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        // However the wait ends (change, timeout, abort), it leaves nothing on `signal`: callers
        // pass long-lived signals (the daemon's), and listeners left behind pile up on them.
        const done = (): void => {
          if (!waiters.delete(done)) return;
          clock.clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = clock.setTimeout(done, ms);
        waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
    status: (podKey) => prober.status(podKey),
    hooks: preStopHooks({ docker, clock, policy, runner }),
    stop: () => {
      wakeAll();
      return prober.stop();
    },
  };
}

/** The same records by value (key order aside: a record read back from JSON keeps its own). */
function sameContainers(a: Readonly<Record<string, ContainerStatusRecord>>, b: Readonly<Record<string, ContainerStatusRecord>>): boolean {
  const canonical = (r: Readonly<Record<string, ContainerStatusRecord>>) =>
    JSON.stringify(Object.keys(r).sort().map((name) => [name, Object.entries(own(r, name) ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))]));
  return canonical(a) === canonical(b);
}

function targetsOf(host: ProbedPods): ProbeTarget[] {
  const targets: ProbeTarget[] = [];
  for (const pod of host.pods) {
    if (!pod.sandbox?.ip || pod.sandbox.state !== 'running') continue;
    targets.push({
      podKey: pod.key,
      podIP: pod.sandbox.ip,
      containers: pod.containers.map((c) => {
        const spec = host.probes.get(c.id);
        return {
          name: c.name,
          containerId: c.id,
          startedAt: c.startedAt ?? 0,
          running: c.state === 'running',
          ...(spec?.ports ? { ports: spec.ports as ContainerPort[] } : {}),
          ...(spec?.readinessProbe ? { readinessProbe: spec.readinessProbe } : {}),
          ...(spec?.livenessProbe ? { livenessProbe: spec.livenessProbe } : {}),
          ...(spec?.startupProbe ? { startupProbe: spec.startupProbe } : {}),
        };
      }),
    });
  }
  return targets;
}

/** preStop: exec inside the container, httpGet/tcpSocket against the pod, or a plain sleep. */
/**
 * The preStop handlers of pods being deleted, run as the kubelet runs them (exec through Docker,
 * httpGet/tcpSocket against the pod under the host policy). Needs no prober: `berth delete`
 * takes only this.
 */
export function preStopHooks(deps: { docker: DockerClient; clock: Clock; policy?: HostPolicy; runner?: ProbeRunner }): DeletePodHooks {
  const policy = deps.policy ?? DEFAULT_HOST_POLICY;
  const runner = deps.runner ?? createDockerProbeRunner(deps.docker.api);
  return { runPreStop: async (containerId, podIp, handler, timeoutMs) => runHandler(runner, containerId, podIp, handler, timeoutMs, deps.clock, policy) };
}

async function runHandler(
  runner: ProbeRunner,
  containerId: string,
  podIp: string | undefined,
  handler: LifecycleHandler,
  timeoutMs: number,
  clock: Clock,
  policy: HostPolicy,
): Promise<void> {
  const signal = clock.timeout(Math.max(1, timeoutMs));
  if (handler.sleep) {
    await clock.sleep(Math.min(handler.sleep.seconds * 1000, timeoutMs), signal).catch(() => undefined);
    return;
  }
  if (handler.exec) {
    const r = await runner.exec(containerId, handler.exec.command, timeoutMs, signal);
    if (!r.ok) throw new Error(r.message);
    return;
  }
  // The same rule as probes: the pod itself unless the host policy names the host.
  const target = probeHost(handler.httpGet?.host ?? handler.tcpSocket?.host, { podIP: podIp ?? '', policy });
  if ('refused' in target) throw new Error(target.refused);
  const host = target.host;
  const resolved = resolveProbePort(handler.httpGet?.port ?? handler.tcpSocket?.port ?? 0, []);
  if (!resolved.ok) throw new Error(resolved.message);
  const r = handler.httpGet
    ? await runner.httpGet(
        { host, port: resolved.port, path: handler.httpGet.path ?? '/', scheme: handler.httpGet.scheme ?? 'HTTP', headers: handler.httpGet.httpHeaders ?? [] },
        timeoutMs,
        signal,
      )
    : await runner.tcpSocket(host, resolved.port, timeoutMs, signal);
  if (!r.ok) throw new Error(r.message);
}
