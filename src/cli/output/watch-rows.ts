/**
 * The pure part of `get -w`: which objects of a listing to print again after a new look, and
 * how a watch row lines up under the table printed first. The command (cli/commands/get-watch.ts)
 * reads the snapshots and prints; everything deciding what is printed is here.
 */

/** One object of a watched listing: who it is, what decides that it changed, and what prints it. */
export interface Tracked<T> {
  /** Identity across looks (`Pod/ns/name`, an event's id). */
  key: string;
  /**
   * What a change is judged by: the row as printed, but rendered at a fixed time so AGE and
   * "(5s ago)" ticking on is no change (kubectl prints on a new resourceVersion, not a new age).
   */
  change: string;
  item: T;
}

export interface Emitted<T> {
  item: T;
  /** Gone since the last look: kubectl prints a deleted object's last row once more. */
  deleted: boolean;
}

export interface WatchStep<T> {
  /** In the new listing's order, then the deleted in the old one's. */
  emit: Emitted<T>[];
  /** What the next look is compared with. */
  seen: Map<string, Tracked<T>>;
}

/** The objects of `next` that are new or print differently from `seen`, and those gone from it. */
export function watchStep<T>(seen: ReadonlyMap<string, Tracked<T>>, next: readonly Tracked<T>[]): WatchStep<T> {
  const now = new Map<string, Tracked<T>>();
  const emit: Emitted<T>[] = [];
  for (const t of next) {
    if (now.has(t.key)) continue;
    now.set(t.key, t);
    if (seen.get(t.key)?.change !== t.change) emit.push({ item: t.item, deleted: false });
  }
  for (const [key, t] of seen) if (!now.has(key)) emit.push({ item: t.item, deleted: true });
  return { emit, seen: now };
}

/** The first look: everything in it is seen (printed by `-w`, skipped by `--watch-only`). */
export function firstLook<T>(next: readonly Tracked<T>[]): Map<string, Tracked<T>> {
  return watchStep(new Map(), next).seen;
}

/** Column widths of a table as formatColumns (cli/output/table.ts) lays it out. */
export function columnWidths(rows: readonly (readonly string[])[]): number[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return widths;
}

/**
 * One watch row under the table already printed: each cell padded to its column's width and
 * the 3 spaces of kubectl's tabwriter, so the columns stay aligned; a cell wider than its
 * column pushes the rest right, as kubectl's per-row flush does. No trailing spaces.
 */
export function alignRow(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(Math.max(widths[i] ?? 0, cell.length) + 3))).join('').trimEnd() + '\n';
}

/**
 * Separates the documents of `-o yaml` in a watch, as kubectl's YAML printer does from the
 * second object on; JSON documents follow one another bare.
 */
export function documentSeparator(format: 'json' | 'yaml', printedBefore: number): string {
  return format === 'yaml' && printedBefore > 0 ? '---\n' : '';
}
