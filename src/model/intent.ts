import type { ErrorCode } from './errors.js';

/**
 * What a user command asks of an app (issue 12 §7.4): recorded in the store, then acted on by
 * the one pass that holds the app (in the command's process when no daemon manages the app,
 * else in the daemon's), so a command behaves the same with and without a daemon and never
 * writes the store's controller state itself. plan/intents.ts decides what each one changes.
 */
export type IntentSpec =
  /** `rollout undo`: pin an earlier revision (the newest that did not fail when none is named). */
  | { type: 'undo'; deployment: string; toRevision?: number }
  /** `rollout restart`: stamp whatever template runs, the source's or a pinned one. */
  | { type: 'restart'; deployment: string }
  | { type: 'pause'; deployment: string }
  | { type: 'resume'; deployment: string }
  /** `scale`: a replica count for a Deployment, ReplicaSet or ReplicationController (`Kind/ns/name`). */
  | { type: 'scale'; key: string; replicas: number };

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
}

export type IntentState = 'pending' | 'done';

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
