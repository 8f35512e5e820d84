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
}

const SPEC_KEYS = ['service', 'ports', 'sessionAffinity', 'backends', 'resolveMs'];
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
  return p;
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
  };
  return JSON.stringify(ordered);
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
