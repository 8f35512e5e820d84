import type { DockerClient } from '../../apply/docker.js';
import { holdMessage } from '../../plan/local-hold.js';
import type { ValidateOptions } from '../../manifests/index.js';
import type { Clock } from '../../model/clock.js';
import type { GitRef } from '../../sources/git.js';
import type { Daemon } from '../daemon/daemon.js';
import { redactSecretObject } from '../../report/redact.js';
import { liveDiff } from '../live-diff.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import { buildViews, readLiveState } from '../views/index.js';
import { effectiveDeployments } from '../views/live.js';
import { replicaOverrides } from '../../plan/overrides.js';
import { appDivergences, pauseOverrides } from '../../plan/divergences.js';
import type { AnyObject } from '../../model/types.js';
import type { View } from '../views/index.js';
import { createEdgeScrape } from './edge-scrape.js';
import { healthOf } from './health.js';
import type { DaemonMetrics } from './metrics.js';
import { KINDS } from './query.js';
import { eventBody, iso } from './bodies.js';
import type { DiffResponse, EventsResponse, HealthzResponse, ReadyzResponse, ResourcesResponse, RevisionsResponse, StatusResponse, SyncResponse } from './contract.js';
import type { ApiHandlers } from './server.js';
import { pushConcernsRef } from './webhook.js';
import { ROLLOUT_KINDS } from '../../model/kinds.js';

export interface HandlerDeps {
  daemon: Daemon;
  app: string;
  docker: DockerClient;
  store: Store;
  clock: Clock;
  random: () => number;
  metrics: DaemonMetrics;
  log: Logger;
  validate: ValidateOptions;
  trackedRef?: GitRef;
  version: string;
}

/** Events answered when the query sets no limit. */
const DEFAULT_EVENTS_LIMIT = 500;

/**
 * What each endpoint answers (docs/daemon.md has the reference). Everything is read from the
 * store and Docker as it is now, so the answers agree with `berth get` and `describe`; secret
 * values never leave: Secret data is masked and problems, events and errors are already
 * redacted where they were made.
 */
export function createHandlers(deps: HandlerDeps): ApiHandlers {
  const { daemon, app, store, metrics } = deps;
  // The edge's per-route figures (docs/ingress.md "Metrics"), read at scrape with a short cache.
  const edgeMetrics = createEdgeScrape(deps, app, deps.validate.hostPolicy);

  return {
    health: () => ({ status: 200, body: { status: 'ok', version: deps.version } satisfies HealthzResponse }),

    async ready() {
      const r = await daemon.readiness();
      return { status: r.ready ? 200 : 503, body: { ready: r.ready, checks: r.checks } satisfies ReadyzResponse };
    },

    metrics: async () => ({ status: 200, text: metrics.registry.render() + (await edgeMetrics()) }),

    status() {
      const d = daemon.status();
      // The daemon's memory first: a failing store must not make status fail, nor answer from a stale row.
      const s = readOrUndefined(() => store.getSourceStatus(app));
      const lastPassFailed = d.lastPass?.result === 'failed';
      const src = d.source;
      return {
        status: 200,
        body: {
          app,
          source: {
            description: src.description,
            revision: src.latest?.id ?? null,
            fetchedAt: iso(src.latest?.at) ?? null,
            ...(src.latest?.commit ? { commit: { message: src.latest.commit.message, author: src.latest.commit.author, committedAt: iso(src.latest.commit.committedAt) } } : {}),
            firstFetchDone: src.firstFetchDone,
            consecutiveFailures: src.consecutiveFailures,
            ...(src.lastError ? { lastError: { ...src.lastError, at: iso(src.lastError.at) } } : {}),
            ...(src.nextFetchAt !== undefined ? { nextFetchAt: iso(src.nextFetchAt) } : {}),
          },
          sync: {
            // Argo CD's Unknown (ComparisonError): with the source unreadable, whether the host
            // matches it cannot be known; the last applied revision keeps running meanwhile.
            // A pass that failed (the store included) is Failed whatever the store last recorded.
            state: lastPassFailed ? 'Failed' : src.consecutiveFailures > 0 || !d.store.ok ? 'Unknown' : (s?.syncState ?? 'Unknown'),
            since: iso(s?.syncStateSince) ?? null,
            appliedRevision: s?.lastApplied?.revision ?? null,
            appliedAt: iso(s?.lastApplied?.at) ?? null,
            fetchedRevision: s?.lastFetched?.revision ?? null,
            failedRevision: s?.lastFailed?.revision ?? null,
            failedAt: iso(s?.lastFailed?.at) ?? null,
            lastError: lastPassFailed && d.lastPass?.error
              ? { code: d.lastPass.error.code, message: d.lastPass.error.message, problems: [], at: iso(d.lastPass.startedAt + d.lastPass.durationMs) }
              : s?.lastError
                ? { message: s.lastError.message, problems: s.lastError.problems, at: iso(s.lastError.at) }
                : null,
            // What runs other than the source says, on purpose: a template pinned by undo or rolled
            // back (SPEC §4), and a replica count `berth scale` set — as `diff -f` reports them.
            divergences: readOrUndefined(() => storedDivergences(store, app)) ?? null,
            // A command's apply or delete the daemon keeps until the source moves (plan/local-hold.ts).
            localHold: s?.localHold
              ? { change: s.localHold.change, what: s.localHold.what, sourceRevision: s.localHold.sourceRevision, since: iso(s.localHold.at), message: holdMessage(s.localHold) }
              : null,
          },
          store: {
            healthy: d.store.ok,
            ...(d.store.fault ? { fault: d.store.fault, message: d.store.message, hint: d.store.hint } : {}),
            since: iso(d.store.since),
            file: store.file,
            lastBackup: d.store.lastBackup ? { file: d.store.lastBackup.file, at: iso(d.store.lastBackup.at) } : null,
            ...(d.store.lastBackupError ? { lastBackupError: { message: d.store.lastBackupError.message, at: iso(d.store.lastBackupError.at) } } : {}),
          },
          ...(d.lastPass ? { lastPass: { ...d.lastPass, startedAt: iso(d.lastPass.startedAt) } } : {}),
          loop: { running: d.loop.running, pending: d.loop.pending, consecutiveFailures: d.loop.failures, ...(d.loop.retryAt ? { retryAt: iso(d.loop.retryAt) } : {}) },
          managedPods: d.managedPods ?? null,
          leaseHeld: d.leaseHeld,
        } satisfies Omit<StatusResponse, 'access'>, // the server adds `access`, from its own options
      };
    },

    async resources(query) {
      const kinds = query.kind ? [query.kind] : KINDS;
      const state = await readLiveState({ docker: deps.docker, store, clock: deps.clock }, { app });
      const views = buildViews(state, kinds).filter((v) => query.namespace === undefined || v.namespace === query.namespace);
      return { status: 200, body: { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: views.map(itemWithHealth) } satisfies ResourcesResponse };
    },

    revisions() {
      // DaemonSets and StatefulSets keep the same numbered history, listed under their own keys (`DaemonSet/ns/name`).
      const deployments = [...ROLLOUT_KINDS].flatMap((kind) => store.getInventory(app, kind));
      return {
        status: 200,
        body: {
          deployments: deployments.map((e) => ({
            deployment: e.key,
            revisions: store.listRollouts(app, e.key).map((r) => ({
              revision: r.revision,
              templateHash: r.templateHash,
              sourceRevision: r.sourceRevision,
              ...(r.changeCause ? { changeCause: r.changeCause } : {}),
              outcome: r.outcome,
              ...(r.message ? { message: r.message } : {}),
              startedAt: iso(r.startedAt),
              ...(r.finishedAt !== undefined ? { finishedAt: iso(r.finishedAt) } : {}),
              revisionHistory: r.revisionHistory,
            })),
          })),
        } satisfies RevisionsResponse,
      };
    },

    events(query) {
      const limit = query.limit ?? DEFAULT_EVENTS_LIMIT;
      const stored = readOrUndefined(() => store.listEvents({ app, limit, ...(query.since !== undefined ? { since: query.since } : {}), ...(query.object !== undefined ? { objectKey: query.object } : {}) })) ?? [];
      // Failed passes the store could not record (it was full or damaged), newest last like the stored ones.
      const held = daemon.heldEvents().filter((e) => (query.since === undefined || e.lastTimestamp >= query.since) && (query.object === undefined || e.objectKey === query.object));
      const events = [...stored, ...held].slice(-limit);
      return {
        status: 200,
        body: {
          items: events.map(eventBody),
        } satisfies EventsResponse,
      };
    },

    async diff() {
      const revision = daemon.latestRevision();
      if (!revision) return { status: 503, body: { error: 'no revision has been read from the source yet' } };
      const result = await liveDiff({ docker: deps.docker, store, clock: deps.clock, random: deps.random }, { app, revision, validate: deps.validate, prune: true });
      return { status: 200, body: { revision: { id: revision.id, origin: revision.origin }, valid: result.valid, problems: result.problems, ...(result.report ? { report: result.report } : {}) } satisfies DiffResponse };
    },

    sync() {
      daemon.sync('api');
      return { status: 202, body: { accepted: true } satisfies SyncResponse };
    },

    webhook(verdict) {
      const { event, forge } = verdict;
      if (event.kind === 'ping') {
        metrics.webhooks.inc({ forge, outcome: 'ping' });
        return { status: 200, body: { pong: true } };
      }
      if (event.kind === 'other') {
        metrics.webhooks.inc({ forge, outcome: 'ignored' });
        return { status: 200, body: { triggered: false, reason: `event ${event.name || '(unnamed)'} is not a push` } };
      }
      if (!pushConcernsRef(event, deps.trackedRef)) {
        metrics.webhooks.inc({ forge, outcome: 'ignored' });
        return { status: 200, body: { triggered: false, reason: `push to ${event.ref} does not move the tracked ref` } };
      }
      metrics.webhooks.inc({ forge, outcome: 'triggered' });
      deps.log.info({ component: 'webhook', forge, ref: event.ref, after: event.after }, 'push received; fetching');
      daemon.sync('webhook');
      return { status: 202, body: { triggered: true } };
    },

    webhookRejected(verdict) {
      metrics.webhooks.inc({ forge: verdict.forge ?? 'unknown', outcome: verdict.status === 401 ? 'unauthorized' : 'malformed' });
    },
  };
}

/** A store read for status: undefined when the store fails (the daemon's health says why). */
function readOrUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** A Secret's keys stay (people need to see which exist); its values never leave the host. */
function itemWithHealth(view: View): ResourcesResponse['items'][number] {
  const object = view.kind === 'Secret' ? redactSecretObject(view.object, { values: 'mask' }) : view.object;
  return { ...object, health: healthOf(view) };
}

/** The divergences of an app as the live diff reports them and its last pass decided its sync state on. */
function storedDivergences(store: Store, app: string): Array<{ deployment: string; reason: string; revision?: number; message: string }> {
  // Every status request asks: an app without Deployments or scale overrides has none, and
  // reading (parsing) its whole inventory to learn that is not worth a request (issue 13 #7).
  const overrides = store.listDeploymentOverrides(app);
  if (overrides.length === 0 && [...ROLLOUT_KINDS].every((kind) => store.getInventory(app, kind).length === 0)) return [];
  const inventory = store.getInventory(app);
  const resources = inventory.map((e) => ({ key: e.key, object: e.object as AnyObject, source: { file: '(applied)', line: 0, column: 0 } }));
  return appDivergences({ rollouts: effectiveDeployments(store, app, inventory).divergences, resources, replicas: replicaOverrides(overrides), paused: pauseOverrides(overrides) });
}
