import type { Clock } from '../../model/clock.js';
import type { HostPolicy } from '../../model/policy.js';
import { fromJson, toJson, type Db } from './database.js';

/**
 * The host policy an app was last applied with (`berth apply`'s flags, the daemon's settings).
 * Commands that converge the stored inventory again (`rollout`, `scale`) run under it unless
 * they are given policy flags of their own: the templates they run were admitted under it.
 */
export interface AppliedPolicyStore {
  recordAppliedPolicy(app: string, policy: HostPolicy): void;
  /** Undefined for apps applied before berth recorded it (schema v4), or never applied. */
  getAppliedPolicy(app: string): HostPolicy | undefined;
}

export function createAppliedPolicyStore(db: Db, clock: Clock): AppliedPolicyStore {
  const upsert = db.prepare('INSERT INTO applied_policies (app, policy, recorded_at) VALUES (?, ?, ?) ON CONFLICT (app) DO UPDATE SET policy = excluded.policy, recorded_at = excluded.recorded_at');
  const select = db.prepare('SELECT policy FROM applied_policies WHERE app = ?').pluck();
  return {
    recordAppliedPolicy: (app, policy) => {
      upsert.run(app, toJson(policy), clock.now());
    },
    getAppliedPolicy: (app) => {
      const text = select.get(app) as string | undefined;
      return text === undefined ? undefined : Object.freeze(fromJson<HostPolicy>(text));
    },
  };
}
