import type { DockerClient } from '../../apply/docker.js';
import { L } from '../../apply/labels.js';
import { readStatus } from '../../apply/services/config-writer.js';
import { hostDirOf } from '../../apply/services/host-status.js';
import type { EdgeStatus } from '../../dataplane/protocol.js';
import { DEFAULT_EDGE_CONFIG_DIR } from '../../dataplane/protocol.js';
import type { Clock } from '../../model/clock.js';
import type { HostPolicy } from '../../model/policy.js';
import { edgeSettings } from '../../model/policy.js';
import { edgeName } from '../../plan/edge/plan.js';
import type { Logger } from '../log.js';
import { policyInForce } from '../pass/policy.js';
import type { Store } from '../store/index.js';
import { edgeMetricsText } from './edge-metrics.js';

/** How long one reading of the edge's status answers scrapes: Prometheus scrapes every 15–60 s, several may share one. */
export const EDGE_SCRAPE_CACHE_MS = 5_000;
/** A scrape waits this long for the engine, then reports the edge down rather than time out itself. */
export const EDGE_SCRAPE_TIMEOUT_MS = 3_000;

export interface EdgeScrapeDeps {
  docker: DockerClient;
  store: Pick<Store, 'getAppliedPolicy'>;
  clock: Clock;
  log: Logger;
}

/**
 * The edge part of `/metrics` for `app` (./edge-metrics.ts): the edge of the ports the daemon's
 * passes use (its flags, else the app's recorded ones, as policyInForce says), read from Docker
 * at most every EDGE_SCRAPE_CACHE_MS so scrapes do not each copy a file out of a container.
 * Concurrent scrapes share one reading. Never rejects: whatever goes wrong reads as
 * `berth_edge_up 0`. The cache lives in the returned closure, one per daemon.
 */
export function createEdgeScrape(deps: EdgeScrapeDeps, app: string, explicit?: HostPolicy): () => Promise<string> {
  let cached: { at: number; text: Promise<string> } | undefined;
  const scrape = async (): Promise<string> => {
    try {
      return edgeMetricsText(app, await withTimeout(deps.clock, readEdgeStatus(deps, app, explicit), EDGE_SCRAPE_TIMEOUT_MS));
    } catch (err) {
      // An engine error, a timeout, or a status.json of another shape than this berth knows.
      deps.log.debug({ err }, 'could not read the edge status for /metrics');
      return edgeMetricsText(app, undefined);
    }
  };
  return () => {
    const now = deps.clock.now();
    if (!cached || now - cached.at >= EDGE_SCRAPE_CACHE_MS || now < cached.at) cached = { at: now, text: scrape() };
    return cached.text;
  };
}

/**
 * The status of the running edge of the app's ports; undefined when there is none, it is not
 * running, or its status.json is absent, unreadable or from before the container's last start
 * (the file lives on the edge's volume: a restarted edge has not rewritten it yet).
 */
async function readEdgeStatus(deps: EdgeScrapeDeps, app: string, explicit: HostPolicy | undefined): Promise<EdgeStatus | undefined> {
  const name = edgeName(edgeSettings(policyInForce(deps.store, app, explicit)));
  const info = await deps.docker.api
    .getContainer(name)
    .inspect()
    .catch((err: unknown) => {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    });
  if (info?.Config?.Labels?.[L.role] !== 'edge' || info.State?.Running !== true || info.State.Restarting === true) return undefined;
  const status = await readStatus(deps.docker, info.Id, 'edge', hostDirOf(info.Mounts, DEFAULT_EDGE_CONFIG_DIR));
  if (status?.kind !== 'edge') return undefined;
  const started = Date.parse(info.State.StartedAt);
  // One second of slack: Docker stamps the start before the program stamps its own.
  if (Number.isFinite(started) && Date.parse(status.startedAt) < started - 1_000) return undefined;
  return status;
}

/** `work`, or a rejection after `ms` on the clock. */
function withTimeout<T>(clock: Clock, work: Promise<T>, ms: number): Promise<T> {
  const signal = clock.timeout(ms);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(`the engine did not answer within ${ms} ms`));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}
