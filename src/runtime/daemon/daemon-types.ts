import type { DockerClient } from '../../apply/docker.js';
import type { ValidateOptions } from '../../manifests/index.js';
import type { Clock } from '../../model/clock.js';
import type { BackoffPolicy } from '../../model/backoff.js';
import type { GitRef } from '../../sources/git.js';
import type { Revision } from '../../model/revision.js';
import type { DaemonMetrics } from '../api/metrics.js';
import type { Logger } from '../log.js';
import type { ControlPlane } from '../compose.js';
import type { LeaseHolder, Store } from '../store/index.js';
import type { ScheduleTime } from '../../plan/cron-schedule.js';
import type { LoopState } from './loop.js';
import type { LastPass } from './pass-outcome.js';
import type { HeldEvent, StoreHealth } from './health.js';
import type { SourceSpec, SourceState } from './source.js';
import type { CertificateOrdersSeam } from './certificates.js';

export interface DaemonSettings {
  app: string;
  source: SourceSpec;
  /** What the webhook compares pushes with; undefined for folders. */
  trackedRef?: GitRef;
  validate: ValidateOptions;
  allowEmpty: boolean;
  /** Drift check: a pass this often even when nothing triggered one. */
  resyncIntervalMs: number;
  /** How long one pass may wait for blocking work (a rollout step) before yielding. */
  passTimeoutMs: number;
  /** Back-off between failed passes, and for the Docker event stream. */
  passBackoff: BackoffPolicy;
  /** Back-off between failed fetches (capped at the poll interval). */
  sourceBackoff: BackoffPolicy;
  /** CronJob schedule time; tests speed it up. */
  cronTime?: ScheduleTime;
  /** Rolling store backups into `<stateDir>/backups` every intervalMs (0: none), `keep` kept. */
  backup?: { stateDir: string; intervalMs: number; keep: number };
}

export interface DaemonDeps {
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
  random: () => number;
  metrics: DaemonMetrics;
  holder: LeaseHolder;
  /** The app's control plane, built once by the composition root (cli/commands/daemon.ts). */
  plane: ControlPlane;
  /**
   * The revision every log line names (the logger's mixin reads it): the one a pass is
   * applying while it runs, else the last applied. Child loggers do not bind it, so lines of
   * long-lived components (source, API, events) carry the current one too.
   */
  logRevision?: { revision: string };
  /**
   * ACME orders (runtime/daemon/certificates.ts): the issuer and where HTTP-01 tokens go (the
   * edge's volume). Absent: Certificates are shown, never issued (the edge wiring supplies it).
   */
  certificates?: CertificateOrdersSeam;
  /**
   * Told when what the API shows changes (the web UI's stream, runtime/api/change-feed.ts):
   * 'status' for a new or refused revision, a source error, a pass that ended; 'resources' for
   * a container event, a readiness change, a pass that ended. Called in line: it must not block.
   */
  onChange?: (what: 'status' | 'resources', reason: string) => void;
}

export interface DaemonStatus {
  app: string;
  source: SourceState;
  loop: LoopState;
  lastPass?: LastPass;
  managedPods?: number;
  leaseHeld: boolean;
  /** The store as the daemon has found it (in memory: a failing store cannot say so itself). */
  store: StoreHealth;
}

export interface Daemon {
  /** Takes the lease (LEASE_HELD if another writer has it), starts the triggers and the first fetch. */
  start(): Promise<void>;
  /** Stops triggers, aborts the running pass between steps, releases the lease. Idempotent. */
  stop(): Promise<void>;
  /** Fetch now (git) and run a pass: `POST /api/v1/sync`, a webhook push. */
  sync(reason: 'api' | 'webhook'): void;
  status(): DaemonStatus;
  /** Warning events the store could not take (it was failing); shown after the stored ones. */
  heldEvents(): readonly HeldEvent[];
  /** `/readyz`: the first fetch happened, the store answers, Docker answers. */
  readiness(): Promise<{ ready: boolean; checks: Record<string, boolean> }>;
  /** The passes this daemon ran, newest first (at most PASSES_KEPT). */
  passes(): readonly LastPass[];
  /** An intent was recorded (the API's actions): pass now to act on it. */
  wake(): void;
  /** The source's newest revision (for the live diff). */
  latestRevision(): Revision | undefined;
  /** Wired to the Docker client's onCall: notes the first mutating call of each pass, and the containers this process creates. */
  noteDockerCall(operation: string, mutating: boolean, name?: string): void;
  /** Resolves when no pass runs or is due (tests, benchmark). */
  idle(): Promise<void>;
}
