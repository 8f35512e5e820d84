import type { EventRecord } from '../../runtime/store/index.js';
import { humanDuration } from './age.js';

/**
 * `kubectl describe` layout: `Key:` cells padded so the values of consecutive key lines line
 * up (kubectl's tabwriter with padding 2), across indentation levels; a line without a key
 * (a section header, a table) ends the aligned block.
 */
export class DescribeWriter {
  private readonly lines: Array<{ first: string; value?: string }> = [];

  /** `Key:  value` at an indentation level (2 spaces each). */
  kv(level: number, key: string, value: string | number | boolean = ''): this {
    this.lines.push({ first: `${indent(level)}${key}:`, value: String(value) });
    return this;
  }

  /** A continuation value under the previous key (multi-line labels). */
  more(level: number, value: string): this {
    this.lines.push({ first: indent(level), value });
    return this;
  }

  /** Several values under one key, one per line; `<none>` when there are none. */
  list(level: number, key: string, values: readonly string[], none = '<none>'): this {
    if (values.length === 0) return this.kv(level, key, none);
    this.kv(level, key, values[0]!);
    for (const v of values.slice(1)) this.more(level, v);
    return this;
  }

  line(level: number, text: string): this {
    this.lines.push({ first: `${indent(level)}${text}` });
    return this;
  }

  blank(): this {
    this.lines.push({ first: '' });
    return this;
  }

  /** A table whose columns are separated by at least 2 spaces, kubectl's nested tables. */
  table(level: number, rows: readonly string[][]): this {
    const widths: number[] = [];
    for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
    for (const r of rows) this.line(level, r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 2))).join(''));
    return this;
  }

  render(): string {
    let out = '';
    let i = 0;
    while (i < this.lines.length) {
      if (this.lines[i]!.value === undefined) {
        out += `${this.lines[i]!.first.trimEnd()}\n`;
        i++;
        continue;
      }
      let j = i;
      while (j < this.lines.length && this.lines[j]!.value !== undefined) j++;
      const block = this.lines.slice(i, j);
      const width = Math.max(...block.map((l) => l.first.length)) + 2;
      for (const l of block) out += `${l.value ? `${l.first.padEnd(width)}${l.value}` : l.first}`.trimEnd() + '\n';
      i = j;
    }
    return out;
  }
}

function indent(level: number): string {
  return '  '.repeat(level);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 1123 with a numeric zone, kubectl's describe time format, in UTC: `Mon, 02 Jan 2026 15:04:05 +0000`. */
export function describeTime(ms: number | string | undefined): string {
  if (ms === undefined) return '<unset>';
  const t = typeof ms === 'string' ? Date.parse(ms) : ms;
  if (!Number.isFinite(t)) return '<unset>';
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** `a=b` lines, sorted, as kubectl prints Labels; `<none>` when empty. */
export function labelLines(labels: Record<string, string> | undefined): string[] {
  return Object.keys(labels ?? {})
    .sort()
    .map((k) => `${k}=${labels![k]}`);
}

/** `key: value` lines, as kubectl prints Annotations. */
export function annotationLines(annotations: Record<string, string> | undefined): string[] {
  return Object.keys(annotations ?? {})
    .sort()
    .map((k) => `${k}: ${annotations![k]}`);
}

/** The Events section: the table kubectl prints, or `<none>`. */
export function writeEvents(w: DescribeWriter, events: readonly EventRecord[], now: number): void {
  if (events.length === 0) {
    w.kv(0, 'Events', '<none>');
    return;
  }
  w.line(0, 'Events:');
  const rows = [
    ['Type', 'Reason', 'Age', 'From', 'Message'],
    ['----', '------', '----', '----', '-------'],
    ...events.map((e) => [e.type, e.reason, eventAge(e, now), 'berth', e.message.replace(/\s*\n\s*/g, ' ')]),
  ];
  w.table(1, rows);
}

/** kubectl: `5m`, or `2m (x3 over 10m)` for a repeated event. */
export function eventAge(e: Pick<EventRecord, 'count' | 'firstTimestamp' | 'lastTimestamp'>, now: number): string {
  const last = humanDuration(now - e.lastTimestamp);
  return e.count > 1 ? `${last} (x${e.count} over ${humanDuration(now - e.firstTimestamp)})` : last;
}
