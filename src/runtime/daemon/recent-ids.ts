/**
 * A set of ids that remembers only the `limit` most recently added (adding one again makes it the
 * newest). For memory the daemon keeps per revision it has seen: one id per revision of a source
 * that is edited for months grows without end (issue 13 #7), while only the latest few are ever
 * asked about. What falls out is merely forgotten: a revision refused long ago that comes back
 * is validated again, and refused again.
 */
export interface RecentIds {
  has(id: string): boolean;
  add(id: string): void;
  readonly size: number;
}

export function recentIds(limit: number): RecentIds {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`recentIds needs a limit of at least 1, not ${limit}`);
  // A Set iterates in insertion order: its first entry is the oldest.
  const ids = new Set<string>();
  return {
    has: (id) => ids.has(id),
    add(id) {
      ids.delete(id);
      ids.add(id);
      while (ids.size > limit) ids.delete(ids.values().next().value as string);
    },
    get size() {
      return ids.size;
    },
  };
}
