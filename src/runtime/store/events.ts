import type { Clock } from '../../model/clock.js';
import { correlateEvent, DEFAULT_EVENT_CORRELATION } from '../../model/event-correlation.js';
import { inWriteTransaction, optional, type Db } from './database.js';
import type { EventInput, EventQuery, EventRecord, EventType } from './types.js';

/** Events as `kubectl describe` shows them: what happened to an object, and how often. */
export interface EventStore {
  /**
   * Records an event, correlated as Kubernetes does (model/event-correlation.ts): an identical
   * recent event of the object is bumped instead (count + 1, lastTimestamp = now), and many
   * similar ones are combined, so a crash loop or a failing probe does not flood the table. A
   * new row also trims the app's oldest events beyond the retention cap, in the same transaction.
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

export function createEventStore(db: Db, clock: Clock, retentionPerApp: number, onEvent?: (event: EventRecord) => void): EventStore {
  // The object's events of this type and reason within the correlation windows: a walk of the
  // (app, object_key, last_timestamp) index, bounded because correlation bounds the rows.
  const selectRecent = db.prepare(
    'SELECT * FROM events WHERE app = ? AND object_key = ? AND last_timestamp >= ? AND type = ? AND reason = ?',
  );
  const window = Math.max(DEFAULT_EVENT_CORRELATION.identicalWindowMs, DEFAULT_EVENT_CORRELATION.similarWindowMs);
  // The newest occurrence's revision, as its time: correlation does not key on the revision.
  const bump = db.prepare('UPDATE events SET count = count + 1, last_timestamp = ?, message = ?, source_revision = COALESCE(?, source_revision) WHERE id = ? RETURNING *');
  const insert = db.prepare(`
    INSERT INTO events (app, type, reason, object_key, message, source_revision, count, first_timestamp, last_timestamp)
    VALUES (@app, @type, @reason, @objectKey, @message, @sourceRevision, 1, @now, @now) RETURNING *`);
  // Keeps the newest `retention` rows of the app; the index on (app, last_timestamp, id)
  // makes this a bounded index walk, cheap enough to run on every insert.
  const trim = db.prepare(`
    DELETE FROM events WHERE id IN (
      SELECT id FROM events WHERE app = ? ORDER BY last_timestamp DESC, id DESC LIMIT -1 OFFSET ?)`);

  const recordEvent = (event: EventInput): EventRecord =>
    inWriteTransaction(db, () => {
      const now = clock.now();
      const recent = (selectRecent.all(event.app, event.objectKey, now - window, event.type, event.reason) as Row[]).map(fromRow);
      const verdict = correlateEvent(event, recent, now);
      if (verdict.action === 'bump') {
        const last = recent.find((r) => r.id === verdict.id)?.lastTimestamp ?? now;
        // max(): a clock stepping backwards must not make lastTimestamp go back in time.
        return fromRow(bump.get(Math.max(now, last), verdict.message, event.sourceRevision ?? null, verdict.id) as Row);
      }
      const row = insert.get({ ...event, message: verdict.message, sourceRevision: event.sourceRevision ?? null, now }) as Row;
      trim.run(event.app, retentionPerApp);
      return fromRow(row);
    });

  return {
    addEvent: (event) => {
      const recorded = recordEvent(event);
      onEvent?.(recorded);
      return recorded;
    },

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
