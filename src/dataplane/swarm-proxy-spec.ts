/**
 * The static configuration of the Swarm service proxy (swarm-proxy.ts), carried in one
 * environment variable of its Swarm service. Unlike the one-host proxy's config files it holds
 * no endpoints: the program finds them itself by resolving `backends` through Swarm's embedded
 * DNS (docs/dataplane.md, "Services on Swarm"). A change of it is a service update, which
 * restarts the proxy tasks, so berth writes it only when the Service or the set of workloads
 * it selects changes, and always in the same byte form (encodeSwarmProxySpec).
 *
 * Pure; imports nothing from the rest of berth (it runs inside the data-plane image too).
 */
import type { ProxyPort, SessionAffinity } from './protocol-types.js';
import type { Problems } from './protocol-validate.js';
import { eachOf, isDnsName, isInt, isRecord, nonEmptyString, proxyPorts, sessionAffinity } from './protocol-validate.js';

export const SWARM_PROXY_ENV = 'BERTH_SWARM_PROXY';
export const DEFAULT_RESOLVE_MS = 1_000;

export interface SwarmProxySpec {
  service: { namespace: string; name: string };
  /** Listeners; every port names its numeric targetPort (endpoints are bare IPs). */
  ports: ProxyPort[];
  sessionAffinity: SessionAffinity;
  /** DNS names whose A records are the endpoints, e.g. `tasks.berth-default-web`. May be empty. */
  backends: string[];
  /** How often the backends are resolved; default DEFAULT_RESOLVE_MS. */
  resolveMs?: number;
  /**
   * Readiness probes, at most one per backend: every address that backend resolves to is
   * probed, and gets new connections only while ready. A backend without one is ready as soon
   * as it resolves (Docker names a task only once it runs, and is healthy if it has a healthcheck).
   */
  readiness?: SwarmProxyReadiness[];
}

/**
 * A container's httpGet or tcpSocket readinessProbe, as the proxy runs it against each task's
 * address: the Kubernetes fields and meanings, minus what the planner settles beforehand. The
 * port is a number (a named port is resolved against the container's ports when planning) and
 * there is no `host` (the address probed is always the task's). Exactly one of httpGet and
 * tcpSocket.
 */
export interface SwarmProxyReadiness {
  /** One of the spec's `backends`. */
  backend: string;
  /** GET scheme://<task address>:port/path; 200–399 passes. `path` starts with `/`. */
  httpGet?: { path: string; port: number; scheme: 'HTTP' | 'HTTPS'; headers?: Array<{ name: string; value: string }> };
  /** A TCP connect to <task address>:port passes. */
  tcpSocket?: { port: number };
  /** From when the address was first resolved to its first probe. */
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  /** Consecutive passes that make a not-ready address ready. */
  successThreshold: number;
  /** Consecutive failures that make a ready address not ready. */
  failureThreshold: number;
}

const SPEC_KEYS = ['service', 'ports', 'sessionAffinity', 'backends', 'resolveMs', 'readiness'];
const READINESS_KEYS = ['backend', 'httpGet', 'tcpSocket', 'initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold'];
const HTTP_GET_KEYS = ['path', 'port', 'scheme', 'headers'];
const HEADER_KEYS = ['name', 'value'];
/** Kubernetes bounds none of these above; a day keeps a typo from meaning "never". */
const PROBE_SECONDS_MAX = 86_400;
const SERVICE_KEYS = ['namespace', 'name'];
const PORT_KEYS = ['name', 'protocol', 'port', 'targetPort'];
const AFFINITY_KEYS = ['type', 'timeoutSeconds'];

/**
 * Every problem of a spec, as `path: message`. Stricter than the config files' validation:
 * unknown fields are refused, because the spec travels in the same service spec as the image
 * that reads it, so writer and reader are always one version and an unknown field is a typo.
 */
export function validateSwarmProxySpec(spec: unknown): Problems {
  const p: Problems = [];
  if (!isRecord(spec)) return ['spec: must be an object'];
  onlyKeys(spec, SPEC_KEYS, 'spec', p);
  if (!isRecord(spec.service)) p.push('spec.service: must be an object');
  else {
    onlyKeys(spec.service, SERVICE_KEYS, 'spec.service', p);
    nonEmptyString(spec.service.namespace, 'spec.service.namespace', p);
    nonEmptyString(spec.service.name, 'spec.service.name', p);
  }
  proxyPorts(spec.ports, 'spec.ports', p, true);
  if (Array.isArray(spec.ports)) spec.ports.forEach((port, i) => isRecord(port) && onlyKeys(port, PORT_KEYS, `spec.ports[${i}]`, p));
  sessionAffinity(spec.sessionAffinity, 'spec.sessionAffinity', p);
  if (isRecord(spec.sessionAffinity)) onlyKeys(spec.sessionAffinity, AFFINITY_KEYS, 'spec.sessionAffinity', p);
  const names = new Set<string>();
  eachOf(spec.backends, 'spec.backends', p, (name, at) => {
    if (typeof name !== 'string' || !isDnsName(name)) return p.push(`${at}: must be a DNS name such as tasks.berth-default-web`);
    if (names.has(name.toLowerCase())) p.push(`${at}: duplicate backend ${JSON.stringify(name)}`);
    names.add(name.toLowerCase());
  });
  if (spec.resolveMs !== undefined && !isInt(spec.resolveMs, 100, 60_000)) p.push('spec.resolveMs: must be an integer from 100 to 60000');
  // Probes name backends: checked against a list of them only (else that list's problem is said twice).
  if (spec.readiness !== undefined && Array.isArray(spec.backends)) readinessList(spec.readiness, names, p);
  return p;
}

function readinessList(v: unknown, backends: ReadonlySet<string>, p: Problems): void {
  const probed = new Set<string>();
  eachOf(v, 'spec.readiness', p, (r, at) => {
    if (!isRecord(r)) return p.push(`${at}: must be an object`);
    onlyKeys(r, READINESS_KEYS, at, p);
    const backend = typeof r.backend === 'string' ? r.backend.toLowerCase() : undefined;
    if (backend === undefined || !backends.has(backend)) p.push(`${at}.backend: must be one of spec.backends`);
    else if (probed.has(backend)) p.push(`${at}.backend: a second probe for ${JSON.stringify(r.backend)}`);
    else probed.add(backend);
    if ((r.httpGet === undefined) === (r.tcpSocket === undefined)) p.push(`${at}: must have exactly one of httpGet and tcpSocket`);
    if (r.httpGet !== undefined) httpGet(r.httpGet, `${at}.httpGet`, p);
    if (r.tcpSocket !== undefined) {
      if (!isRecord(r.tcpSocket)) p.push(`${at}.tcpSocket: must be an object`);
      else {
        onlyKeys(r.tcpSocket, ['port'], `${at}.tcpSocket`, p);
        if (!isInt(r.tcpSocket.port, 1, 65535)) p.push(`${at}.tcpSocket.port: must be an integer from 1 to 65535`);
      }
    }
    const bounds: Array<[string, number]> = [['initialDelaySeconds', 0], ['periodSeconds', 1], ['timeoutSeconds', 1], ['successThreshold', 1], ['failureThreshold', 1]];
    for (const [k, min] of bounds) if (!isInt(r[k], min, PROBE_SECONDS_MAX)) p.push(`${at}.${k}: must be an integer from ${min} to ${PROBE_SECONDS_MAX}`);
  });
}

function httpGet(v: unknown, at: string, p: Problems): void {
  if (!isRecord(v)) return void p.push(`${at}: must be an object`);
  onlyKeys(v, HTTP_GET_KEYS, at, p);
  // What node:http would refuse (or a request line it would garble): caught here, not on every probe.
  if (typeof v.path !== 'string' || !/^\/[\x21-\x7e]*$/.test(v.path)) p.push(`${at}.path: must start with / and hold no spaces or control characters`);
  if (!isInt(v.port, 1, 65535)) p.push(`${at}.port: must be an integer from 1 to 65535`);
  if (v.scheme !== 'HTTP' && v.scheme !== 'HTTPS') p.push(`${at}.scheme: must be "HTTP" or "HTTPS"`);
  if (v.headers === undefined) return;
  eachOf(v.headers, `${at}.headers`, p, (h, hAt) => {
    if (!isRecord(h)) return p.push(`${hAt}: must be an object`);
    onlyKeys(h, HEADER_KEYS, hAt, p);
    if (typeof h.name !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h.name)) p.push(`${hAt}.name: must be an HTTP header name`);
    if (typeof h.value !== 'string' || /[\r\n\0]/.test(h.value)) p.push(`${hAt}.value: must be a string without line breaks`);
  });
}

export type ParsedSwarmProxySpec = { ok: true; spec: SwarmProxySpec } | { ok: false; problems: Problems };

/** The environment variable's text → a valid spec, or every reason it is not one. */
export function parseSwarmProxySpec(text: string | undefined): ParsedSwarmProxySpec {
  if (text === undefined || text.trim() === '') return { ok: false, problems: [`${SWARM_PROXY_ENV}: must be set to the proxy spec (JSON)`] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`${SWARM_PROXY_ENV}: not JSON (${(err as Error).message})`] };
  }
  const problems = validateSwarmProxySpec(value);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, spec: value as SwarmProxySpec };
}

/**
 * The spec's one text form: keys in a fixed order, backends sorted, so the same Service and
 * workloads always give the same environment and berth never updates the proxy service (and
 * restarts its tasks) for a change of order alone.
 */
export function encodeSwarmProxySpec(spec: SwarmProxySpec): string {
  const ordered: SwarmProxySpec = {
    service: { namespace: spec.service.namespace, name: spec.service.name },
    ports: spec.ports.map((p) => ({ name: p.name, protocol: p.protocol, port: p.port, ...(p.targetPort === undefined ? {} : { targetPort: p.targetPort }) })),
    sessionAffinity: spec.sessionAffinity.type === 'ClientIP' ? { type: 'ClientIP', timeoutSeconds: spec.sessionAffinity.timeoutSeconds } : { type: 'None' },
    backends: [...spec.backends].sort(),
    ...(spec.resolveMs === undefined ? {} : { resolveMs: spec.resolveMs }),
    ...(spec.readiness?.length ? { readiness: [...spec.readiness].sort((a, b) => (a.backend < b.backend ? -1 : a.backend > b.backend ? 1 : 0)).map(orderedReadiness) } : {}),
  };
  return JSON.stringify(ordered);
}

/** Headers keep their order: a repeated header's values are sent in it. */
function orderedReadiness(r: SwarmProxyReadiness): SwarmProxyReadiness {
  const h = r.httpGet;
  return {
    backend: r.backend,
    ...(h ? { httpGet: { path: h.path, port: h.port, scheme: h.scheme, ...(h.headers?.length ? { headers: h.headers.map((x) => ({ name: x.name, value: x.value })) } : {}) } } : {}),
    ...(r.tcpSocket ? { tcpSocket: { port: r.tcpSocket.port } } : {}),
    initialDelaySeconds: r.initialDelaySeconds,
    periodSeconds: r.periodSeconds,
    timeoutSeconds: r.timeoutSeconds,
    successThreshold: r.successThreshold,
    failureThreshold: r.failureThreshold,
  };
}

function onlyKeys(v: Record<string, unknown>, allowed: readonly string[], at: string, p: Problems): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) p.push(`${at}.${k}: unknown field (allowed: ${allowed.join(', ')})`);
}

/**
 * The `Test` of a healthcheck for the proxy's Swarm service: healthy once the program accepts
 * on its first TCP port. Swarm puts a task into DNS (the Service's names, which are the proxy
 * service's aliases) only once its healthcheck passes, so no client is sent to a proxy task
 * that has not opened its listeners yet. Undefined for a Service without a TCP port.
 */
export function swarmProxyHealthcheck(spec: Pick<SwarmProxySpec, 'ports'>): string[] | undefined {
  const tcp = spec.ports.find((p) => p.protocol === 'TCP');
  if (!tcp) return undefined;
  const script = `const s=require('node:net').connect(${tcp.port},'127.0.0.1');s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1))`;
  return ['CMD', 'node', '-e', script];
}
