import { kindInfo } from '../../model/kinds.js';
import type { Kind } from '../../model/types.js';
import type { View } from '../../runtime/views/index.js';
import type { CliIO } from '../context.js';
import { print, write } from '../context.js';
import type { ResourceQuery } from '../resource-args.js';
import type { GetOutputFormat } from './kube-objects.js';
import { nameLines, outputDocument, renderDocument } from './kube-objects.js';
import { formatColumns, tableRows } from './table.js';
import type { ObjectPrinter } from './object-printers.js';
import { labelColumnHeader, renderObjects } from './object-printers.js';

export { parseGetOutput } from './kube-objects.js';

export interface GetWriteOptions {
  now: number;
  namespace: string;
  allNamespaces: boolean;
  showLabels: boolean;
  /** kubectl's --no-headers: tables without their header row, for scripts. */
  noHeaders?: boolean;
  /** Names were asked for and some are missing: the NotFound lines say enough. */
  quietEmpty: boolean;
  /** `-o jsonpath=…`, `-o custom-columns=…`: printed instead of `format`. */
  printer?: ObjectPrinter;
  /** kubectl's --allow-missing-template-keys (default true). */
  allowMissingKeys?: boolean;
  /** --show-kind: names read `pod/web-…` for one kind too. */
  showKind?: boolean;
  /** -L: a column per label key, after the kind's columns. */
  labelColumns?: readonly string[];
  /** Another app has objects in this namespace (cli/app-hint.ts): said in the empty answer. */
  appHint?: string;
}

/** What `berth get` prints: one table per kind (blank line between), a document, or names. */
export function writeGet(io: CliIO, views: View[], query: ResourceQuery, format: GetOutputFormat, o: GetWriteOptions): void {
  if (o.printer) {
    if (query.single && views.length === 0) return;
    write(io.stdout, renderObjects(outputDocument(views, query.single), o.printer, { allowMissingKeys: o.allowMissingKeys ?? true, noHeaders: o.noHeaders ?? false }));
    return;
  }
  if (format === 'json' || format === 'yaml') {
    if (query.single && views.length === 0) return;
    write(io.stdout, renderDocument(outputDocument(views, query.single), format));
    return;
  }
  if (views.length === 0) {
    if (!o.quietEmpty) print(io.stderr, noResources(query, o));
    return;
  }
  if (format === 'name') {
    write(io.stdout, nameLines(views));
    return;
  }
  const tables: string[] = [];
  for (const group of query.groups) {
    const ofKind = views.filter((v) => v.kind === group.kind);
    if (ofKind.length === 0) continue;
    const formatted = formatColumns(kindTable(group.kind, ofKind, format, o, query.multiKind));
    tables.push(o.noHeaders ? formatted.slice(formatted.indexOf('\n') + 1) : formatted);
  }
  write(io.stdout, tables.join('\n'));
}

/** Header and rows of one kind's table as `get` prints it: the kind's columns, -o wide, -L and --show-labels. Also the rows of `get -w`. */
export function kindTable(kind: Kind, ofKind: readonly View[], format: GetOutputFormat, o: Pick<GetWriteOptions, 'now' | 'allNamespaces' | 'showKind' | 'labelColumns' | 'showLabels'>, multiKind: boolean): string[][] {
  let rows = tableRows(kind, ofKind, { now: o.now, wide: format === 'wide', allNamespaces: o.allNamespaces, withKind: multiKind || (o.showKind ?? false) });
  const keys = o.labelColumns ?? [];
  if (keys.length) rows = rows.map((r, i) => [...r, ...keys.map((k) => (i === 0 ? labelColumnHeader(k) : (ofKind[i - 1]!.labels[k] ?? '')))]);
  if (o.showLabels) rows = rows.map((r, i) => [...r, i === 0 ? 'LABELS' : labelsText(ofKind[i - 1]!.labels)]);
  return rows;
}

function labelsText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.sort().join(',') : '<none>';
}

/** kubectl's message for an empty answer (stderr). */
export function noResources(query: ResourceQuery, o: Pick<GetWriteOptions, 'allNamespaces' | 'namespace' | 'appHint'>): string {
  const clusterScoped = query.groups.every((g) => !(kindInfo(g.kind)?.namespaced ?? true));
  if (o.allNamespaces || clusterScoped) return 'No resources found';
  return o.appHint ? `No resources found in ${o.namespace} namespace${o.appHint}` : `No resources found in ${o.namespace} namespace.`;
}
