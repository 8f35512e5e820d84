import type { ErrorCode } from './errors.js';
import type { HostPolicy } from './policy.js';
import type { Problem } from './problem.js';
import type { PruneScope } from './prune-scope.js';
import type { RefusedEntry } from './revision.js';
import type { Kind } from './types.js';

/**
 * What a user command asks of an app (issue 12 §7.4): recorded in the store, then acted on by
 * the one pass that holds the app (in the command's process when no daemon manages the app,
 * else in the daemon's), so a command behaves the same with and without a daemon and never
 * writes the store's controller state itself. plan/intents.ts decides what each one changes.
 */
export type IntentSpec =
  /**
   * `rollout undo`: roll back to an earlier revision (the newest that did not fail when none is
   * named): pinned, unless it is the source's own template; a restart stamp goes with the template.
   */
  | { type: 'undo'; deployment: string; toRevision?: number }
  /** `rollout restart`: stamp whatever template runs, the source's or a pinned one. */
  | { type: 'restart'; deployment: string }
  | { type: 'pause'; deployment: string }
  | { type: 'resume'; deployment: string }
  /** `scale`: a replica count for a Deployment, ReplicaSet or ReplicationController (`Kind/ns/name`). */
  | { type: 'scale'; key: string; replicas: number }
  /** `apply -f`: a revision read by the command, applied by the lease holder's pass (a pass intent). */
  | ({ type: 'apply'; revision: IntentRevision } & ApplyIntentOptions)
  /** `delete`: the objects the command named or selected, deleted by the lease holder (a pass intent). */
  | { type: 'delete'; targets: DeleteIntentTarget[]; gracePeriodSeconds?: number; verify: boolean };

/**
 * Intents the lease holder acts on with a pass of their own (Docker work that takes time),
 * rather than by deciding store changes: plan/intents.ts decides the others.
 */
export type PassIntentSpec = Extract<IntentSpec, { type: 'apply' | 'delete' }>;

export function isPassIntent(spec: IntentSpec): spec is PassIntentSpec {
  return spec.type === 'apply' || spec.type === 'delete';
}

/** A revision as an intent stores it (JSON): file contents in base64. */
export interface IntentRevision {
  id: string;
  origin: string;
  files: Array<{ path: string; idPath?: string; content: string; refused?: RefusedEntry }>;
}

/** What `apply` passes to the pass that applies its revision: plain data, as the flags gave it. */
export interface ApplyIntentOptions {
  prune: boolean;
  /** What the prune may delete (`-l`, `--prune-allowlist`); absent: every object of the app not applied (`--all`). */
  pruneScope?: PruneScope;
  allowEmpty: boolean;
  skipUnsupported: boolean;
  /** The policy the flags gave; absent: the default policy, as `apply` without a daemon. */
  hostPolicy?: HostPolicy;
  wait: boolean;
  timeoutMs: number;
}

export interface DeleteIntentTarget {
  kind: Kind;
  /** '' for cluster-scoped kinds. */
  namespace: string;
  name: string;
}

export type IntentType = IntentSpec['type'];

/** What became of an intent, for the command that submitted it to print. */
export interface IntentResult {
  ok: boolean;
  /** What the command prints: `deployment.apps/web rolled back`, or why nothing changed. */
  message: string;
  /** ok, but there was nothing to change (`resume` of a Deployment that is not paused). */
  unchanged?: boolean;
  /** Why it was refused (nothing was changed): the BerthError the command throws. */
  error?: { code: ErrorCode; message: string; data?: Record<string, unknown> };
  /** apply and delete: what their pass did, for the command to print as it prints its own. */
  report?: ApplyReport | DeleteReport;
  /** A daemon following a source acted on it: it keeps the change until the source changes. */
  hold?: { source: string; sourceRevision: string };
  /** Nobody acted on it: its submitter withdrew it (timed out, interrupted; runtime/control.ts). */
  withdrawn?: true;
}

/** What an apply pass did, as plain data (what `apply -o json` prints, and what the text output reads). */
export interface ApplyReport {
  type: 'apply';
  revision: { id: string; origin: string };
  valid: boolean;
  ok: boolean;
  problems: Problem[];
  changes: Array<{ key: string; kind: string; namespace: string; name: string; change: 'created' | 'configured' | 'unchanged' | 'pruned' | 'orphaned' }>;
  /** The first plan's actions, verb first (`create network for namespace default`): what a dry run prints as `would …`. */
  planned: Array<{ action: string; key: string; text: string }>;
  /** What was executed, with results (a real apply plans again after each step, so it may hold more). */
  actions: Array<{ action: string; key: string; text: string; ok: boolean; error?: { code: string; message: string }; durationMs: number }>;
  waits: Array<{ key: string; kind: string; blocking: boolean; message: string; stuck?: boolean }>;
  timedOut: boolean;
  rolloutsFailed: string[];
  divergences: Array<{ deployment: string; reason: string; revision: number; message: string }>;
}

/** What a delete did, per target, as plain data. */
export interface DeleteReport {
  type: 'delete';
  targets: Array<{ target: DeleteIntentTarget; key: string; found: boolean; ok: boolean; errors: Array<{ code: string; message: string }> }>;
  leftovers: string[];
  otherErrors: Array<{ code: string; message: string }>;
}

/** `taken`: a lease holder is acting on a pass intent; the command waits for it however long it takes. */
export type IntentState = 'pending' | 'taken' | 'done';

export interface Intent {
  id: number;
  app: string;
  spec: IntentSpec;
  state: IntentState;
  /** When it was submitted (clock ms): a restart is stamped with this time. */
  createdAt: number;
  completedAt?: number;
  result?: IntentResult;
}
