/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: berth exports a
 * handful of metrics and a client library would be the largest dependency of the daemon.
 * Counters, gauges and histograms with labels; values are kept in memory and rendered on
 * scrape, in registration order, series sorted by their labels so output is stable.
 */
export type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  lines(): string[];
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

export interface Gauge {
  set(value: number, labels?: Labels): void;
  /** Drops every series (an info metric whose label value changed). */
  reset(): void;
  get(labels?: Labels): number | undefined;
}

export interface Histogram {
  observe(value: number, labels?: Labels): void;
  /** Count and sum of one series. */
  get(labels?: Labels): { count: number; sum: number };
}

export interface Registry {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  histogram(name: string, help: string, buckets: readonly number[]): Histogram;
  /** The whole exposition, ending with a newline. */
  render(): string;
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function createRegistry(): Registry {
  const families: Family[] = [];
  const add = (f: Family) => {
    if (!NAME.test(f.name)) throw new Error(`invalid metric name ${f.name}`);
    if (families.some((x) => x.name === f.name)) throw new Error(`metric ${f.name} registered twice`);
    families.push(f);
  };
  return {
    counter(name, help) {
      const series = new Map<string, number>();
      add({ name, help, type: 'counter', lines: () => [...series].sort(byKey).map(([k, v]) => `${name}${k} ${formatValue(v)}`) });
      return {
        inc: (labels = {}, by = 1) => {
          if (by < 0) throw new Error('a counter only goes up');
          const k = labelText(labels);
          series.set(k, (series.get(k) ?? 0) + by);
        },
        get: (labels = {}) => series.get(labelText(labels)) ?? 0,
      };
    },
    gauge(name, help) {
      const series = new Map<string, number>();
      add({ name, help, type: 'gauge', lines: () => [...series].sort(byKey).map(([k, v]) => `${name}${k} ${formatValue(v)}`) });
      return {
        set: (value, labels = {}) => void series.set(labelText(labels), value),
        reset: () => series.clear(),
        get: (labels = {}) => series.get(labelText(labels)),
      };
    },
    histogram(name, help, buckets) {
      const bounds = [...buckets].sort((a, b) => a - b);
      const series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
      add({
        name,
        help,
        type: 'histogram',
        lines: () =>
          [...series].sort(byKey).flatMap(([, s]) => {
            const out: string[] = [];
            let cumulative = 0;
            bounds.forEach((b, i) => {
              cumulative += s.counts[i]!;
              out.push(`${name}_bucket${labelText({ ...s.labels, le: formatValue(b) })} ${cumulative}`);
            });
            out.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
            out.push(`${name}_sum${labelText(s.labels)} ${formatValue(s.sum)}`);
            out.push(`${name}_count${labelText(s.labels)} ${s.count}`);
            return out;
          }),
      });
      return {
        observe: (value, labels = {}) => {
          const k = labelText(labels);
          let s = series.get(k);
          if (!s) series.set(k, (s = { labels, counts: bounds.map(() => 0), sum: 0, count: 0 }));
          const i = bounds.findIndex((b) => value <= b);
          if (i >= 0) s.counts[i]!++;
          s.sum += value;
          s.count++;
        },
        get: (labels = {}) => {
          const s = series.get(labelText(labels));
          return { count: s?.count ?? 0, sum: s?.sum ?? 0 };
        },
      };
    },
    render() {
      const out: string[] = [];
      for (const f of families) {
        out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`, ...f.lines());
      }
      return `${out.join('\n')}\n`;
    },
  };
}

function byKey(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** `{a="1",b="x"}`, keys sorted (`le` last, where Prometheus puts it); '' without labels. */
export function labelText(labels: Labels): string {
  const keys = Object.keys(labels).sort((a, b) => (a === 'le' ? 1 : b === 'le' ? -1 : a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return '';
  for (const k of keys) if (!LABEL.test(k)) throw new Error(`invalid label name ${k}`);
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',')}}`;
}

/** Label values escape backslash, double quote and newline. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and newline only. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
