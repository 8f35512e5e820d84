import type { Clock } from '../../model/clock.js';
import { BerthError } from '../../model/errors.js';
import { fromJson, inWriteTransaction, optional, toJson, type Db } from './database.js';
import type { BeginRolloutInput, FinishedOutcome, RolloutOutcome, RolloutRecord } from './types.js';

/**
 * Numbered Deployment revisions with Kubernetes' numbering (SPEC §4). In Kubernetes a
 * revision is a ReplicaSet's `deployment.kubernetes.io/revision` annotation; here it is a
 * row, kept after the ReplicaSet's containers are removed so `rollout undo` can go back.
 */
export interface RolloutStore {
  /**
   * Starts (or resumes) the rollout of a template and returns its record:
   * - the template is already the newest revision → that record, unchanged (Kubernetes does
   *   not bump a revision for a template it is already running; re-running a pass after a
   *   crash is therefore idempotent);
   * - the template held an older revision → that record is reused and renumbered to
   *   newest + 1, its old number appended to revisionHistory (what Kubernetes does to a
   *   ReplicaSet it scales up again, e.g. on rollback);
   * - otherwise a new record numbered newest + 1.
   * Any other rollout still `progressing` is marked `superseded`: a newer template replaced it
   * before it finished.
   */
  beginRollout(app: string, deployment: string, input: BeginRolloutInput): RolloutRecord;
  /** Records how a rollout ended. Throws NOT_FOUND when the revision does not exist. */
  finishRollout(app: string, deployment: string, revision: number, outcome: FinishedOutcome, message?: string): RolloutRecord;
  /** Oldest first, like `kubectl rollout history`. */
  listRollouts(app: string, deployment: string): RolloutRecord[];
  getRollout(app: string, deployment: string, revision: number): RolloutRecord | undefined;
  /** The newest revision: the template the Deployment is (or is moving to) running. */
  currentRollout(app: string, deployment: string): RolloutRecord | undefined;
  /** Target of an automatic rollback: the newest revision whose rollout completed. */
  lastCompleteRollout(app: string, deployment: string): RolloutRecord | undefined;
  /**
   * Applies revisionHistoryLimit: deletes the oldest revisions until at most `keep` remain
   * besides the current one. Never deletes the current revision, the last complete one (the
   * rollback target) or the pinned template; those count towards `keep`. Returns the
   * revisions deleted.
   */
  pruneRollouts(app: string, deployment: string, keep: number): number[];
  /**
   * Records that a progressing rollout made progress (more pods updated or available), the
   * clock that progressDeadlineSeconds runs against, and the progress signature it was seen
   * at. `progressed: false` only stores the signature (the first sighting is no progress).
   * Returns false when no such progressing revision.
   */
  noteRolloutProgress(app: string, deployment: string, revision: number, note?: ProgressNote): boolean;
}

interface Row {
  app: string;
  deployment: string;
  revision: number;
  template_hash: string;
  template: string;
  source_revision: string;
  change_cause: string | null;
  started_at: number;
  created_at: number;
  finished_at: number | null;
  outcome: RolloutOutcome;
  message: string | null;
  revision_history: string;
  progress_at: number | null;
  progress_signature: string | null;
}

export interface ProgressNote {
  /** The rollout's progress signature now (plan/rollouts/progress.ts). */
  signature?: string;
  /** Default true: the deadline counts from now. */
  progressed?: boolean;
}

export function createRolloutStore(db: Db, clock: Clock): RolloutStore {
  const selectAll = db.prepare('SELECT * FROM rollouts WHERE app = ? AND deployment = ? ORDER BY revision');
  const updateProgress = db.prepare(
    `UPDATE rollouts SET progress_at = CASE WHEN @progressed THEN @now ELSE progress_at END,
       progress_signature = COALESCE(@signature, progress_signature)
     WHERE app = @app AND deployment = @deployment AND revision = @revision AND outcome = 'progressing'`,
  );
  const selectRevision = db.prepare('SELECT * FROM rollouts WHERE app = ? AND deployment = ? AND revision = ?');
  const selectHash = db.prepare('SELECT * FROM rollouts WHERE app = ? AND deployment = ? AND template_hash = ?');
  const selectCurrent = db.prepare('SELECT * FROM rollouts WHERE app = ? AND deployment = ? ORDER BY revision DESC LIMIT 1');
  const selectLastComplete = db.prepare(
    "SELECT * FROM rollouts WHERE app = ? AND deployment = ? AND outcome = 'complete' ORDER BY revision DESC LIMIT 1",
  );
  const selectPinnedHash = db.prepare('SELECT template_hash FROM rollout_pins WHERE app = ? AND deployment = ?').pluck();
  const supersede = db.prepare(
    "UPDATE rollouts SET outcome = 'superseded', finished_at = ? WHERE app = ? AND deployment = ? AND outcome = 'progressing'",
  );
  const insert = db.prepare(`
    INSERT INTO rollouts (app, deployment, revision, template_hash, template, source_revision, change_cause,
                          started_at, created_at, finished_at, outcome, message, revision_history)
    VALUES (@app, @deployment, @revision, @template_hash, @template, @source_revision, @change_cause,
            @started_at, @started_at, NULL, 'progressing', NULL, @revision_history)`);
  const renumber = db.prepare(`
    UPDATE rollouts SET revision = @revision, template = @template, source_revision = @source_revision,
      change_cause = @change_cause, started_at = @started_at, finished_at = NULL, outcome = 'progressing',
      message = NULL, progress_at = NULL, progress_signature = NULL, revision_history = @revision_history
    WHERE app = @app AND deployment = @deployment AND template_hash = @template_hash`);
  const finish = db.prepare(
    'UPDATE rollouts SET outcome = ?, message = ?, finished_at = ? WHERE app = ? AND deployment = ? AND revision = ?',
  );
  const deleteRevision = db.prepare('DELETE FROM rollouts WHERE app = ? AND deployment = ? AND revision = ?');

  const one = (row: unknown) => (row === undefined ? undefined : fromRow(row as Row));

  return {
    beginRollout: (app, deployment, input) =>
      inWriteTransaction(db, () => {
        const current = selectCurrent.get(app, deployment) as Row | undefined;
        if (current?.template_hash === input.templateHash) return fromRow(current);
        const now = clock.now();
        supersede.run(now, app, deployment);
        const existing = selectHash.get(app, deployment, input.templateHash) as Row | undefined;
        const history = existing === undefined ? [] : [...fromJson<number[]>(existing.revision_history), existing.revision];
        const params = {
          app,
          deployment,
          revision: (current?.revision ?? 0) + 1,
          template_hash: input.templateHash,
          template: toJson(input.template),
          source_revision: input.sourceRevision,
          change_cause: input.changeCause ?? null,
          started_at: now,
          revision_history: toJson(history),
        };
        (existing === undefined ? insert : renumber).run(params);
        return fromRow(selectRevision.get(app, deployment, params.revision) as Row);
      }),

    finishRollout: (app, deployment, revision, outcome, message) =>
      inWriteTransaction(db, () => {
        const { changes } = finish.run(outcome, message ?? null, clock.now(), app, deployment, revision);
        if (changes === 0) {
          throw new BerthError('NOT_FOUND', `${deployment} in app ${app} has no revision ${revision}`, {
            app,
            deployment,
            revision,
          });
        }
        return fromRow(selectRevision.get(app, deployment, revision) as Row);
      }),

    listRollouts: (app, deployment) => (selectAll.all(app, deployment) as Row[]).map(fromRow),
    getRollout: (app, deployment, revision) => one(selectRevision.get(app, deployment, revision)),
    currentRollout: (app, deployment) => one(selectCurrent.get(app, deployment)),
    lastCompleteRollout: (app, deployment) => one(selectLastComplete.get(app, deployment)),

    noteRolloutProgress: (app, deployment, revision, note = {}) =>
      updateProgress.run({ progressed: note.progressed === false ? 0 : 1, now: clock.now(), signature: note.signature ?? null, app, deployment, revision }).changes > 0,

    pruneRollouts: (app, deployment, keep) =>
      inWriteTransaction(db, () => {
        const rows = selectAll.all(app, deployment) as Row[];
        const old = rows.slice(0, -1);
        const lastComplete = selectLastComplete.get(app, deployment) as Row | undefined;
        const pinnedHash = selectPinnedHash.get(app, deployment) as string | undefined;
        const isProtected = (r: Row) => r.revision === lastComplete?.revision || r.template_hash === pinnedHash;
        let excess = old.length - Math.max(0, keep);
        const deleted: number[] = [];
        for (const r of old) {
          if (excess <= 0) break;
          if (isProtected(r)) continue;
          deleteRevision.run(app, deployment, r.revision);
          deleted.push(r.revision);
          excess--;
        }
        return deleted;
      }),
  };
}

function fromRow(r: Row): RolloutRecord {
  return {
    app: r.app,
    deployment: r.deployment,
    revision: r.revision,
    templateHash: r.template_hash,
    template: fromJson(r.template),
    sourceRevision: r.source_revision,
    ...optional('changeCause', r.change_cause),
    startedAt: r.started_at,
    // Reused on undo, the record keeps its ReplicaSet's creation time (renumber leaves created_at).
    createdAt: r.created_at > 0 ? r.created_at : r.started_at,
    ...optional('finishedAt', r.finished_at),
    outcome: r.outcome,
    ...optional('message', r.message),
    revisionHistory: fromJson<number[]>(r.revision_history),
    ...optional('progressAt', r.progress_at),
    ...optional('progressSignature', r.progress_signature),
  };
}
