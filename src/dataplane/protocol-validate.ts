/**
 * Hand-written payload validation (the data-plane image has no node_modules, so no ajv).
 * Every function returns all problems found as `path: message` strings; empty means valid.
 * Unknown fields are ignored so an older program accepts a newer writer's additions.
 */
import { isIP } from 'node:net';

export type Problems = string[];

export function validateProxyConfig(payload: unknown): Problems {
  const p: Problems = [];
  if (!isRecord(payload)) return ['payload: must be an object'];
  const service = payload.service;
  if (!isRecord(service)) p.push('payload.service: must be an object');
  else {
    nonEmptyString(service.namespace, 'payload.service.namespace', p);
    nonEmptyString(service.name, 'payload.service.name', p);
  }
  const portNames = proxyPorts(payload.ports, 'payload.ports', p);
  const ids = new Set<string>();
  eachOf(payload.endpoints, 'payload.endpoints', p, (ep, at) => {
    if (!isRecord(ep)) return p.push(`${at}: must be an object`);
    ipField(ep.ip, `${at}.ip`, p);
    if (typeof ep.ready !== 'boolean') p.push(`${at}.ready: must be true or false`);
    if (ep.name !== undefined) nonEmptyString(ep.name, `${at}.name`, p);
    portMap(ep.ports, `${at}.ports`, p);
    const id = typeof ep.name === 'string' ? ep.name : String(ep.ip);
    if (ids.has(id)) p.push(`${at}: duplicate endpoint ${JSON.stringify(id)}`);
    ids.add(id);
  });
  if (payload.published !== undefined) {
    eachOf(payload.published, 'payload.published', p, (pub, at) => {
      if (!isRecord(pub)) return p.push(`${at}: must be an object`);
      if (typeof pub.name !== 'string' || !portNames.has(pub.name)) p.push(`${at}.name: must name a port of payload.ports`);
      protocolField(pub.protocol, `${at}.protocol`, p);
      portNumber(pub.hostPort, `${at}.hostPort`, p);
      if (pub.hostIp !== undefined) ipField(pub.hostIp, `${at}.hostIp`, p);
    });
  }
  sessionAffinity(payload.sessionAffinity, 'payload.sessionAffinity', p);
  return p;
}

/**
 * Service ports of a proxy (ProxyPort[]): names and (protocol, port) listeners unique. Returns
 * the names seen. `needTargetPort`: every port must say its target port (the Swarm proxy's
 * endpoints carry no per-endpoint ports to fall back on).
 */
export function proxyPorts(v: unknown, at: string, p: Problems, needTargetPort = false): Set<string> {
  const portNames = new Set<string>();
  const listens = new Set<string>();
  eachOf(v, at, p, (port, portAt) => {
    if (!isRecord(port)) return p.push(`${portAt}: must be an object`);
    if (typeof port.name !== 'string') p.push(`${portAt}.name: must be a string`);
    else if (portNames.has(port.name)) p.push(`${portAt}.name: duplicate port name ${JSON.stringify(port.name)}`);
    else portNames.add(port.name);
    protocolField(port.protocol, `${portAt}.protocol`, p);
    portNumber(port.port, `${portAt}.port`, p);
    if (port.targetPort !== undefined || needTargetPort) portNumber(port.targetPort, `${portAt}.targetPort`, p);
    const key = `${String(port.protocol)}/${String(port.port)}`;
    if (listens.has(key)) p.push(`${portAt}: duplicate listener ${key}`);
    listens.add(key);
  });
  return portNames;
}

export function sessionAffinity(aff: unknown, at: string, p: Problems): void {
  if (!isRecord(aff)) p.push(`${at}: must be an object`);
  else if (aff.type === 'ClientIP') {
    if (!isInt(aff.timeoutSeconds, 1, 86_400)) p.push(`${at}.timeoutSeconds: must be an integer from 1 to 86400`);
  } else if (aff.type !== 'None') p.push(`${at}.type: must be "None" or "ClientIP"`);
}

export function validateDnsConfig(payload: unknown): Problems {
  const p: Problems = [];
  if (!isRecord(payload)) return ['payload: must be an object'];
  if (typeof payload.domain !== 'string' || !isDnsName(payload.domain)) p.push('payload.domain: must be a DNS name such as cluster.local');
  if (!isInt(payload.ttlSeconds, 0, 86_400)) p.push('payload.ttlSeconds: must be an integer from 0 to 86400');
  if (payload.upstreams !== undefined) {
    eachOf(payload.upstreams, 'payload.upstreams', p, (u, at) => {
      if (typeof u !== 'string' || !parseHostPort(u, 53)) p.push(`${at}: must be ip, ip:port or [ipv6]:port`);
    });
  }
  const keys = new Set<string>();
  eachOf(payload.services, 'payload.services', p, (svc, at) => {
    if (!isRecord(svc)) return p.push(`${at}: must be an object`);
    label(svc.namespace, `${at}.namespace`, p);
    label(svc.name, `${at}.name`, p);
    const key = `${String(svc.namespace)}/${String(svc.name)}`;
    if (keys.has(key)) p.push(`${at}: duplicate service ${key}`);
    keys.add(key);
    if (svc.type !== 'ClusterIP' && svc.type !== 'Headless' && svc.type !== 'ExternalName') {
      p.push(`${at}.type: must be ClusterIP, Headless or ExternalName`);
    }
    if (svc.clusterIPs !== undefined) eachOf(svc.clusterIPs, `${at}.clusterIPs`, p, (ip, ipAt) => ipField(ip, ipAt, p));
    if (svc.type === 'ExternalName' && (typeof svc.externalName !== 'string' || !isDnsName(svc.externalName))) {
      p.push(`${at}.externalName: must be a DNS name`);
    }
    const names = new Set<string>();
    eachOf(svc.ports, `${at}.ports`, p, (port, portAt) => {
      if (!isRecord(port)) return p.push(`${portAt}: must be an object`);
      if (typeof port.name !== 'string') p.push(`${portAt}.name: must be a string`);
      else if (port.name !== '' && names.has(port.name)) p.push(`${portAt}.name: duplicate port name ${JSON.stringify(port.name)}`);
      else names.add(port.name);
      protocolField(port.protocol, `${portAt}.protocol`, p);
      portNumber(port.port, `${portAt}.port`, p);
      if (port.targetPort !== undefined) portNumber(port.targetPort, `${portAt}.targetPort`, p);
    });
    eachOf(svc.endpoints, `${at}.endpoints`, p, (ep, epAt) => {
      if (!isRecord(ep)) return p.push(`${epAt}: must be an object`);
      ipField(ep.ip, `${epAt}.ip`, p);
      if (typeof ep.ready !== 'boolean') p.push(`${epAt}.ready: must be true or false`);
      if (ep.hostname !== undefined) label(ep.hostname, `${epAt}.hostname`, p);
      portMap(ep.ports, `${epAt}.ports`, p);
    });
  });
  return p;
}

/** `10.0.0.1`, `10.0.0.1:5353`, `[fd00::1]:53`, `fd00::1` → {host, port}; undefined when malformed. */
export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } | undefined {
  let host = text;
  let port = defaultPort;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) {
    host = v6[1]!;
    if (v6[2] !== undefined) port = Number(v6[2]);
  } else if (isIP(text) === 0) {
    const i = text.lastIndexOf(':');
    if (i < 0) return undefined;
    host = text.slice(0, i);
    port = Number(text.slice(i + 1));
  }
  if (isIP(host) === 0 || !isInt(port, 1, 65_535)) return undefined;
  return { host, port };
}

/** An IPv4 or IPv6 address (for sibling validators: node:net stays in this one file). */
export function isIpAddress(v: string): boolean {
  return isIP(v) !== 0;
}

/** A DNS name in presentation form without the trailing dot: labels of 1–63 of [a-z0-9-_]. */
export function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((l) => /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(l));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

export function eachOf(v: unknown, at: string, p: Problems, fn: (item: unknown, at: string) => unknown): void {
  if (!Array.isArray(v)) {
    p.push(`${at}: must be an array`);
    return;
  }
  v.forEach((item, i) => fn(item, `${at}[${i}]`));
}

export function nonEmptyString(v: unknown, at: string, p: Problems): void {
  if (typeof v !== 'string' || v.length === 0 || v.length > 253) p.push(`${at}: must be a non-empty string`);
}

function label(v: unknown, at: string, p: Problems): void {
  if (typeof v !== 'string' || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(v)) p.push(`${at}: must be a DNS-1123 label`);
}

function protocolField(v: unknown, at: string, p: Problems): void {
  if (v !== 'TCP' && v !== 'UDP') p.push(`${at}: must be TCP or UDP`);
}

function portNumber(v: unknown, at: string, p: Problems): void {
  if (!isInt(v, 1, 65_535)) p.push(`${at}: must be an integer from 1 to 65535`);
}

function ipField(v: unknown, at: string, p: Problems): void {
  if (typeof v !== 'string' || isIP(v) === 0) p.push(`${at}: must be an IPv4 or IPv6 address`);
}

function portMap(v: unknown, at: string, p: Problems): void {
  if (v === undefined) return;
  if (!isRecord(v)) {
    p.push(`${at}: must be an object of port name → number`);
    return;
  }
  for (const [k, n] of Object.entries(v)) portNumber(n, `${at}.${k}`, p);
}
