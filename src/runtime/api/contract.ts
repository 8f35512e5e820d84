/**
 * The JSON bodies of the daemon's HTTP API (docs/daemon.md), requests and responses, as one
 * definition the server (./handlers.ts, ./ui-handlers.ts) and the web UI (ui/) both compile
 * against. Pure types: the UI reads this file with `import type`, so nothing here may pull
 * server code into the browser bundle. Its only imports are type-only, of import-free type files
 * that the code making those bodies shares (a diff report's change: report/report-change.ts);
 * test/architecture.test.ts holds it to that.
 *
 * Times are RFC 3339 strings (UTC). Fields marked optional are left out rather than null,
 * except where a `| null` says the daemon answers null to mean "not known yet".
 */

import type { ReportChangeBody } from '../../report/report-change.js';

export type { ReportChangeBody, ReportEffect, ReportField, ReportSource } from '../../report/report-change.js';

/** Every error answer: `{ error }`, with the BerthError code when there is one. */
export interface ApiErrorBody {
  error: string;
  code?: string;
}

/** Argo CD's health words; `Unknown` when berth cannot tell (a kind it does not judge). */
export type HealthWord = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

export interface HealthBody {
  status: HealthWord;
  message?: string;
}

/** A problem of a revision (validation), as `berth validate -o json` prints it. */
export interface ProblemBody {
  file: string;
  line: number;
  column: number;
  path: string;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

// ---------------------------------------------------------------- existing endpoints

/** GET /healthz */
export interface HealthzResponse {
  status: 'ok';
  version: string;
}

/** GET /readyz (200 ready, 503 not) */
export interface ReadyzResponse {
  ready: boolean;
  checks: Record<string, boolean>;
}

export type SyncStateWord = 'Unknown' | 'Synced' | 'OutOfSync' | 'Progressing' | 'Degraded' | 'Failed';
export type PassResultWord = 'synced' | 'progressing' | 'failed' | 'invalid' | 'aborted';
export type TriggerWord = 'start' | 'source' | 'interval' | 'docker-event' | 'webhook' | 'api' | 'cron' | 'readiness' | 'retry' | 'follow-up' | 'intent' | 'certificate';

export interface DivergenceBody {
  deployment: string;
  reason: string;
  revision?: number;
  message: string;
}

/**
 * What this daemon opens beyond reading, so a client (the web UI) offers only what will work
 * rather than failing after a click. Filled by the server from its own options (server.ts).
 */
export interface ApiAccessBody {
  /** Logs, terminals and the actions (undo, restart, pause, scale): only with --token-file, refused (403) without. */
  privileged: boolean;
  /** Terminals: false on a daemon started with --no-exec. */
  exec: boolean;
}

/** GET /api/v1/status */
export interface StatusResponse {
  app: string;
  access: ApiAccessBody;
  source: {
    description: string;
    revision: string | null;
    fetchedAt: string | null;
    commit?: { message: string; author: string; committedAt?: string };
    firstFetchDone: boolean;
    consecutiveFailures: number;
    lastError?: { code: string; reason?: string; message: string; at?: string };
    nextFetchAt?: string;
  };
  sync: {
    state: SyncStateWord;
    since: string | null;
    appliedRevision: string | null;
    appliedAt: string | null;
    fetchedRevision: string | null;
    failedRevision: string | null;
    failedAt: string | null;
    lastError: { code?: string; message: string; problems: ProblemBody[]; at?: string } | null;
    divergences: DivergenceBody[] | null;
    localHold: { change: string; what: string; sourceRevision: string; since?: string; message: string } | null;
  };
  store: {
    healthy: boolean;
    fault?: string;
    message?: string;
    hint?: string;
    since?: string;
    file: string;
    lastBackup: { file: string; at?: string } | null;
    lastBackupError?: { message: string; at?: string };
  };
  lastPass?: {
    reasons: TriggerWord[];
    startedAt?: string;
    durationMs: number;
    result: PassResultWord;
    revision?: string;
    actions: number;
    error?: { code: string; message: string };
  };
  loop: { running: boolean; pending: TriggerWord[]; consecutiveFailures: number; retryAt?: string };
  managedPods: number | null;
  leaseHeld: boolean;
}

/** Kubernetes object metadata as berth's views fill it. */
export interface ObjectMetaBody {
  name: string;
  namespace?: string;
  uid: string;
  creationTimestamp: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller: boolean; blockOwnerDeletion?: boolean }>;
  /** Set while berth deletes the object (a pod stopping). */
  deletionTimestamp?: string;
}

/** A live object, shaped as `berth get -o json` prints it (Secret values masked). */
export interface KubeObjectBody {
  apiVersion: string;
  kind: string;
  metadata: ObjectMetaBody;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

/** GET /api/v1/resources?kind=K&namespace=N */
export interface ResourcesResponse {
  apiVersion: 'v1';
  kind: 'List';
  metadata: { resourceVersion: string };
  items: Array<KubeObjectBody & { health: HealthBody }>;
}

export type RolloutOutcomeWord = 'progressing' | 'complete' | 'failed' | 'rolled-back' | 'superseded';

/** One numbered revision of a Deployment, DaemonSet or StatefulSet. */
export interface RolloutRevisionBody {
  revision: number;
  templateHash: string;
  sourceRevision: string;
  changeCause?: string;
  outcome: RolloutOutcomeWord;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Earlier numbers this revision had (its template ran before, as those). */
  revisionHistory: number[];
}

/** GET /api/v1/revisions */
export interface RevisionsResponse {
  deployments: Array<{ deployment: string; revisions: RolloutRevisionBody[] }>;
}

export interface EventBody {
  type: 'Normal' | 'Warning';
  reason: string;
  /** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects and `Source/<app>`. */
  object: string;
  message: string;
  count: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  sourceRevision?: string;
}

/** GET /api/v1/events?limit=N&since=T&object=Kind/ns/name */
export interface EventsResponse {
  items: EventBody[];
}

/** GET /api/v1/diff: the live diff, as `berth diff --live -o json` prints its report. */
export interface DiffResponse {
  revision: { id: string; origin: string };
  valid: boolean;
  problems: ProblemBody[];
  /** The report of docs/report-format.md (apiVersion berth.dev/v1, kind DiffReport). */
  report?: { apiVersion: string; kind: string; summary: { added: number; changed: number; removed: number; destructive: number }; changes: ReportChangeBody[]; from: { id: string; origin: string }; to: { id: string; origin: string }; drift?: Array<{ key: string; action: string; message: string }>; divergences?: DivergenceBody[] };
}

/** POST /api/v1/sync (202) */
export interface SyncResponse {
  accepted: true;
}

// ---------------------------------------------------------------- web UI endpoints

export type TreeKind = string;

export interface TreeEndpoint {
  /** `ip:port` */
  address: string;
  pod?: string;
  ready: boolean;
}

/**
 * One node of the app's tree. Namespace → workloads (Deployment, StatefulSet, DaemonSet, Job,
 * CronJob) → ReplicaSet → Pod → Container; Service → its endpoints; Ingress/HTTPRoute → the
 * Services they route to (children of kind 'Service' that are references: `ref: true`, no
 * children of their own); every other kind a leaf.
 */
export interface TreeNode {
  kind: TreeKind;
  namespace?: string;
  name: string;
  health: HealthWord;
  /** The status word `berth get` shows: Running, CrashLoopBackOff, 2/3, Bound, Complete. */
  status: string;
  /** `ready/total` where the kind has one (workloads, ReplicaSets, Pods). */
  ready?: string;
  /** Why the health is what it is (a Degraded pod's reason, a rollout's deadline). */
  message?: string;
  /** A reference to an object shown elsewhere in the tree (an Ingress's backend Service). */
  ref?: boolean;
  children: TreeNode[];
  endpoints?: TreeEndpoint[];
}

/**
 * GET /api/v1/tree. `namespaces` holds one node of kind 'Namespace' per namespace (health: the
 * worst of everything under it), then, when the app has cluster-scoped objects (PersistentVolume,
 * StorageClass, ClusterRole...), a last node of kind 'Cluster' named '(cluster)' holding them.
 */
export interface TreeResponse {
  app: string;
  /** The app's health: the worst of its namespaces' (Argo CD's rule); Unknown while it has no object. */
  health: HealthWord;
  /** How many of the app's objects are in each health (each once: no namespaces, containers or references). */
  healthCounts: Record<HealthWord, number>;
  namespaces: TreeNode[];
}

export interface ObjectRolloutRevision {
  revision: number;
  sourceRevision: string;
  changeCause?: string;
  outcome: RolloutOutcomeWord;
  /** The revision whose template runs now. */
  current: boolean;
  createdAt?: string;
}

/** GET /api/v1/object?kind=K&namespace=N&name=X (404 when there is no such object) */
export interface ObjectResponse {
  /** The live object as `berth get -o yaml` shapes it; a Secret's values masked. */
  object: KubeObjectBody;
  /** The same object as YAML text. */
  yaml: string;
  /** Events about this object, oldest first. */
  events: EventBody[];
  /** Deployments, DaemonSets and StatefulSets: their numbered history, newest last. */
  rollout?: { revisions: ObjectRolloutRevision[]; paused: boolean; replicas?: number };
}

export type ActionName = 'undo' | 'restart' | 'pause' | 'resume' | 'scale';

/** POST /api/v1/actions */
export interface ActionRequest {
  action: ActionName;
  /** Deployment (every action); DaemonSet/StatefulSet (undo, restart); ReplicaSet/ReplicationController/StatefulSet (scale). */
  kind: string;
  namespace: string;
  name: string;
  /** undo only: the revision to go back to (default: the newest that did not fail before the current one). */
  toRevision?: number;
  /** scale only. */
  replicas?: number;
}

/**
 * pending: recorded, the daemon's pass has not acted yet; done: acted on (see result.ok); failed:
 * refused; withdrawn: the daemon did not take it within the CLI's timeout (5 min) or stopped
 * first, so it was withdrawn and nothing was changed (result.message says which).
 */
export type ActionState = 'pending' | 'done' | 'failed' | 'withdrawn';

/** What the daemon made of an action, as the CLI command would print it. */
export interface ActionResult {
  ok: boolean;
  message: string;
  unchanged?: boolean;
  error?: { code: string; message: string };
}

/** POST /api/v1/actions answers 202 with this once the intent is recorded. */
export interface ActionAccepted {
  intent: number;
  state: ActionState;
}

/** GET /api/v1/actions/{id} */
export interface ActionStatusResponse {
  id: number;
  state: ActionState;
  result?: ActionResult;
}

/** One reconcile pass, newest first in /api/v1/passes. */
export interface PassRecord {
  startedAt: string;
  durationMs: number;
  /** What asked for the pass: the first of its triggers (`source`, `docker-event`, `intent`...). */
  trigger: TriggerWord;
  /** Every trigger the pass answered. */
  triggers: TriggerWord[];
  result: PassResultWord;
  revision: string | null;
  /** Docker actions the pass took. */
  changes?: number;
  error?: { code: string; message: string };
}

/** GET /api/v1/passes?limit=N (default 50): the passes this daemon ran since it started. */
export type PassesResponse = PassRecord[];

/** GET /api/v1/stream: the `event:` names of the server-sent events. */
export type StreamEventName = 'status' | 'resources' | 'event';

/** The `data:` of each stream event: small on purpose; the UI refetches what it shows. */
export interface StreamEventData {
  at: string;
  /** Why: `pass-finished`, `revision`, `source-error`, `container`, `readiness`, `event`... */
  reason: string;
}

/** GET /api/v1/logs query (text/plain, streamed). */
export interface LogsQuery {
  namespace: string;
  pod: string;
  container?: string;
  tailLines?: number;
  follow?: boolean;
  previous?: boolean;
}

/** POST /api/v1/exec/tickets */
export interface ExecTicketRequest {
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
  tty: true;
}

/**
 * POST /api/v1/exec/tickets answers 201 with this (404 for a pod or container that does not
 * exist, 409 when the container is not running): a one-time ticket for WS
 * /api/v1/exec?ticket=T, used once, within 30 s, for that target only.
 */
export interface ExecTicketResponse {
  ticket: string;
  expiresAt: string;
}

/** Text frames the browser sends on the exec socket (stdin goes as binary frames). */
export type ExecClientMessage = { type: 'resize'; cols: number; rows: number };

/** Text frames the server sends on the exec socket (stdout goes as binary frames). */
export type ExecServerMessage = { type: 'exit'; exitCode: number } | { type: 'error'; message: string };

/**
 * The exec socket's close: code 1000 with reason `{"exitCode":N}` when the command ended,
 * 1011 with `{"error":"..."}` (cut to fit a close frame) when it could not run; the full
 * message goes first as an ExecServerMessage.
 */
export type ExecCloseReason = { exitCode: number } | { error: string };
