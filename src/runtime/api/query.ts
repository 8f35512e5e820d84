import { didYouMean } from '../../manifests/did-you-mean.js';
import { checkDns1123Label } from '../../model/names.js';
import type { Kind } from '../../model/types.js';

/**
 * Query parameters of the daemon's API, declared per endpoint and checked strictly before a
 * handler runs: a parameter the endpoint does not define, one given twice, or a value that does
 * not parse is a 400 naming the parameter, the value and what is accepted. Nothing is silently
 * ignored or clamped, so `?limit=abc` or `?lmit=5` cannot quietly answer an unfiltered list.
 */

/** Every kind the API lists, dependency order (namespaces first, as `kubectl get all` would not). */
export const KINDS: readonly Kind[] = ['Namespace', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Service', 'Deployment', 'ReplicaSet', 'ReplicationController', 'Pod', 'Job', 'CronJob', 'ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'PodDisruptionBudget', 'DaemonSet', 'StatefulSet', 'StorageClass', 'PersistentVolume', 'Ingress', 'IngressClass', 'GatewayClass', 'Gateway', 'HTTPRoute', 'Issuer', 'ClusterIssuer', 'Certificate'];

export interface QueryParam<T> {
  /** What a valid value looks like; completes "<name> must be …". */
  accepts: string;
  /** The value, or undefined when the text is not acceptable. */
  parse(text: string): T | undefined;
  /** A hint for a value that does not parse (a likely fix). */
  hint?(text: string): string | undefined;
}

export type QuerySpec = Readonly<Record<string, QueryParam<unknown>>>;

/** The parsed query of a spec: each parameter the request gave, as its parser read it. */
export type QueryOf<S extends QuerySpec> = { [K in keyof S]?: S[K] extends QueryParam<infer T> ? T : never };

export type QueryResult<S extends QuerySpec> = { ok: true; query: QueryOf<S> } | { ok: false; error: string };

/** The longest piece of a bad value quoted back in an error. */
const MAX_QUOTED = 100;

export function parseQuery<S extends QuerySpec>(path: string, params: URLSearchParams, spec: S): QueryResult<S> {
  const names = Object.keys(spec);
  const query: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const param = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!param) {
      const hint = didYouMean(name, names);
      const takes = names.length ? `${path} accepts ${names.join(', ')}` : `${path} takes no query parameters`;
      return { ok: false, error: `unknown query parameter ${quote(name)}${hint ? ` (did you mean ${quote(hint)}?)` : ''}; ${takes}` };
    }
    const values = params.getAll(name);
    if (values.length > 1) return { ok: false, error: `query parameter ${name} is given ${values.length} times; give it once` };
    const text = values[0]!;
    const value = param.parse(text);
    if (value === undefined) {
      const hint = param.hint?.(text);
      return { ok: false, error: `query parameter ${name} must be ${param.accepts}; got ${quote(text)}${hint ? ` (${hint})` : ''}` };
    }
    query[name] = value;
  }
  return { ok: true, query: query as QueryOf<S> };
}

function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}

/** A whole number in [min, max], in plain decimal digits. */
export function integerParam(min: number, max: number): QueryParam<number> {
  return {
    accepts: `an integer from ${min} to ${max}`,
    parse: (text) => {
      if (!/^\d{1,15}$/.test(text)) return undefined;
      const n = Number(text);
      return n >= min && n <= max ? n : undefined;
    },
  };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** An RFC 3339 timestamp (`2026-01-02T15:04:05Z`, `…+02:00`, fractions allowed), as epoch ms. */
export const timestampParam: QueryParam<number> = {
  accepts: 'an RFC 3339 timestamp such as 2026-01-02T15:04:05Z or 2026-01-02T17:04:05+02:00',
  parse: (text) => {
    const m = RFC3339.exec(text);
    if (!m) return undefined;
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    // Second 60 is RFC 3339's leap second; Date.UTC carries it into the next minute.
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return undefined;
    let offsetMinutes = 0;
    if (!m[8]) {
      const offsetHours = Number(m[10]);
      const offsetMins = Number(m[11]);
      if (offsetHours > 23 || offsetMins > 59) return undefined;
      offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
    }
    const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
    return Date.UTC(year, month - 1, day, hour, minute, second, fraction) - offsetMinutes * 60_000;
  },
  // An unescaped "+" in a query string arrives as a space.
  hint: (text) => (/ \d{2}:\d{2}$/.test(text) ? 'a "+" in a query string means a space: send the offset as %2B02:00, or use Z' : undefined),
};

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** One of KINDS, in any letter case; read as the canonical spelling. */
export const kindParam: QueryParam<Kind> = {
  accepts: `one of ${KINDS.join(', ')} (any letter case)`,
  parse: (text) => KINDS.find((k) => k.toLowerCase() === text.toLowerCase()),
  hint: (text) => {
    const close = didYouMean(text, KINDS);
    return close ? `did you mean ${close}?` : undefined;
  },
};

/** A namespace name: an RFC 1123 label, as Kubernetes requires. */
export const namespaceParam: QueryParam<string> = {
  accepts: 'a namespace name (lower case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)',
  parse: (text) => (checkDns1123Label(text) === undefined ? text : undefined),
};

/**
 * An event's object: `Kind/namespace/name`, `Kind/name` (cluster-scoped kinds, `Source/<app>`).
 * A known kind may be written in any letter case; it is read as the canonical spelling, since
 * events store it that way.
 */
export const objectParam: QueryParam<string> = {
  accepts: 'Kind/namespace/name or Kind/name, e.g. Pod/default/web or Source/shop',
  parse: (text) => {
    const m = /^([A-Za-z][A-Za-z0-9]*)\/([^/\s]+)(\/[^/\s]+)?$/.exec(text);
    if (!m) return undefined;
    const kind = [...KINDS, 'Source'].find((k) => k.toLowerCase() === m[1]!.toLowerCase()) ?? m[1]!;
    return `${kind}/${m[2]!}${m[3] ?? ''}`;
  },
};

/** An object's name: a DNS subdomain (lower case letters, digits, '-' and '.'), as Kubernetes names are. */
export const nameParam: QueryParam<string> = {
  accepts: 'an object name (lower case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters)',
  parse: (text) => (text.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(text) ? text : undefined),
};

/** A container name: an RFC 1123 label, as Kubernetes requires. */
export const containerParam: QueryParam<string> = {
  accepts: 'a container name (lower case letters, digits and "-", at most 63 characters)',
  parse: namespaceParam.parse,
};

/** `true` or `false`, nothing else (`?follow=1` is refused rather than guessed). */
export const boolParam: QueryParam<boolean> = {
  accepts: 'true or false',
  parse: (text) => (text === 'true' ? true : text === 'false' ? false : undefined),
};

/** The parameters of `query` that must be given, as the 400 that names the first missing one. */
export function missingParam(path: string, query: Record<string, unknown>, required: readonly string[]): string | undefined {
  const missing = required.find((name) => query[name] === undefined);
  return missing === undefined ? undefined : `query parameter ${missing} is required on ${path} (it takes ${required.join(', ')})`;
}

/** The query of each endpoint that takes one; every other endpoint takes none. */
export const RESOURCES_QUERY = { kind: kindParam, namespace: namespaceParam } satisfies QuerySpec;
export const EVENTS_QUERY = { limit: integerParam(1, 10_000), since: timestampParam, object: objectParam } satisfies QuerySpec;
export const NO_QUERY = {} satisfies QuerySpec;
export const OBJECT_QUERY = { kind: kindParam, namespace: namespaceParam, name: nameParam } satisfies QuerySpec;
export const PASSES_QUERY = { limit: integerParam(1, 100) } satisfies QuerySpec;
export const LOGS_QUERY = { namespace: namespaceParam, pod: nameParam, container: containerParam, tailLines: integerParam(0, 1_000_000), follow: boolParam, previous: boolParam } satisfies QuerySpec;

export type ResourcesQuery = QueryOf<typeof RESOURCES_QUERY>;
export type EventsQuery = QueryOf<typeof EVENTS_QUERY>;
export type ObjectQuery = QueryOf<typeof OBJECT_QUERY>;
export type PassesQuery = QueryOf<typeof PASSES_QUERY>;
export type LogsQueryParams = QueryOf<typeof LOGS_QUERY>;
