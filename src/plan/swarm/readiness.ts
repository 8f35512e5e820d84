import type { ContainerPort, Probe } from '../../model/types.js';
import type { SwarmProxyReadiness } from '../../dataplane/swarm-proxy-spec.js';

/** A workload's readiness probe as its Services' proxies run it; the planner adds the backend name. */
export type ProxiedReadiness = Omit<SwarmProxyReadiness, 'backend'>;

/** The spec's bound (swarm-proxy-spec.ts): a day. */
const MAX_SECONDS = 86_400;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * An httpGet or tcpSocket readiness probe in the proxy's form, settled while planning so the
 * proxy spec is always valid: a named port becomes the number of the container's port of that
 * name, and the path is made a request path.
 * What the proxy cannot run is a problem at the field: a `host` (the proxy probes the task's
 * own address, never another host), a port name the container lacks, a header HTTP cannot
 * carry, timings over a day. Undefined when there is a problem.
 */
export function proxiedReadiness(probe: Probe, ports: readonly ContainerPort[], at: string, problems: Array<{ path: string; message: string }>): ProxiedReadiness | undefined {
  const before = problems.length;
  const handler = probe.httpGet ? 'httpGet' : 'tcpSocket';
  const action = probe.httpGet ?? probe.tcpSocket;
  if (!action) return undefined;
  if (action.host !== undefined && action.host !== '')
    problems.push({ path: `${at}.${handler}.host`, message: "berth's proxy probes each task at its own address on Swarm (remove host)" });
  const port = numericPort(action.port, ports);
  if (port === undefined) {
    const names = ports.flatMap((p) => (p.name ? [p.name] : []));
    problems.push({ path: `${at}.${handler}.port`, message: `"${action.port}" is not a port of the container (named ports: ${names.join(', ') || 'none'}; use one of them or a number)` });
  }
  const headers = probe.httpGet?.httpHeaders ?? [];
  headers.forEach((h, i) => {
    if (!TOKEN.test(h.name) || /[\r\n\0]/.test(h.value)) problems.push({ path: `${at}.httpGet.httpHeaders[${i}]`, message: 'not a header HTTP can send (a token name, a value without line breaks)' });
  });
  for (const k of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold'] as const) {
    if (probe[k] > MAX_SECONDS) problems.push({ path: `${at}.${k}`, message: `more than ${MAX_SECONDS} is not run by berth's proxy (use at most a day)` });
  }
  if (problems.length > before || port === undefined) return undefined;
  const timings = {
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    successThreshold: probe.successThreshold,
    failureThreshold: probe.failureThreshold,
  };
  if (!probe.httpGet) return { tcpSocket: { port }, ...timings };
  const h = probe.httpGet;
  return {
    httpGet: { path: requestPath(h.path), port, scheme: h.scheme ?? 'HTTP', ...(headers.length ? { headers: headers.map(({ name, value }) => ({ name, value })) } : {}) },
    ...timings,
  };
}

function numericPort(port: number | string, ports: readonly ContainerPort[]): number | undefined {
  // Validation refuses a string of digits as a port name, so a string here is a name.
  const n = typeof port === 'number' ? port : ports.find((p) => p.name === port)?.containerPort;
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** `/` when empty, a leading `/` added, and what a request line cannot hold (spaces, non-ASCII) percent-encoded. */
function requestPath(path: string | undefined): string {
  const p = !path ? '/' : path.startsWith('/') ? path : `/${path}`;
  // A lone surrogate has no UTF-8 form: it becomes U+FFFD, as a decoder would show it.
  return p.replace(/[^\x21-\x7e]/gu, (c) => (c.length === 1 && c >= '\ud800' && c <= '\udfff' ? '%EF%BF%BD' : encodeURIComponent(c)));
}
