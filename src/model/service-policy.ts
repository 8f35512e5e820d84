import type { HostPolicy } from './policy.js';

/**
 * The host policy applied to a Service spec (SPEC §8). A LoadBalancer publishes its own `port`
 * on every address of the host (as k3s's servicelb does). Ports below 1024 are where the host's
 * system services live (ssh 22, DNS 53, mail 25, NTP 123, rpcbind 111, ...), and the kernel keeps
 * them for privileged processes for that reason. The host-listener check at apply time
 * (apply/services/containers.ts) only refuses a port that is in use at that moment; a system
 * service that is stopped, restarting or starts after Docker at boot would lose its port to a
 * pod for good. So, like hostPort, a privileged port other than the web's 80 and 443 needs
 * --allow-host-ports. One function for the validator (which adds file:line) and the run time's
 * re-check of stored objects (model/pod-policy.ts storedObjectRefusal).
 */
export const OPEN_PRIVILEGED_PORTS: readonly number[] = [80, 443];
/** The first port an unprivileged process may bind (net.ipv4.ip_unprivileged_port_start). */
export const UNPRIVILEGED_PORT_START = 1024;

export interface ServicePolicyViolation {
  code: 'policy-service-port';
  /** Relative to the Service spec. */
  path: ReadonlyArray<string | number>;
  message: string;
}

export function servicePolicyViolations(spec: unknown, policy: HostPolicy): ServicePolicyViolation[] {
  const s = spec !== null && typeof spec === 'object' ? (spec as Record<string, unknown>) : undefined;
  if (!s || s.type !== 'LoadBalancer' || policy.allowHostPorts) return [];
  const out: ServicePolicyViolation[] = [];
  (Array.isArray(s.ports) ? s.ports : []).forEach((p: unknown, i) => {
    const port = p !== null && typeof p === 'object' ? (p as Record<string, unknown>).port : undefined;
    if (typeof port !== 'number' || port < 1 || port >= UNPRIVILEGED_PORT_START || OPEN_PRIVILEGED_PORTS.includes(port)) return;
    out.push({
      code: 'policy-service-port',
      path: ['ports', i, 'port'],
      message: `port ${port} of a LoadBalancer Service is published on the host's addresses, and ports below ${UNPRIVILEGED_PORT_START} other than ${OPEN_PRIVILEGED_PORTS.join(' and ')} belong to the host's system services; this host's policy refuses it: use ${OPEN_PRIVILEGED_PORTS.join(', ')} or a port from ${UNPRIVILEGED_PORT_START} up, or allow it with --allow-host-ports (host policy allowHostPorts)`,
    });
  });
  return out;
}
