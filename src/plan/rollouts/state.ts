import type { TemplatePlan } from '../pod-plan.js';
import type { RolloutPin, RolloutRecord } from '../../model/state.js';

/** What the store remembers about one Deployment's rollouts, read once per plan step. */
export interface DeploymentRolloutState {
  /** Oldest first, like `kubectl rollout history`. */
  rollouts: readonly RolloutRecord[];
  /** `rollout undo`'s pin, if any. */
  pin?: RolloutPin;
  /** `rollout restart`, if requested. */
  restart?: RestartOverride;
  /** `rollout pause`. */
  paused: boolean;
  /** Hashes of templates whose rollout failed: not tried again until the source changes. */
  failedTemplates: ReadonlySet<string>;
}

/** By Deployment key (`Deployment/namespace/name`); a Deployment the store knows nothing of may be absent. */
export type RolloutState = ReadonlyMap<string, DeploymentRolloutState>;

export const EMPTY_DEPLOYMENT_STATE: DeploymentRolloutState = { rollouts: [], paused: false, failedTemplates: new Set() };

/** The value of a `restart` override (stored as JSON). */
export interface RestartOverride {
  restartedAt: string;
  /** Source template hash the restart was requested against; a new source template supersedes it. */
  sourceHash: string;
}

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** Why a Deployment runs something other than its source template, for status and `rollout status`. */
export interface Divergence {
  deployment: string;
  reason: 'pinned' | 'rolled-back';
  revision: number;
  message: string;
}

/** The host policy's word on stored templates: `path: message` per violation, empty when allowed. */
export type TemplateRefusal = (template: unknown) => string[];

/**
 * Rows written before pod-template hashes were keyed (issue 11) hold the legacy hash of the
 * same content, sealed when the host key was made: they still count, so an upgrade neither
 * retries a failed template nor drops a restart. Only read: berth writes the keyed hash.
 */
export function sameTemplate(stored: string, t: Pick<TemplatePlan, 'hash' | 'legacyRecordHash'>): boolean {
  return stored === t.hash || stored === t.legacyRecordHash;
}

export function isFailedTemplate(st: DeploymentRolloutState, t: Pick<TemplatePlan, 'hash' | 'legacyRecordHash'>): boolean {
  return st.failedTemplates.has(t.hash) || st.failedTemplates.has(t.legacyRecordHash);
}

/**
 * The revisions a failed template could go back to, newest first: those that completed, or the
 * rollback already under way (rolling an old template out again renumbers its record and
 * resets it to progressing, so "last complete" alone would lose track of it mid-rollback).
 */
export function rollbackCandidates(records: readonly RolloutRecord[], failed: ReadonlySet<string>, failedHash: string): RolloutRecord[] {
  return [...records].reverse().filter((r) => r.templateHash !== failedHash && (r.outcome === 'complete' || r.outcome === 'progressing') && !failed.has(r.templateHash));
}

/** Where a failed template goes back to: the newest candidate today's policy allows. */
export function rollbackTarget(records: readonly RolloutRecord[], failed: ReadonlySet<string>, failedHash: string, refusedBy: TemplateRefusal): RolloutRecord | undefined {
  return rollbackCandidates(records, failed, failedHash).find((r) => refusedBy(r.template).length === 0);
}

export function short(id: string): string {
  return id.slice(0, 12);
}
