import type { DnsConfig, ProxyConfig } from '../dataplane/protocol.js';

/**
 * What realises Services on the host (docs/services.md): per Service a proxy container (its
 * address is the ClusterIP, NodePort/LoadBalancer ports are published to it), per namespace a
 * DNS container, and the endpoint and DNS configurations they run. Like PodPlan, nothing here
 * is Docker-specific beyond "a container that runs the data-plane program".
 */
export interface ProxyPlan {
  /** Service resource key, `Service/ns/name`. */
  key: string;
  namespace: string;
  name: string;
  /** Hash of what cannot change without recreating the proxy (its published ports). */
  specHash: string;
  /** Host ports published to the proxy (NodePort, and LoadBalancer's own port). */
  publish: PublishedPort[];
  /** Service port name → node port (NodePort and LoadBalancer). */
  nodePorts: Record<string, number>;
  /**
   * Published TCP ports get the host fast path too: a container in the host's network
   * namespace that forwards them straight to the endpoints with kernel rules.
   */
  hostRules: boolean;
  /** Namespace networks to join, with the DNS names the proxy answers to on each. */
  networks: NetworkAttachment[];
  config: ProxyConfig;
}

export interface PublishedPort {
  protocol: 'TCP' | 'UDP';
  hostPort: number;
  /** The service port the proxy listens on. */
  port: number;
  /** Host address to bind ('' = all). */
  hostIp: string;
}

export interface NetworkAttachment {
  namespace: string;
  aliases: string[];
}

export interface DnsPlan {
  /** `Namespace//ns` */
  key: string;
  namespace: string;
  specHash: string;
  config: DnsConfig;
}

export type ServiceAction =
  | { type: 'create-proxy'; key: string; proxy: ProxyPlan; reason: string }
  | { type: 'delete-proxy'; key: string; namespace: string; name: string; containerId: string; reason: string }
  | { type: 'create-host-rules'; key: string; proxy: ProxyPlan; reason: string }
  | { type: 'delete-host-rules'; key: string; namespace: string; name: string; containerId: string; reason: string }
  | { type: 'connect-proxy'; key: string; namespace: string; name: string; containerId: string; network: NetworkAttachment }
  | { type: 'disconnect-proxy'; key: string; namespace: string; name: string; containerId: string; network: string }
  /** New endpoint set (or ports, affinity) for a running proxy; `after` is the generation it has. */
  | { type: 'write-endpoints'; key: string; namespace: string; name: string; containerId: string; config: ProxyConfig; after: number; host?: boolean; reason: string }
  | { type: 'create-dns'; key: string; dns: DnsPlan; reason: string }
  | { type: 'delete-dns'; key: string; namespace: string; containerId: string; reason: string }
  | { type: 'write-dns'; key: string; namespace: string; containerId: string; config: DnsConfig; after: number; reason: string };

/**
 * Where service actions run among the others (actions.ts): proxies and DNS after their
 * networks (0) and before pods are created (2), since new pods point their resolver at the DNS
 * container; endpoint writes before pods are deleted (1), so a pod leaves the rotation before
 * it is stopped; removals before networks go (3), which they are attached to.
 */
export const SERVICE_ACTION_PHASE: Record<ServiceAction['type'], number> = {
  'create-dns': 0.5,
  'create-proxy': 0.5,
  'create-host-rules': 0.5,
  'connect-proxy': 0.5,
  'write-endpoints': 0.7,
  'write-dns': 0.7,
  'disconnect-proxy': 2.5,
  'delete-proxy': 2.5,
  'delete-host-rules': 2.5,
  'delete-dns': 2.5,
};
