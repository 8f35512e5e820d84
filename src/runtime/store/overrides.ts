import type { Clock } from '../../model/clock.js';
import type { Db } from './database.js';
import type { DeploymentOverride, DeploymentOverrideKind } from './types.js';

/** `rollout restart` / `rollout pause` / `scale` state per workload (see DeploymentOverride). */
export interface OverrideStore {
  setDeploymentOverride(app: string, deployment: string, kind: DeploymentOverrideKind, value: string): DeploymentOverride;
  getDeploymentOverrides(app: string, deployment: string): DeploymentOverride[];
  /** Every override of the app, by workload key then kind. */
  listDeploymentOverrides(app: string): DeploymentOverride[];
  clearDeploymentOverride(app: string, deployment: string, kind: DeploymentOverrideKind): boolean;
}

interface Row {
  app: string;
  deployment: string;
  kind: DeploymentOverrideKind;
  value: string;
  created_at: number;
}

export function createOverrideStore(db: Db, clock: Clock): OverrideStore {
  const upsert = db.prepare(`INSERT OR REPLACE INTO deployment_overrides (app, deployment, kind, value, created_at) VALUES (?, ?, ?, ?, ?)`);
  const select = db.prepare('SELECT * FROM deployment_overrides WHERE app = ? AND deployment = ? ORDER BY kind');
  const selectApp = db.prepare('SELECT * FROM deployment_overrides WHERE app = ? ORDER BY deployment, kind');
  const remove = db.prepare('DELETE FROM deployment_overrides WHERE app = ? AND deployment = ? AND kind = ?');
  const fromRow = (r: Row): DeploymentOverride => ({ app: r.app, deployment: r.deployment, kind: r.kind, value: r.value, createdAt: r.created_at });
  return {
    setDeploymentOverride: (app, deployment, kind, value) => {
      const row: Row = { app, deployment, kind, value, created_at: clock.now() };
      upsert.run(app, deployment, kind, value, row.created_at);
      return fromRow(row);
    },
    getDeploymentOverrides: (app, deployment) => (select.all(app, deployment) as Row[]).map(fromRow),
    listDeploymentOverrides: (app) => (selectApp.all(app) as Row[]).map(fromRow),
    clearDeploymentOverride: (app, deployment, kind) => remove.run(app, deployment, kind).changes > 0,
  };
}
