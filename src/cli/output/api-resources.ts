import { BerthError } from '../../model/errors.js';
import { KINDS } from '../../model/kinds.js';

/**
 * `berth api-resources` and `berth api-versions`: the resource types berth reads, as kubectl
 * lists an API server's discovery. Pure: rows come from model/kinds.ts (the table every layer
 * reads) plus the read-only types berth serves without manifests (nodes, events).
 */
export interface ApiResource {
  name: string;
  shortNames: readonly string[];
  apiVersion: string;
  namespaced: boolean;
  kind: string;
  verbs: readonly string[];
}

/** What berth does with a manifest kind: apply creates and updates it, delete removes it, get lists and watches it. */
const MANIFEST_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/** Types berth shows but no manifest declares: the Docker host as the one node, the app's events. */
const READ_ONLY: readonly ApiResource[] = [
  { name: 'nodes', shortNames: ['no'], apiVersion: 'v1', namespaced: false, kind: 'Node', verbs: ['get', 'list'] },
  { name: 'events', shortNames: ['ev'], apiVersion: 'v1', namespaced: true, kind: 'Event', verbs: ['get', 'list', 'watch'] },
];

export function apiResources(): ApiResource[] {
  return [...KINDS.map((k) => ({ name: k.plural, shortNames: k.shortNames, apiVersion: k.apiVersion, namespaced: k.namespaced, kind: k.kind, verbs: MANIFEST_VERBS })), ...READ_ONLY];
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

export interface ApiResourcesOptions {
  output?: string;
  /** `--namespaced=true|false`; unset lists both. */
  namespaced?: boolean;
  /** `--api-group`: '' is the core group. */
  apiGroup?: string;
  noHeaders?: boolean;
  sortBy?: string;
  /** `--verbs`: only resources that support all of these. */
  verbs?: readonly string[];
}

/** `--namespaced` as kubectl reads it: a bool, `--namespaced` alone meaning true. */
export function parseNamespacedFlag(text: string | boolean | undefined): boolean | undefined {
  if (text === undefined || typeof text === 'boolean') return text;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new BerthError('USAGE', `invalid argument "${text}" for "--namespaced" flag: expected true or false`, { flag: '--namespaced', value: text });
}

/**
 * kubectl's order: the core group first, then the groups in discovery order (berth's: the order
 * of model/kinds.ts), names alphabetical within a group; `--sort-by name|kind` sorts all rows.
 */
export function selectApiResources(all: readonly ApiResource[], o: ApiResourcesOptions): ApiResource[] {
  const groups = [...new Set(['', ...all.map((r) => groupOf(r.apiVersion))])];
  const chosen = all.filter(
    (r) => (o.namespaced === undefined || r.namespaced === o.namespaced) && (o.apiGroup === undefined || groupOf(r.apiVersion) === o.apiGroup) && (o.verbs ?? []).every((v) => r.verbs.includes(v)),
  );
  if (o.sortBy !== undefined && o.sortBy !== 'name' && o.sortBy !== 'kind') throw new BerthError('USAGE', `--sort-by accepts only name or kind, not "${o.sortBy}"`, { flag: '--sort-by', value: o.sortBy });
  const key = (r: ApiResource) => (o.sortBy === 'kind' ? r.kind : r.name);
  return chosen.sort((a, b) => (o.sortBy === undefined ? groups.indexOf(groupOf(a.apiVersion)) - groups.indexOf(groupOf(b.apiVersion)) : 0) || key(a).localeCompare(key(b)));
}

/** The rows of `api-resources` (a header first unless --no-headers), or `-o name` lines. */
export function apiResourceRows(resources: readonly ApiResource[], o: ApiResourcesOptions): { names: string[] } | { rows: string[][] } {
  if (o.output !== undefined && o.output !== 'wide' && o.output !== 'name') throw new BerthError('USAGE', `unable to match a printer suitable for the output format "${o.output}", allowed formats are: name,wide`, { flag: '--output', value: o.output });
  if (o.output === 'name') return { names: resources.map((r) => (groupOf(r.apiVersion) ? `${r.name}.${groupOf(r.apiVersion)}` : r.name)) };
  const wide = o.output === 'wide';
  const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS'] : [])];
  const rows = resources.map((r) => [r.name, r.shortNames.join(','), r.apiVersion, String(r.namespaced), r.kind, ...(wide ? [`[${r.verbs.join(' ')}]`] : [])]);
  return { rows: o.noHeaders ? rows : [header, ...rows] };
}

/** `api-versions`: each group/version once, sorted as kubectl sorts them. */
export function apiVersions(resources: readonly ApiResource[]): string[] {
  return [...new Set(resources.map((r) => r.apiVersion))].sort();
}
