import type { EventBody } from './contract.js';

/** Clock milliseconds as the API writes times (RFC 3339, UTC, milliseconds kept). */
export function iso(t: number | undefined): string | undefined {
  return t === undefined ? undefined : new Date(t).toISOString();
}

/** An event as every endpoint answers it (`/api/v1/events`, `/api/v1/object`): stored or held, the same shape. */
export function eventBody(e: { type: 'Normal' | 'Warning'; reason: string; objectKey: string; message: string; count: number; firstTimestamp: number; lastTimestamp: number; sourceRevision?: string }): EventBody {
  return {
    type: e.type,
    reason: e.reason,
    object: e.objectKey,
    message: e.message,
    count: e.count,
    firstTimestamp: iso(e.firstTimestamp)!,
    lastTimestamp: iso(e.lastTimestamp)!,
    ...(e.sourceRevision ? { sourceRevision: e.sourceRevision } : {}),
  };
}
