import type { Clock } from '../../model/clock.js';
import { inWriteTransaction, type Db } from './database.js';
import type { FailedTemplate, PinInput, RolloutPin } from './types.js';

/**
 * What stops the planner from rolling a Deployment to the template its source asks for:
 * a pin (`rollout undo`) and failed templates (automatic rollback, SPEC §4 "no flapping").
 */
export interface RolloutGuardStore {
  /** Pins a Deployment to a revision's template; replaces an existing pin. */
  setPin(app: string, deployment: string, pin: PinInput): RolloutPin;
  getPin(app: string, deployment: string): RolloutPin | undefined;
  /** Lifts the pin; false when there was none. */
  clearPin(app: string, deployment: string): boolean;
  /**
   * Marks a template whose rollout failed and was rolled back, so the next pass does not
   * try it again while the desired state is unchanged. Marking again updates the record.
   */
  markFailedTemplate(app: string, deployment: string, templateHash: string, sourceRevision: string, reason: string): FailedTemplate;
  isFailedTemplate(app: string, deployment: string, templateHash: string): boolean;
  getFailedTemplate(app: string, deployment: string, templateHash: string): FailedTemplate | undefined;
  /** Every failed template of a Deployment (the rollout state the planner reads). */
  listFailedTemplates(app: string, deployment: string): FailedTemplate[];
  /** Called when the desired state changes: every template may be tried again. Returns how many were cleared. */
  clearFailedTemplates(app: string, deployment: string): number;
  /** Drops a deleted Deployment's history, pin and failed templates in one transaction. */
  forgetDeployment(app: string, deployment: string): void;
}

interface PinRow {
  app: string;
  deployment: string;
  revision: number;
  template_hash: string;
  source_revision_at_pin: string;
  pinned_at: number;
}

interface FailedRow {
  app: string;
  deployment: string;
  template_hash: string;
  source_revision: string;
  reason: string;
  failed_at: number;
}

export function createRolloutGuardStore(db: Db, clock: Clock): RolloutGuardStore {
  const upsertPin = db.prepare(`
    INSERT OR REPLACE INTO rollout_pins (app, deployment, revision, template_hash, source_revision_at_pin, pinned_at)
    VALUES (@app, @deployment, @revision, @template_hash, @source_revision_at_pin, @pinned_at)`);
  const selectPin = db.prepare('SELECT * FROM rollout_pins WHERE app = ? AND deployment = ?');
  const deletePin = db.prepare('DELETE FROM rollout_pins WHERE app = ? AND deployment = ?');
  const upsertFailed = db.prepare(`
    INSERT OR REPLACE INTO failed_templates (app, deployment, template_hash, source_revision, reason, failed_at)
    VALUES (@app, @deployment, @template_hash, @source_revision, @reason, @failed_at)`);
  const selectFailed = db.prepare('SELECT * FROM failed_templates WHERE app = ? AND deployment = ? AND template_hash = ?');
  const selectAllFailed = db.prepare('SELECT * FROM failed_templates WHERE app = ? AND deployment = ? ORDER BY failed_at, template_hash');
  const deleteFailed = db.prepare('DELETE FROM failed_templates WHERE app = ? AND deployment = ?');
  const deleteRollouts = db.prepare('DELETE FROM rollouts WHERE app = ? AND deployment = ?');
  const deleteOverrides = db.prepare('DELETE FROM deployment_overrides WHERE app = ? AND deployment = ?');

  const getFailed = (app: string, deployment: string, hash: string) => {
    const row = selectFailed.get(app, deployment, hash) as FailedRow | undefined;
    return row === undefined ? undefined : failedFromRow(row);
  };

  return {
    setPin: (app, deployment, pin) => {
      const row: PinRow = {
        app,
        deployment,
        revision: pin.revision,
        template_hash: pin.templateHash,
        source_revision_at_pin: pin.sourceRevisionAtPin,
        pinned_at: clock.now(),
      };
      upsertPin.run(row);
      return pinFromRow(row);
    },
    getPin: (app, deployment) => {
      const row = selectPin.get(app, deployment) as PinRow | undefined;
      return row === undefined ? undefined : pinFromRow(row);
    },
    clearPin: (app, deployment) => deletePin.run(app, deployment).changes > 0,

    markFailedTemplate: (app, deployment, templateHash, sourceRevision, reason) => {
      const row: FailedRow = {
        app,
        deployment,
        template_hash: templateHash,
        source_revision: sourceRevision,
        reason,
        failed_at: clock.now(),
      };
      upsertFailed.run(row);
      return failedFromRow(row);
    },
    isFailedTemplate: (app, deployment, templateHash) => getFailed(app, deployment, templateHash) !== undefined,
    getFailedTemplate: getFailed,
    listFailedTemplates: (app, deployment) => (selectAllFailed.all(app, deployment) as FailedRow[]).map(failedFromRow),
    clearFailedTemplates: (app, deployment) => deleteFailed.run(app, deployment).changes,

    forgetDeployment: (app, deployment) =>
      inWriteTransaction(db, () => {
        deleteRollouts.run(app, deployment);
        deletePin.run(app, deployment);
        deleteFailed.run(app, deployment);
        deleteOverrides.run(app, deployment);
      }),
  };
}

function pinFromRow(r: PinRow): RolloutPin {
  return {
    app: r.app,
    deployment: r.deployment,
    revision: r.revision,
    templateHash: r.template_hash,
    sourceRevisionAtPin: r.source_revision_at_pin,
    pinnedAt: r.pinned_at,
  };
}

function failedFromRow(r: FailedRow): FailedTemplate {
  return {
    app: r.app,
    deployment: r.deployment,
    templateHash: r.template_hash,
    sourceRevision: r.source_revision,
    reason: r.reason,
    failedAt: r.failed_at,
  };
}
