/**
 * Records the state store keeps. Times are milliseconds since the epoch, taken from the
 * store's Clock unless a field says the caller supplies it. JSON-valued fields (`object`,
 * `template`, problems) are stored as text and come back as plain data: no class
 * instances, no `undefined` values inside them.
 */
import type { Problem } from './problem.js';

// ---------------------------------------------------------------- inventory

/** One object berth applied for an app: what pruning and the live diff work from (SPEC §3). */
export interface InventoryEntry {
  /** `Kind/namespace/name`; the caller's resource key, stored verbatim (see inventoryKey). */
  key: string;
  kind: string;
  /** '' for cluster-scoped kinds (Namespace). */
  namespace: string;
  name: string;
  /** Hash of the desired spec the Docker objects were created from (the `berth.spec-hash` label). */
  specHash: string;
  /** The last applied object, defaulted, as JSON. May hold Secret data: the file is 0600. */
  object: unknown;
  /** Source revision that introduced the current specHash. */
  sourceRevision: string;
  /** When the current specHash was first applied. */
  appliedAt: number;
  /** metadata.creationTimestamp: when this key was first applied; kept across updates (model/object-meta.ts). */
  createdAt?: number;
  /** metadata.generation: 1 on create, +1 on each change of the object's content besides metadata and status. */
  generation?: number;
}

/** What a caller hands in: the store fills sourceRevision, appliedAt, createdAt and generation. */
export type InventoryInput = Omit<InventoryEntry, 'sourceRevision' | 'appliedAt' | 'createdAt' | 'generation'>;

// ---------------------------------------------------------------- source status

/** Argo CD's vocabulary; `Unknown` until the first pass reports. */
export type SyncState = 'Unknown' | 'Synced' | 'OutOfSync' | 'Progressing' | 'Degraded' | 'Failed';

export interface RevisionMark {
  revision: string;
  at: number;
}

export interface SourceError {
  message: string;
  /** Every problem of an invalid revision, with file:line (SPEC §1). */
  problems: Problem[];
  at: number;
}

export interface SourceStatus {
  app: string;
  syncState: SyncState;
  /** When syncState last changed value (not merely rewritten). */
  syncStateSince: number;
  lastFetched?: RevisionMark;
  lastApplied?: RevisionMark;
  lastFailed?: RevisionMark;
  lastError?: SourceError;
  /** A change `apply`/`delete` made under a daemon that follows a source: kept until the source moves. */
  localHold?: LocalHold;
  updatedAt: number;
}

/**
 * `apply -f` or `delete` run while a daemon follows a source (Git or a folder): the daemon
 * keeps the change (it converges its inventory instead of the source) for as long as the
 * source stays at `sourceRevision`, the revision it followed when the change was made, as a
 * pin by `rollout undo` holds (plan/local-hold.ts).
 */
export interface LocalHold {
  change: 'apply' | 'delete';
  /** What was applied (`folder ./other`, a revision id) or deleted (`deployment.apps/web`). */
  what: string;
  /** The source revision current when the change was made. */
  sourceRevision: string;
  /** The source, as the daemon describes it (`git https://…@main`, `folder ./deploy`). */
  source: string;
  at: number;
}

/**
 * A partial update. Omitted fields keep their value; `null` clears one. Setting a revision
 * stamps it with the clock, even when the id is unchanged (it was fetched/applied again).
 */
export interface SourceStatusPatch {
  syncState?: SyncState;
  lastFetchedRevision?: string | null;
  lastAppliedRevision?: string | null;
  lastFailedRevision?: string | null;
  lastError?: { message: string; problems?: readonly Problem[] } | null;
  localHold?: LocalHold | null;
}

// ---------------------------------------------------------------- rollouts

export type RolloutOutcome = 'progressing' | 'complete' | 'failed' | 'rolled-back' | 'superseded';
export type FinishedOutcome = Exclude<RolloutOutcome, 'progressing'>;

/** One numbered revision of a Deployment, as `kubectl rollout history` shows it (SPEC §4). */
export interface RolloutRecord {
  app: string;
  /** `Deployment/namespace/name`. */
  deployment: string;
  revision: number;
  /** pod-template-hash: the ReplicaSet suffix. */
  templateHash: string;
  /** Pod template JSON, kept after the ReplicaSet's containers are gone so undo can recreate it. */
  template: unknown;
  sourceRevision: string;
  changeCause?: string;
  startedAt: number;
  /** When this template's ReplicaSet was created: kept when the record is reused (undo), unlike startedAt. */
  createdAt?: number;
  finishedAt?: number;
  outcome: RolloutOutcome;
  message?: string;
  /**
   * Earlier numbers this template held before it was rolled out again, oldest first
   * (Kubernetes' `deployment.kubernetes.io/revision-history` annotation).
   */
  revisionHistory: number[];
  /** Last time the rollout made progress; its progress deadline counts from here (or startedAt). */
  progressAt?: number;
  /**
   * `updated/updatedAvailable/old` pods when a pass last looked: a different one is progress.
   * Absent until the first pass looks (and in rows written before schema v5).
   */
  progressSignature?: string;
}

export interface BeginRolloutInput {
  templateHash: string;
  template: unknown;
  sourceRevision: string;
  changeCause?: string;
}

/** `rollout undo`: the Deployment runs this template until the source changes or the pin is lifted. */
export interface RolloutPin {
  app: string;
  deployment: string;
  revision: number;
  templateHash: string;
  /** Source revision current when the pin was set: a different one lifts the pin. */
  sourceRevisionAtPin: string;
  pinnedAt: number;
}

export type PinInput = Pick<RolloutPin, 'revision' | 'templateHash' | 'sourceRevisionAtPin'>;

/** A template whose rollout failed and was rolled back: not retried until the desired state changes. */
export interface FailedTemplate {
  app: string;
  deployment: string;
  templateHash: string;
  sourceRevision: string;
  reason: string;
  failedAt: number;
}

// ---------------------------------------------------------------- events

export type EventType = 'Normal' | 'Warning';

export interface EventInput {
  app: string;
  type: EventType;
  /** CamelCase, e.g. `ScalingReplicaSet`, `BackOff`, `RolloutRolledBack`. */
  reason: string;
  /** Key of the object the event is about, `Kind/namespace/name`. */
  objectKey: string;
  /** Must already be redacted: the store never sees a secret value it could leak (SPEC §8). */
  message: string;
  sourceRevision?: string;
}

/** An event with Kubernetes' aggregation fields: identical consecutive events bump `count`. */
export interface EventRecord extends EventInput {
  id: number;
  count: number;
  firstTimestamp: number;
  lastTimestamp: number;
}

export interface EventQuery {
  /** Omitted: every app (`berth get events -A`). */
  app?: string;
  /** One key or several (a Deployment with its ReplicaSets and pods). */
  objectKey?: string | readonly string[];
  /** Only events whose lastTimestamp is at or after this time. */
  since?: number;
  /** The newest `limit` events (still returned oldest first). */
  limit?: number;
}

// ---------------------------------------------------------------- pod status

export interface ContainerStatusRecord {
  ready: boolean;
  started: boolean;
  restartCount: number;
  /** How the run before the current one ended, when berth restarted or re-created the container (Docker forgets it). */
  lastTerminationReason?: string;
  lastTerminatedAt?: number;
  lastExitCode?: number;
  /** CrashLoopBackOff: the container is not restarted before this time. */
  backoffUntil?: number;
  /**
   * berth took restarts over from Docker's restart policy (a crash loop seen while a berth
   * process runs) and restarts the container itself on Kubernetes' back-off schedule.
   */
  restartsManaged?: boolean;
  /** Restarts berth performed since it took over: the CrashLoopBackOff exponent. */
  backoffRestarts?: number;
}

export interface PodStatusInput {
  ready: boolean;
  containers: Record<string, ContainerStatusRecord>;
  /** When the prober observed this; defaults to the store's clock. */
  updatedAt?: number;
}

export interface PodStatusRecord {
  podKey: string;
  ready: boolean;
  containers: Record<string, ContainerStatusRecord>;
  updatedAt: number;
  /**
   * When berth began deleting the pod (its preStop hooks and grace period under way): kubectl's
   * deletionTimestamp, STATUS `Terminating`. Cleared with the record once the pod is gone, or
   * when the deletion failed.
   */
  terminatingSince?: number;
  /** When its grace period ends: whoever passes it kills and removes the pod (plan/terminating.ts). */
  terminatingDeadline?: number;
}

// ---------------------------------------------------------------- node ports

export interface NodePortAllocation {
  port: number;
  app: string;
  /** `Service/namespace/name`. */
  serviceKey: string;
  /** The Service port's name ('' for a lone unnamed port). */
  portName: string;
  allocatedAt: number;
}

// ---------------------------------------------------------------- cron jobs and jobs

export interface CronState {
  /**
   * When berth first saw the CronJob: no schedule from before it runs. Absent in records an
   * older berth wrote (the CronJob's inventory appliedAt stands in, then is recorded).
   */
  since?: number;
  lastScheduleTime?: number;
  lastSuccessfulTime?: number;
  /** Names of Jobs this CronJob started that are still running (`status.active`). */
  active: string[];
  updatedAt: number;
}

export type CronStateInput = Omit<CronState, 'updatedAt'>;

export type JobPhase = 'Running' | 'Complete' | 'Failed';

export interface JobRecord {
  /** `Job/namespace/name`. */
  jobKey: string;
  /** The CronJob that created it (`CronJob/namespace/name`), for history limits. */
  ownerKey?: string;
  phase: JobPhase;
  startTime: number;
  completionTime?: number;
  active: number;
  succeeded: number;
  failed: number;
  /** e.g. `BackoffLimitExceeded`, `DeadlineExceeded`. */
  reason?: string;
  message?: string;
  /** The Job object as created (CronJob-started Jobs), JSON; kept so it survives restarts unchanged. */
  object?: unknown;
  updatedAt: number;
}

export type JobInput = Omit<JobRecord, 'updatedAt'>;

// ---------------------------------------------------------------- leases

export type LeaseHolderKind = 'daemon' | 'cli';

export interface LeaseHolder {
  /** Unique per process and purpose, e.g. `daemon:<hostname>:<pid>:<random>`. */
  id: string;
  pid: number;
  hostname: string;
  kind: LeaseHolderKind;
}

export interface Lease {
  app: string;
  holder: LeaseHolder;
  acquiredAt: number;
  renewedAt: number;
  expiresAt: number;
}

export type LeaseResult =
  | { acquired: true; lease: Lease; tookOverFrom?: LeaseHolder }
  | { acquired: false; heldBy: LeaseHolder; expiresAt: number };

// ---------------------------------------------------------------- deployment overrides

/**
 * What an operator changed on a workload outside the source: `rollout restart` (a restart
 * stamp added to the pod template), `rollout pause`, and `scale` (`replicas`, on a Deployment,
 * ReplicaSet or ReplicationController; the inventory keeps the source's object). A restart
 * records the source template hash it was made against, so a new template supersedes it; a
 * replica count lasts until a pass applies a changed object of that key (plan/overrides.ts).
 */
export type DeploymentOverrideKind = 'restart' | 'pause' | 'replicas';

export interface DeploymentOverride {
  app: string;
  deployment: string;
  kind: DeploymentOverrideKind;
  /** restart: the restartedAt stamp (RFC 3339); pause: 'true'; replicas: the count, e.g. '4'. */
  value: string;
  createdAt: number;
}
