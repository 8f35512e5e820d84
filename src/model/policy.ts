import type { Taint } from './types/scheduling.js';

/**
 * What the host owner allows manifests to do (SPEC §8). Anything not allowed is refused at
 * validation time with file:line, so a forbidden manifest applies nothing; stored templates
 * (rollback, undo, the inventory) and the prober check the same policy again at run time
 * (src/model/pod-policy.ts), since they can predate it.
 *
 * Fields added after the first three are optional so that policies written as literals
 * elsewhere keep compiling; absent means "nothing allowed".
 */
export interface HostPolicy {
  allowPrivileged: boolean;
  allowHostNetwork: boolean;
  /** Absolute path prefixes hostPath volumes may use; empty = hostPath refused. */
  hostPathPrefixes: readonly string[];
  /** Capabilities beyond Docker's default set that containers may add (normalised: `SYS_ADMIN`). */
  allowedCapabilities?: readonly string[];
  /** Sysctls beyond Kubernetes' safe set: names, or prefixes ending in `*` (`net.core.*`). */
  allowedSysctls?: readonly string[];
  /** containers[].ports[].hostPort (binds a port of the host). */
  allowHostPorts?: boolean;
  /** hostPID and hostIPC. */
  allowHostNamespaces?: boolean;
  /** seccomp/AppArmor profile Unconfined, procMount Unmasked. */
  allowUnconfined?: boolean;
  /** Hosts a probe or lifecycle handler may name in httpGet.host/tcpSocket.host; otherwise only the pod itself. */
  allowedProbeHosts?: readonly string[];
  /**
   * Registries on berth's own host (loopback, link-local, unspecified addresses) images may be
   * pulled from, as `host[:port]`; other registries need no allowance (src/model/image-ref.ts).
   */
  allowedRegistries?: readonly string[];
  /**
   * Labels of this host as a node, beside the kubelet's own (model/node-scheduling.ts):
   * DaemonSets' nodeSelector and node affinity match against them (`--node-label k=v`).
   */
  nodeLabels?: Readonly<Record<string, string>>;
  /** Taints of this host as a node (`--node-taint key=value:Effect`); none by default. */
  nodeTaints?: readonly Taint[];
  /** The edge's listeners for Ingress and Gateway API routes (`--edge-http-port/--edge-https-port`); absent: 80/443. */
  edge?: EdgeSettings;
}

/** Where the host's one edge listens (docs/ingress.md); the edge container is named after its ports. */
export interface EdgeSettings {
  httpPort: number;
  httpsPort: number;
  /** Address to bind; absent: all (IPv4 and IPv6). */
  address?: string;
}

export const DEFAULT_EDGE: EdgeSettings = Object.freeze({ httpPort: 80, httpsPort: 443 });

/** The edge settings a policy gives (policies recorded before the edge existed: the defaults). */
export function edgeSettings(policy: HostPolicy | undefined): EdgeSettings {
  return policy?.edge ?? DEFAULT_EDGE;
}

export const DEFAULT_HOST_POLICY: HostPolicy = Object.freeze({
  allowPrivileged: false,
  allowHostNetwork: false,
  hostPathPrefixes: Object.freeze([]) as readonly string[],
});

/** True when `path` is one of the prefixes or below one (component-wise, so /srv2 is not under /srv). */
export function hostPathAllowed(policy: HostPolicy, path: string): boolean {
  const norm = path.replace(/\/+$/, '') || '/';
  if (norm.split('/').includes('..')) return false;
  return policy.hostPathPrefixes.some((prefix) => {
    const p = prefix.replace(/\/+$/, '') || '/';
    return p === '/' || norm === p || norm.startsWith(`${p}/`);
  });
}
