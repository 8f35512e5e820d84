/**
 * The pod keeper's loop: sweep the berth-owned containers when it starts (the engine started),
 * on every start/die of one, and every `sweepMs` as a backstop; each sweep observes, plans
 * (keeper-plan.ts) and carries the steps out in order. One sweep runs at a time; triggers during
 * a sweep fold into one more. Holds nothing but its retry memory: a restart loses nothing.
 */
import type { DockerApi, DockerEvent } from './keeper-docker.js';
import { DockerApiError } from './keeper-docker.js';
import type { KeeperAttempt, KeptContainer, NetworkEndpoint } from './keeper-plan.js';
import { joinedContainers, planKeeper, sandboxesToInspect, staleEndpoints } from './keeper-plan.js';
import type { Logger } from './log.js';
import { errorText } from './log.js';

export interface KeeperProgramOptions {
  api: DockerApi;
  log: Logger;
  now: () => number;
  sweepMs: number;
  abandonedAfterMs: number;
}

export interface KeeperProgram {
  /** Resolves after the first sweep (tests, logs). */
  firstSweep: Promise<void>;
  shutdown(): Promise<void>;
}

const OWNED = 'berth.managed=true';

interface ListedContainer {
  Id: string;
  Names?: string[];
  State: string;
  Labels?: Record<string, string>;
}

interface InspectedContainer {
  Id: string;
  Name: string;
  State: { Status: string; ExitCode: number; Error?: string; StartedAt?: string; FinishedAt?: string; Running?: boolean; Restarting?: boolean; Paused?: boolean };
  HostConfig: { NetworkMode?: string; IpcMode?: string; PidMode?: string; RestartPolicy?: { Name?: string } };
  Config: { Labels?: Record<string, string> };
}

interface InspectedNetwork {
  Name: string;
  Containers?: Record<string, { Name?: string }>;
}

export function startKeeper(o: KeeperProgramOptions): KeeperProgram {
  const attempts = new Map<string, KeeperAttempt>();
  let cleanEndpoints = true;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const trigger = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await sweep();
        } catch (err) {
          o.log.warn('sweep failed', { err: errorText(err) });
        }
      } while (again && !stopped);
      running = undefined;
    })();
    return running;
  };

  async function sweep(): Promise<void> {
    const listed = await o.api.call<ListedContainer[]>('GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: [OWNED] }))}`);
    if (cleanEndpoints) {
      await removeStaleEndpoints(listed);
      cleanEndpoints = false;
    }
    const kept = (await Promise.all(listed.map((c) => observe(c)))).filter((c): c is KeptContainer => c !== undefined);
    // Whether the engine restarted is read from the sandboxes of taken-over containers that are
    // down (keeper-plan.ts sandboxRestarted): only those running sandboxes are inspected.
    const byId = new Map(kept.map((c) => [c.id, c]));
    await Promise.all(
      sandboxesToInspect(kept).map(async (id) => {
        const info = await o.api.call<InspectedContainer>('GET', `/containers/${id}/json`).catch(() => undefined);
        const started = dockerTime(info?.State.StartedAt);
        if (started !== undefined) byId.get(id)!.startedAt = started;
      }),
    );
    const now = o.now();
    for (const c of kept) if (c.up) attempts.delete(c.id);
    const { steps, waits } = planKeeper(kept, { now, abandonedAfterMs: o.abandonedAfterMs, attempts });
    for (const w of waits) o.log.debug('waits for the container it joins', { container: w.name, on: w.on });
    for (const s of steps) {
      const log = o.log.child({ container: s.name });
      try {
        if (s.type === 'hand-back') {
          // Docker's policy first: if the keeper dies between the two calls, Docker still restarts it.
          await o.api.call('POST', `/containers/${s.id}/update`, { RestartPolicy: { Name: s.policy } });
          log.info('restart policy handed back to Docker', { policy: s.policy, reason: s.reason });
        }
        await start(s.id);
        attempts.delete(s.id);
        log.info('started', { reason: s.reason });
      } catch (err) {
        const prev = attempts.get(s.id);
        attempts.set(s.id, { count: (prev?.count ?? 0) + 1, at: o.now() });
        // A stale endpoint of the container's name keeps it off its network: clear, retry.
        if (/endpoint/i.test(errorText(err))) cleanEndpoints = true;
        log.warn('start failed', { err: errorText(err) });
      }
    }
  }

  async function start(id: string): Promise<void> {
    try {
      await o.api.call('POST', `/containers/${id}/start`);
    } catch (err) {
      if (err instanceof DockerApiError && err.statusCode === 304) return; // already running
      throw err;
    }
  }

  /** Only not-running containers are inspected: what runs needs nothing but to be known as up. */
  async function observe(c: ListedContainer): Promise<KeptContainer | undefined> {
    const labels = c.Labels ?? {};
    const pod = labels['berth.app'] !== undefined && labels['berth.name'] !== undefined ? `${labels['berth.app']}/${labels['berth.namespace'] ?? 'default'}/${labels['berth.name']}` : undefined;
    const base = {
      id: c.Id,
      name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
      role: labels['berth.role'],
      podRestartPolicy: labels['berth.restart-policy'],
      // Stand-ins for a refused container or an image that could not be had: never started.
      configError: labels['berth.config-error'] !== undefined || labels['berth.image-pull'] !== undefined,
      ...(pod !== undefined ? { pod } : {}),
      ...(labels['berth.pod-shape'] === 'single' ? { single: true } : {}),
    };
    if (c.State === 'running' || c.State === 'restarting' || c.State === 'paused')
      return { ...base, up: true, status: c.State, exitCode: 0, error: '', dockerPolicy: '', joins: [] };
    // Never started by the keeper whatever their state says (keeper-plan.ts): no inspect, so a
    // host full of finished init containers and Never pods costs one list call per sweep.
    if (base.role === 'init' || base.configError || base.podRestartPolicy === 'Never')
      return { ...base, up: false, status: c.State, exitCode: 0, error: '', dockerPolicy: 'no', joins: [] };
    let info: InspectedContainer;
    try {
      info = await o.api.call<InspectedContainer>('GET', `/containers/${c.Id}/json`);
    } catch (err) {
      if (err instanceof DockerApiError && err.statusCode === 404) return undefined; // removed meanwhile
      throw err;
    }
    const finished = dockerTime(info.State.FinishedAt);
    const started = dockerTime(info.State.StartedAt);
    return {
      ...base,
      up: Boolean(info.State.Running || info.State.Restarting || info.State.Paused),
      status: info.State.Status,
      exitCode: info.State.ExitCode,
      error: info.State.Error ?? '',
      ...(finished !== undefined ? { finishedAt: finished } : {}),
      ...(started !== undefined ? { startedAt: started } : {}),
      dockerPolicy: info.HostConfig.RestartPolicy?.Name || 'no',
      joins: joinedContainers([info.HostConfig.NetworkMode, info.HostConfig.IpcMode, info.HostConfig.PidMode]),
    };
  }

  /** Endpoints on berth's networks whose containers are gone (keeper-plan.ts staleEndpoints). */
  async function removeStaleEndpoints(listed: readonly ListedContainer[]): Promise<void> {
    // Every container of the engine, berth's or not, may hold an endpoint on a berth network.
    const all = await o.api.call<ListedContainer[]>('GET', '/containers/json?all=1');
    const existing = new Set(all.flatMap((c) => [c.Id, ...(c.Names ?? []).map((n) => n.replace(/^\//, ''))]));
    for (const c of listed) existing.add(c.Id);
    const networks = await o.api.call<Array<{ Id: string }>>('GET', `/networks?filters=${encodeURIComponent(JSON.stringify({ label: [OWNED] }))}`);
    for (const n of networks) {
      const info = await o.api.call<InspectedNetwork>('GET', `/networks/${n.Id}`).catch(() => undefined);
      if (!info) continue;
      const endpoints: NetworkEndpoint[] = Object.entries(info.Containers ?? {}).map(([key, e]) => ({ key, name: e.Name ?? '' }));
      for (const name of staleEndpoints(endpoints, existing)) {
        if (name === '') continue;
        try {
          await o.api.call('POST', `/networks/${n.Id}/disconnect`, { Container: name, Force: true });
          o.log.info('removed a stale endpoint', { network: info.Name, endpoint: name });
        } catch (err) {
          o.log.warn('could not remove a stale endpoint', { network: info.Name, endpoint: name, err: errorText(err) });
        }
      }
    }
  }

  // Events first, then the first sweep: a start/die between the two still triggers a sweep.
  let events: { done: Promise<void>; stop: () => void } | undefined;
  const listen = () => {
    if (stopped) return;
    events = o.api.events({ type: ['container'], label: [OWNED], event: ['start', 'die'] }, (e: DockerEvent) => {
      if (e.Actor?.Attributes?.['berth.role'] === 'keeper') return;
      void trigger();
    });
    // The stream ends when the engine stops (and this container with it) or a proxy cuts it: reopen.
    void events.done.then(() => {
      if (!stopped) setTimeout(listen, 1_000).unref();
    });
  };
  listen();
  const firstSweep = trigger();
  const tick = () => {
    timer = setTimeout(() => void trigger().then(tick), o.sweepMs);
  };
  tick();
  return {
    firstSweep,
    async shutdown() {
      stopped = true;
      if (timer) clearTimeout(timer);
      events?.stop();
      await running;
    },
  };
}

/** A Docker timestamp in ms; undefined for "never" (Docker's zero time `0001-01-01…`) or none. */
function dockerTime(text: string | undefined): number | undefined {
  if (!text || text.startsWith('0001-')) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
