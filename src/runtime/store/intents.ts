import type { Clock } from '../../model/clock.js';
import type { Intent, IntentResult, IntentSpec, IntentState } from '../../model/intent.js';
import { fromJson, toJson, type Db } from './database.js';

/**
 * What user commands asked of an app (model/intent.ts), oldest first. A command adds one and
 * waits for it to be done; the pass that holds the app's lease completes it with its result.
 */
export interface IntentStore {
  addIntent(app: string, spec: IntentSpec): Intent;
  getIntent(id: number): Intent | undefined;
  /** The app's intents not yet acted on, in the order they were submitted. */
  listPendingIntents(app: string): Intent[];
  /** Marks a pending intent done with its result; false when it was not pending (done already, or unknown). */
  completeIntent(id: number, result: IntentResult): boolean;
  /** The lease holder starts acting on a pending pass intent; false when it was not pending (withdrawn). */
  takeIntent(id: number): boolean;
  /**
   * Marks a taken intent done with its result; false when it was not taken. `spec` replaces
   * the stored one (an apply's revision files are not kept once applied: the inventory is).
   */
  finishIntent(id: number, result: IntentResult, spec?: IntentSpec): boolean;
  /**
   * Taken intents back to pending: called by a new lease holder, since whoever took them lost
   * the lease before finishing (killed mid-pass). Apply and delete converge: acting again is safe.
   */
  reclaimTakenIntents(app: string): number;
}

interface Row {
  id: number;
  app: string;
  spec: string;
  state: IntentState;
  created_at: number;
  completed_at: number | null;
  result: string | null;
}

export function createIntentStore(db: Db, clock: Clock): IntentStore {
  const insert = db.prepare(`INSERT INTO intents (app, spec, state, created_at) VALUES (?, ?, 'pending', ?)`);
  const select = db.prepare('SELECT * FROM intents WHERE id = ?');
  const pending = db.prepare(`SELECT * FROM intents WHERE app = ? AND state = 'pending' ORDER BY id`);
  const complete = db.prepare(`UPDATE intents SET state = 'done', completed_at = ?, result = ? WHERE id = ? AND state = 'pending'`);
  const take = db.prepare(`UPDATE intents SET state = 'taken' WHERE id = ? AND state = 'pending'`);
  const finish = db.prepare(`UPDATE intents SET state = 'done', completed_at = ?, result = ?, spec = coalesce(?, spec) WHERE id = ? AND state = 'taken'`);
  const reclaim = db.prepare(`UPDATE intents SET state = 'pending' WHERE app = ? AND state = 'taken'`);
  const fromRow = (r: Row): Intent => ({
    id: r.id,
    app: r.app,
    spec: fromJson<IntentSpec>(r.spec),
    state: r.state,
    createdAt: r.created_at,
    ...(r.completed_at !== null ? { completedAt: r.completed_at } : {}),
    ...(r.result !== null ? { result: fromJson<IntentResult>(r.result) } : {}),
  });
  return {
    addIntent: (app, spec) => {
      const now = clock.now();
      const id = Number(insert.run(app, toJson(spec), now).lastInsertRowid);
      return { id, app, spec, state: 'pending', createdAt: now };
    },
    getIntent: (id) => {
      const row = select.get(id) as Row | undefined;
      return row === undefined ? undefined : fromRow(row);
    },
    listPendingIntents: (app) => (pending.all(app) as Row[]).map(fromRow),
    completeIntent: (id, result) => complete.run(clock.now(), toJson(result), id).changes > 0,
    takeIntent: (id) => take.run(id).changes > 0,
    finishIntent: (id, result, spec) => finish.run(clock.now(), toJson(result), spec === undefined ? null : toJson(spec), id).changes > 0,
    reclaimTakenIntents: (app) => reclaim.run(app).changes,
  };
}
