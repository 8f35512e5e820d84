import type { DockerClient } from '../../apply/docker.js';
import type { Clock, ClockTimer } from '../../model/clock.js';
import type { Intent, IntentSpec } from '../../model/intent.js';
import { ROLLOUT_KINDS, SCALABLE_KINDS } from '../../model/kinds.js';
import { checkDns1123Label, checkDns1123Subdomain } from '../../model/names.js';
import { renderDocument } from '../../report/render/kube-yaml.js';
import { redactSecretObject } from '../../report/redact.js';
import { expireIntent, SUBMIT_TIMEOUT_MS, withdraw } from '../control.js';
import type { Daemon } from '../daemon/daemon.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { View } from '../views/index.js';
import { buildViews, containersOnly, podsNamed, readLiveState } from '../views/index.js';
import type { ContainerDetail } from '../../apply/observe.js';
import { eventBody, iso } from './bodies.js';
import type { ChangeFeed } from './change-feed.js';
import { streamChanges } from './change-feed.js';
import type { ActionAccepted, ActionName, ActionRequest, ActionState, ActionStatusResponse, KubeObjectBody, ObjectResponse, PassesResponse, TreeResponse } from './contract.js';
import type { ApiResponse } from './http.js';
import { KINDS, missingParam, type ObjectQuery, type PassesQuery } from './query.js';
import { buildTree } from './tree.js';
import type { UiStreams } from './ui-streams.js';
import { createUiStreams } from './ui-streams.js';

export interface UiHandlerDeps {
  daemon: Daemon;
  app: string;
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
  feed: ChangeFeed;
  /** How long an action may wait for the daemon's pass to take it (default: the CLI's, SUBMIT_TIMEOUT_MS). */
  actionTimeoutMs?: number;
}

/** The web UI's endpoints (docs/daemon.md "Web UI endpoints"); the server checks auth and queries first. */
export interface UiHandlers extends UiStreams {
  tree(): Promise<ApiResponse>;
  object(query: ObjectQuery): Promise<ApiResponse>;
  /** The parsed JSON body of POST /api/v1/actions. */
  submitAction(body: unknown): ApiResponse;
  /** `rest`: what follows /api/v1/actions/ in the path. */
  action(rest: string): ApiResponse;
  passes(query: PassesQuery): ApiResponse;
  stream(): ApiResponse;
  /** The server stops: actions the daemon has not taken are withdrawn, as a command's are when it is interrupted. */
  close(): void;
}

const ACTIONS: readonly ActionName[] = ['undo', 'restart', 'pause', 'resume', 'scale'];
/** Events shown with an object: its most recent, as `describe` shows them. */
const OBJECT_EVENTS = 100;
const DEFAULT_PASSES = 50;

/**
 * What the web UI's endpoints answer, read from the same views, store and intents as the CLI so
 * the two agree. Writes are intents, exactly as `rollout` and `scale` record them: the daemon's
 * pass acts on them (woken at once), never this handler. Secret values never leave: Secret data
 * is masked, and nothing else here carries a value from a Secret.
 */
export function createUiHandlers(deps: UiHandlerDeps): UiHandlers {
  const { app, store, daemon } = deps;
  // What each answer shows decides which containers are inspected (views/detail.ts), as for
  // `get` and `describe`: the page refetches on every change, and a read of every container's
  // details is an inspect each, sandboxes included, on the engine the passes use too.
  const views = async (kinds: typeof KINDS, detail: ContainerDetail) => buildViews(await readLiveState(deps, { app, detail }), kinds);
  // An action the daemon has not taken within the CLI's timeout is withdrawn, by the CLI's own
  // rule (control.ts expireIntent): a click nobody acted on must not change the app later.
  const timeoutMs = deps.actionTimeoutMs ?? SUBMIT_TIMEOUT_MS;
  const notTaken = `the daemon did not take it within ${Math.round(timeoutMs / 1000)} s (a pass is busy or stuck: berth status, or the daemon's log); withdrawn, nothing was changed`;
  const expiries = new Map<number, ClockTimer>();
  const expire = (intent: Pick<Intent, 'id' | 'createdAt'>) => {
    if (expireIntent(store, deps.clock, intent, timeoutMs, notTaken).outcome === 'withdrawn') deps.log.warn({ component: 'api', intent: intent.id, timeoutMs }, 'web UI action withdrawn: the daemon did not take it');
  };

  return {
    ...createUiStreams(deps),

    async tree() {
      return { status: 200, body: buildTree(app, await views(KINDS, containersOnly)) satisfies TreeResponse };
    },

    async object(query) {
      const missing = missingParam('/api/v1/object', query, ['kind', 'name']);
      if (missing) return { status: 400, body: { error: missing } };
      const detail = query.kind === 'Pod' ? podsNamed(query.namespace ?? 'default', [query.name!]) : containersOnly;
      const view = (await views([query.kind!], detail)).find((v) => v.name === query.name && (v.namespace === '' || v.namespace === (query.namespace ?? 'default')));
      if (!view) return { status: 404, body: { error: `${query.kind} ${query.name} not found${query.namespace ? ` in namespace ${query.namespace}` : ''} (app ${app})` } };
      const object = (view.kind === 'Secret' ? redactSecretObject(view.object, { values: 'mask' }) : view.object) as KubeObjectBody;
      const objectKey = view.namespace ? `${view.kind}/${view.namespace}/${view.name}` : `${view.kind}/${view.name}`;
      const events = store.listEvents({ app, objectKey, limit: OBJECT_EVENTS }).map(eventBody);
      return { status: 200, body: { object, yaml: renderDocument(object, 'yaml'), events, ...rolloutOf(view) } satisfies ObjectResponse };
    },

    submitAction(body) {
      const parsed = parseAction(body);
      if (typeof parsed === 'string') return { status: 400, body: { error: parsed } };
      const intent = store.addIntent(app, parsed);
      expiries.set(intent.id, deps.clock.setTimeout(() => (expiries.delete(intent.id), expire(intent)), timeoutMs));
      daemon.wake();
      deps.log.info({ component: 'api', intent: intent.id, type: parsed.type }, 'web UI action recorded');
      return { status: 202, body: { intent: intent.id, state: 'pending' } satisfies ActionAccepted };
    },

    action(rest) {
      const id = /^[1-9]\d{0,14}$/.test(rest) ? Number(rest) : undefined;
      let intent = id === undefined ? undefined : store.getIntent(id);
      // Only this app's actions: an apply's intent holds a revision's files, which this endpoint never shows.
      if (!intent || intent.app !== app || !(ACTIONS as readonly string[]).includes(intent.spec.type)) return { status: 404, body: { error: `no action ${JSON.stringify(rest.slice(0, 20))} of app ${app}` } };
      // Its timer is gone when the daemon restarted since: an overdue action is withdrawn when asked about.
      if (intent.state === 'pending') {
        expire(intent);
        intent = store.getIntent(intent.id) ?? intent;
      }
      const state: ActionState = intent.state !== 'done' ? 'pending' : intent.result?.withdrawn ? 'withdrawn' : intent.result?.ok ? 'done' : 'failed';
      const r = intent.result;
      const result = r ? { ok: r.ok, message: r.message, ...(r.unchanged ? { unchanged: true } : {}), ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}) } : undefined;
      return { status: 200, body: { id: intent.id, state, ...(result ? { result } : {}) } satisfies ActionStatusResponse };
    },

    passes(query) {
      const passes = daemon.passes().slice(0, query.limit ?? DEFAULT_PASSES);
      const body: PassesResponse = passes.map((p) => ({
        startedAt: iso(p.startedAt)!,
        durationMs: p.durationMs,
        trigger: p.reasons[0] ?? 'start',
        triggers: [...p.reasons],
        result: p.result,
        revision: p.revision ?? null,
        changes: p.actions,
        ...(p.error ? { error: p.error } : {}),
      }));
      return { status: 200, body };
    },

    stream() {
      return {
        status: 200,
        contentType: 'text/event-stream; charset=utf-8',
        // A proxy that buffers would hold events past the 2 s the UI counts on.
        headers: { 'X-Accel-Buffering': 'no' },
        stream: (out, closed) => streamChanges(deps.feed, deps.clock, out, closed),
      };
    },

    close() {
      for (const [id, timer] of expiries) {
        deps.clock.clearTimeout(timer);
        withdraw(store, id, 'the daemon stopped before taking it; withdrawn, nothing was changed');
      }
      expiries.clear();
    },
  };

  /** A rollout kind's numbered history, the revision that runs marked current (by template, as `rollout history` marks a pin). */
  function rolloutOf(view: View): Pick<ObjectResponse, 'rollout'> {
    if (view.kind !== 'Deployment' && view.kind !== 'DaemonSet' && view.kind !== 'StatefulSet') return {};
    const records = store.listRollouts(app, view.key);
    const revisions = records.map((r) => ({
      revision: r.revision,
      sourceRevision: r.sourceRevision,
      ...(r.changeCause ? { changeCause: r.changeCause } : {}),
      outcome: r.outcome,
      current: view.templateHash !== undefined && r.templateHash === view.templateHash,
      createdAt: iso(r.startedAt)!,
    }));
    const paused = view.kind === 'Deployment' && (view.object.spec as { paused?: boolean }).paused === true;
    const replicas = view.kind === 'DaemonSet' ? undefined : view.object.spec.replicas;
    return { rollout: { revisions, paused, ...(replicas !== undefined ? { replicas } : {}) } };
  }
}

/**
 * The intent an action asks for, as `rollout undo|restart|pause|resume` and `scale` record
 * theirs, or why the request is not one. Whether the object exists and the action suits it is
 * the pass's to decide (plan/intents.ts), with the same messages the CLI prints.
 */
export function parseAction(body: unknown): IntentSpec | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object: { action, kind, namespace, name, toRevision?, replicas? }';
  const b = body as Partial<Record<keyof ActionRequest, unknown>>;
  const known = new Set(['action', 'kind', 'namespace', 'name', 'toRevision', 'replicas']);
  const extra = Object.keys(b).find((k) => !known.has(k));
  if (extra) return `unknown field ${JSON.stringify(extra.slice(0, 40))}; an action takes action, kind, namespace, name, toRevision, replicas`;
  if (typeof b.action !== 'string' || !(ACTIONS as readonly string[]).includes(b.action)) return `action must be one of ${ACTIONS.join(', ')}`;
  const action = b.action as ActionName;
  const kinds: readonly string[] = action === 'scale' ? SCALABLE_KINDS : action === 'pause' || action === 'resume' ? ['Deployment'] : [...ROLLOUT_KINDS];
  if (typeof b.kind !== 'string' || !kinds.includes(b.kind)) return `kind must be one of ${kinds.join(', ')} for ${action}`;
  if (typeof b.namespace !== 'string' || checkDns1123Label(b.namespace) !== undefined) return 'namespace must be a namespace name';
  if (typeof b.name !== 'string' || checkDns1123Subdomain(b.name) !== undefined) return 'name must be an object name';
  const key = `${b.kind}/${b.namespace}/${b.name}`;
  if (action === 'scale') {
    if (typeof b.replicas !== 'number' || !Number.isInteger(b.replicas) || b.replicas < 0 || b.replicas > 10_000) return 'replicas must be a whole number from 0 to 10000';
    if (b.toRevision !== undefined) return 'toRevision is for undo only';
    return { type: 'scale', key, replicas: b.replicas };
  }
  if (b.replicas !== undefined) return 'replicas is for scale only';
  if (action === 'undo') {
    if (b.toRevision !== undefined && (typeof b.toRevision !== 'number' || !Number.isInteger(b.toRevision) || b.toRevision < 0)) return 'toRevision must be a whole number (0 or none: the revision before the current one)';
    return { type: 'undo', deployment: key, ...(typeof b.toRevision === 'number' && b.toRevision > 0 ? { toRevision: b.toRevision } : {}) };
  }
  if (b.toRevision !== undefined) return 'toRevision is for undo only';
  return { type: action, deployment: key };
}
