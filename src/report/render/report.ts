import type { EdgeSettings } from '../../model/policy.js';
import type { Resource } from '../../model/types.js';
import type { PlannedChange } from '../effects/index.js';
import { planEffects } from '../effects/index.js';
import type { DiffOptions } from '../resource-diff.js';
import { diffResources } from '../resource-diff.js';
import type { ReportChange } from '../redact.js';
import { redactChange } from '../redact.js';

/**
 * The diff report every renderer draws from, and exactly what `-o json` prints: the stable
 * schema documented in docs/diff-json.md. Built only from redacted changes.
 */
export const REPORT_API_VERSION = 'berth.dev/v1';
export const REPORT_KIND = 'DiffReport';

export interface RevisionRef {
  /** Commit SHA (git), content hash (folder) or `live` (the Docker host). */
  id: string;
  /** Where it came from, for people: `git /repo@origin/main`, `folder ./deploy`. */
  origin: string;
}

export interface DiffSummary {
  added: number;
  changed: number;
  removed: number;
  /** Changes with at least one destructive effect. */
  destructive: number;
}

export interface DiffReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: typeof REPORT_KIND;
  from: RevisionRef;
  to: RevisionRef;
  summary: DiffSummary;
  /** Sorted by namespace, then kind in dependency order, then name. */
  changes: ReportChange[];
  /**
   * Live diff only: how the host differs from what was last applied although the manifests
   * did not change (a container removed by hand, a pod that died), and what apply will do.
   */
  drift?: DriftItem[];
  /**
   * Live diff only: Deployments that run, by an operator's word, something other than the
   * source says, on purpose and for as long as the source leaves them as they were (a pin by
   * `rollout undo`, a rollback of a failed template, a count set by `berth scale`, a `rollout
   * pause`). Neither a change nor drift: applying the revision keeps them. Each makes the app
   * OutOfSync (runtime/pass/status.ts), and the summary line says they are there.
   */
  divergences?: DivergenceItem[];
}

export interface DivergenceItem {
  /** Workload key (`Deployment/shop/web`). */
  deployment: string;
  reason: 'pinned' | 'rolled-back' | 'scaled' | 'paused';
  /** The rollout revision that runs (pinned, rolled-back). */
  revision?: number;
  /** For people: `pinned to revision 1 by rollout undo until the source changes`. */
  message: string;
}

export interface DriftItem {
  /** Resource key the repair belongs to (`Deployment/shop/web`). */
  key: string;
  /** The planner's action type (`create-container`, `delete-pod`, ...). */
  action: string;
  message: string;
}

export function buildDiffReport(input: { from: RevisionRef; to: RevisionRef; changes: readonly PlannedChange[] }): DiffReport {
  const changes = input.changes.map(redactChange);
  return {
    apiVersion: REPORT_API_VERSION,
    kind: REPORT_KIND,
    from: { id: input.from.id, origin: input.from.origin },
    to: { id: input.to.id, origin: input.to.origin },
    summary: summarize(changes),
    changes,
  };
}

export function summarize(changes: readonly ReportChange[]): DiffSummary {
  return {
    added: changes.filter((c) => c.action === 'create').length,
    changed: changes.filter((c) => c.action === 'update').length,
    removed: changes.filter((c) => c.action === 'delete').length,
    destructive: changes.filter((c) => c.destructive).length,
  };
}

export function hasDifferences(report: DiffReport): boolean {
  return report.changes.length > 0 || (report.drift?.length ?? 0) > 0;
}

/** `note: Deployment/default/web pinned to revision 1 by rollout undo until the source changes`. */
export function divergenceNote(d: DivergenceItem): string {
  return `note: ${d.deployment} ${d.message}`;
}

/**
 * `2 to add, 1 to change, 1 to delete (1 destructive)`, or `no differences`; with the
 * divergences applying keeps, `; 1 divergence kept (OutOfSync)`: the status says OutOfSync for
 * them, and a bare "no differences" beside it read as a contradiction (ui/src/lib/diff.ts too).
 */
export function summaryLine(s: DiffSummary, drift = 0, divergences = 0): string {
  const repairs = drift > 0 ? `${drift} drift repair${drift === 1 ? '' : 's'}` : '';
  const kept = divergences > 0 ? `; ${divergences} divergence${divergences === 1 ? '' : 's'} kept (OutOfSync)` : '';
  if (s.added + s.changed + s.removed === 0) return (repairs || 'no differences') + kept;
  const destructive = s.destructive > 0 ? ` (${s.destructive} destructive)` : '';
  return `${s.added} to add, ${s.changed} to change, ${s.removed} to delete${destructive}${repairs ? `; ${repairs}` : ''}${kept}`;
}

/**
 * The whole pure pipeline, shared by the offline diff (two revisions) and the live diff
 * (desired vs observed): pair and diff, derive effects, redact, summarize.
 */
export function createDiffReport(input: {
  from: RevisionRef;
  to: RevisionRef;
  before: readonly Resource[];
  after: readonly Resource[];
  options?: DiffOptions;
  /**
   * Live diff only: by workload key, whether applying replaces its pods, decided on the
   * templates that run now and that applying would run (a pin, a rollback or a restart make
   * them differ from the manifests'); 'paused' when it would but `rollout pause` holds it back.
   * Absent (the offline diff): the manifests' templates decide.
   */
  replacesPods?: ReadonlyMap<string, boolean | 'paused'>;
  /** The edge's ports, which Gateway listeners must use to be served; absent: 80/443. */
  edge?: EdgeSettings;
}): DiffReport {
  const diff = diffResources(input.before, input.after, input.options);
  return buildDiffReport({ from: input.from, to: input.to, changes: planEffects(diff, input.replacesPods, input.edge) });
}
