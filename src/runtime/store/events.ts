import type { Clock } from '../../model/clock.js';
import { inWriteTransaction, optional, type Db } from './database.js';
import type { EventInput, EventQuery, EventRecord, EventType } from './types.js';

/** Events as `kubectl describe` shows them: what happened to an object, and how often. */
export interface EventStore {
  /**
   * Records an event. When the object's newest event is identical (type, reason, message,
   * source revision) it is bumped instead (count + 1, lastTimestamp = now), as Kubernetes
   * aggregates repeats such as BackOff, so a crash loop does not flood the table. A new row
   * also trims the app's oldest events beyond the retention cap, in the same transaction.
   */
  addEvent(event: EventInput): EventRecord;
  /** Matching events, oldest first by lastTimestamp (the order `kubectl describe` prints). */
  listEvents(query?: EventQuery): EventRecord[];
}

interface Row {
  id: number;
  app: string;
  type: EventType;
  reason: string;
  object_key: string;
  message: string;
  source_revision: string | null;
  count: number;
  first_timestamp: number;
  last_timestamp: number;
}

export const DEFAULT_EVENT_RETENTION = 10_000;

export function createEventStore(db: Db, clock: Clock, retentionPerApp: number): EventStore {
  const selectNewest = db.prepare(
    'SELECT * FROM events WHERE app = ? AND object_key = ? ORDER BY last_timestamp DESC, id DESC LIMIT 1',
  );
  const bump = db.prepare('UPDATE events SET count = count + 1, last_timestamp = ? WHERE id = ? RETURNING *');
  const insert = db.prepare(`
    INSERT INTO events (app, type, reason, object_key, message, source_revision, count, first_timestamp, last_timestamp)
    VALUES (@app, @type, @reason, @objectKey, @message, @sourceRevision, 1, @now, @now) RETURNING *`);
  // Keeps the newest `retention` rows of the app; the index on (app, last_timestamp, id)
  // makes this a bounded index walk, cheap enough to run on every insert.
  const trim = db.prepare(`
    DELETE FROM events WHERE id IN (
      SELECT id FROM events WHERE app = ? ORDER BY last_timestamp DESC, id DESC LIMIT -1 OFFSET ?)`);

  return {
    addEvent: (event) =>
      inWriteTransaction(db, () => {
        const now = clock.now();
        const newest = selectNewest.get(event.app, event.objectKey) as Row | undefined;
        if (newest !== undefined && sameEvent(newest, event)) {
          // max(): a clock stepping backwards must not make lastTimestamp go back in time.
          return fromRow(bump.get(Math.max(now, newest.last_timestamp), newest.id) as Row);
        }
        const row = insert.get({ ...event, sourceRevision: event.sourceRevision ?? null, now }) as Row;
        trim.run(event.app, retentionPerApp);
        return fromRow(row);
      }),

    listEvents: (query = {}) => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.app !== undefined) {
        where.push('app = ?');
        params.push(query.app);
      }
      if (query.objectKey !== undefined) {
        const keys = typeof query.objectKey === 'string' ? [query.objectKey] : query.objectKey;
        if (keys.length === 0) return [];
        where.push(`object_key IN (${keys.map(() => '?').join(', ')})`);
        params.push(...keys);
      }
      if (query.since !== undefined) {
        where.push('last_timestamp >= ?');
        params.push(query.since);
      }
      const sql =
        `SELECT * FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ` +
        `ORDER BY last_timestamp DESC, id DESC LIMIT ?`;
      // Newest first so LIMIT keeps the newest; reversed for display order.
      const rows = db.prepare(sql).all(...params, query.limit ?? -1) as Row[];
      return rows.reverse().map(fromRow);
    },
  };
}

function sameEvent(row: Row, event: EventInput): boolean {
  return (
    row.type === event.type &&
    row.reason === event.reason &&
    row.message === event.message &&
    row.source_revision === (event.sourceRevision ?? null)
  );
}

function fromRow(r: Row): EventRecord {
  return {
    id: r.id,
    app: r.app,
    type: r.type,
    reason: r.reason,
    objectKey: r.object_key,
    message: r.message,
    ...optional('sourceRevision', r.source_revision),
    count: r.count,
    firstTimestamp: r.first_timestamp,
    lastTimestamp: r.last_timestamp,
  };
}
