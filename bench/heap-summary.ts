/**
 * Summarizes a V8 heap snapshot (the JSON `HeapProfiler.takeHeapSnapshot` writes) by
 * constructor: node count and self size per (type, name), for comparing two snapshots —
 * what a revision left behind. Strings are grouped under "(string)", arrays under "(array)".
 * Run alone: `tsx bench/heap-summary.ts before.heapsnapshot after.heapsnapshot`.
 */
import { readFile } from 'node:fs/promises';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export type Summary = Map<string, { count: number; bytes: number }>;

export async function summarizeSnapshot(file: string): Promise<Summary> {
  const s = JSON.parse(await readFile(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const out: Summary = new Map();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt]!]!;
    const name = s.strings[s.nodes[i + nameAt]!]!;
    const key = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '(string)' : type === 'object' || type === 'closure' ? `${type === 'closure' ? 'closure ' : ''}${name}` : `(${type}) ${type === 'native' || type === 'code' ? name.slice(0, 40) : ''}`.trim();
    const e = out.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += s.nodes[i + sizeAt]!;
    out.set(key, e);
  }
  return out;
}

/** The `top` constructors that grew most from `a` to `b`, by self size. */
export function growth(a: Summary, b: Summary, top = 15): Array<{ key: string; count: number; bytes: number }> {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys]
    .map((key) => ({ key, count: (b.get(key)?.count ?? 0) - (a.get(key)?.count ?? 0), bytes: (b.get(key)?.bytes ?? 0) - (a.get(key)?.bytes ?? 0) }))
    .sort((x, y) => y.bytes - x.bytes)
    .slice(0, top);
}

export function total(s: Summary): number {
  let n = 0;
  for (const v of s.values()) n += v.bytes;
  return n;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [fa, fb] = process.argv.slice(2);
  if (!fa || !fb) throw new Error('usage: tsx bench/heap-summary.ts A.heapsnapshot B.heapsnapshot');
  const [a, b] = await Promise.all([summarizeSnapshot(fa), summarizeSnapshot(fb)]);
  console.log(`total self size: ${(total(a) / 1048576).toFixed(1)} MB → ${(total(b) / 1048576).toFixed(1)} MB`);
  for (const g of growth(a, b, 30)) console.log(`${(g.bytes / 1048576).toFixed(2).padStart(8)} MB  ${String(g.count).padStart(8)}  ${g.key}`);
}
