/**
 * CronJob schedules as Kubernetes accepts them (robfig/cron ParseStandard): five fields
 * (minute hour day-of-month month day-of-week) or a macro. Returns an error message or
 * undefined. `@every` parses in Kubernetes but has no calendar meaning berth can schedule, and
 * `TZ=`/`CRON_TZ=` prefixes are rejected as Kubernetes does since 1.27 (use spec.timeZone).
 */
import { clip, quote } from '../../model/excerpt.js';

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Index of names[0] (months start at 1). */
  namesFrom?: number;
  question?: boolean;
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS, namesFrom: 0, question: true },
];

export function checkSchedule(schedule: string): string | undefined {
  const text = schedule.trim();
  if (text === '') return 'must not be empty';
  if (/^(CRON_)?TZ=/.test(text)) return 'must not set TZ or CRON_TZ; use spec.timeZone';
  if (text.startsWith('@')) {
    if (MACROS.has(text)) return undefined;
    if (text.startsWith('@every')) return '@every is not supported; use a five-field schedule';
    return `unknown macro ${quote(text)}; use one of ${[...MACROS].join(', ')}`;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5)
    return `needs five fields (minute hour day-of-month month day-of-week), found ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const err = checkField(parts[i]!, FIELDS[i]!);
    if (err) return `${FIELDS[i]!.name} field ${quote(parts[i])}: ${err}`;
  }
  return undefined;
}

function checkField(text: string, f: Field): string | undefined {
  for (const item of text.split(',')) {
    const [range, step, extra] = item.split('/');
    if (extra !== undefined) return 'has more than one /';
    if (step !== undefined && !/^[0-9]+$/.test(step)) return `step ${quote(step)} is not a number`;
    if (step !== undefined && Number(step) === 0) return 'step must not be 0';
    if (range === '*' || (range === '?' && f.question)) continue;
    const bounds = range!.split('-');
    if (bounds.length > 2 || bounds.some((b) => b === '')) return `${quote(range)} is not a value or range`;
    const values: number[] = [];
    for (const b of bounds) {
      const v = value(b, f);
      if (v === undefined) return `${quote(b)} is not a valid ${f.name}`;
      if (v < f.min || v > f.max) return `${v} is outside ${f.min}-${f.max}`;
      values.push(v);
    }
    if (values.length === 2 && values[0]! > values[1]!) return `range ${quote(range)} runs backwards`;
  }
  return undefined;
}

function value(text: string, f: Field): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const i = f.names?.indexOf(text.toUpperCase()) ?? -1;
  return i >= 0 ? i + (f.namesFrom ?? 0) : undefined;
}

/**
 * IANA time zone names, case-sensitive as Go's time.LoadLocation. The runtime's ICU database
 * answers; it may lag Go's tzdata by a release, which only matters for zones created since.
 */
export function checkTimeZone(tz: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return 'is not an IANA time zone name (e.g. Europe/Berlin, America/New_York, UTC)';
  }
  if (/^[+-]/.test(tz)) return 'must be an IANA time zone name, not an offset';
  if (resolved.toLowerCase() === tz.toLowerCase() && resolved !== tz) return `time zone names are case-sensitive; did you mean ${clip(resolved)}?`;
  return undefined;
}
