/**
 * Shapes of the data-plane configuration payloads and status files (see protocol.ts for the
 * envelope and docs/dataplane.md for the meaning of every field).
 */

export type L4Protocol = 'TCP' | 'UDP';

// ---------------------------------------------------------------- service proxy

export interface ProxyConfig {
  service: { namespace: string; name: string };
  /** One listener per entry; (protocol, port) pairs and names are unique. */
  ports: ProxyPort[];
  endpoints: ProxyEndpoint[];
  sessionAffinity: SessionAffinity;
  /**
   * Host ports published for the service ports (NodePort, LoadBalancer), by service port name.
   * The proxy itself ignores them (Docker publishes them to it); the host fast path (proxy.js
   * --host-rules) forwards exactly these. Absent for ClusterIP Services.
   */
  published?: PublishedPort[];
}

export interface PublishedPort {
  /** The service port's name. */
  name: string;
  protocol: L4Protocol;
  hostPort: number;
  /**
   * The host address Docker publishes it on (the Service's loadBalancerIP). Absent: every
   * address of the host. The fast path forwards only this address, never the host's others.
   */
  hostIp?: string;
}

export interface ProxyPort {
  /** The service port's name ('' allowed when the service has a single port). */
  name: string;
  protocol: L4Protocol;
  /** Port the proxy listens on inside its container (the service port). */
  port: number;
  /**
   * Default target port on every endpoint. Omitted when targetPort is a name: then each
   * endpoint says its own number in `ports`, and endpoints that do not are skipped for this port.
   */
  targetPort?: number;
}

export interface ProxyEndpoint {
  /** Stable identity (pod name); defaults to `ip`. Used in status and for session affinity. */
  name?: string;
  ip: string;
  /** Only ready endpoints receive new connections. */
  ready: boolean;
  /** Port name → this endpoint's target port, when a named targetPort resolves differently per pod. */
  ports?: Record<string, number>;
}

export type SessionAffinity = { type: 'None' } | { type: 'ClientIP'; timeoutSeconds: number };

// ---------------------------------------------------------------- DNS

export interface DnsConfig {
  /** Cluster domain, normally `cluster.local`. Names under it not listed here get NXDOMAIN. */
  domain: string;
  /** TTL of the answers this server makes up. */
  ttlSeconds: number;
  /** Overrides the program's --upstream: `ip`, `ip:port` or `[ipv6]:port`. */
  upstreams?: string[];
  services: DnsService[];
}

/**
 * How a service is answered. NodePort and LoadBalancer services are `ClusterIP` here: DNS
 * only cares whether the name points at the proxy, at the pods, or elsewhere.
 */
export type DnsServiceType = 'ClusterIP' | 'Headless' | 'ExternalName';

export interface DnsService {
  namespace: string;
  name: string;
  type: DnsServiceType;
  /**
   * ClusterIP: the proxy's addresses. When omitted the name is forwarded upstream (Docker's
   * embedded DNS answers it from the proxy container's network aliases).
   */
  clusterIPs?: string[];
  /** ExternalName: the CNAME target. */
  externalName?: string;
  /** Service ports; named ones get SRV records `_<name>._<proto>.<svc>.<ns>.svc.<domain>`. */
  ports: DnsPort[];
  /** Headless: the pods. Ready ones are answered; not-ready ones are left out. */
  endpoints: DnsEndpoint[];
}

export interface DnsPort {
  name: string;
  protocol: L4Protocol;
  port: number;
  /** Headless SRV records point at the endpoint's port: `endpoint.ports[name] ?? targetPort ?? port`. */
  targetPort?: number;
}

export interface DnsEndpoint {
  ip: string;
  ready: boolean;
  /** Pod hostname: answers `<hostname>.<svc>.<ns>.svc.<domain>`; otherwise the dashed IP is used. */
  hostname?: string;
  ports?: Record<string, number>;
}

// ---------------------------------------------------------------- status.json

export interface StatusError {
  /** Stable code: a DecodeErrorCode, STALE_GENERATION, LISTEN_FAILED, ... */
  code: string;
  message: string;
  file?: string;
  generation?: number;
  at: string;
}

export interface ListenerStatus {
  name: string;
  protocol: L4Protocol;
  port: number;
  state: 'listening' | 'failed';
  error?: string;
}

interface StatusBase {
  format: 'berth.dataplane/v1';
  /** Last applied generation; 0 before the first config arrives. */
  generation: number;
  checksum: string | null;
  appliedAt: string | null;
  startedAt: string;
  updatedAt: string;
  pid: number;
  listening: ListenerStatus[];
  /** Current problems: config files that do not verify, listeners that failed, ... */
  errors: StatusError[];
}

export interface EndpointStatus {
  name: string;
  ip: string;
  ready: boolean;
  /**
   * serving: receives new connections; not-ready: listed but ready=false; draining: removed
   * from the config but still carrying connections (berth may stop the pod at active=0);
   * unreachable: recent connect attempts failed (still tried, after the others).
   */
  state: 'serving' | 'not-ready' | 'draining' | 'unreachable';
  /** Open connections (TCP) or flows (UDP). */
  active: number;
  total: number;
  failures: number;
  lastError?: string;
}

export interface ProxyStatus extends StatusBase {
  kind: 'proxy';
  service: { namespace: string; name: string } | null;
  endpoints: EndpointStatus[];
  /**
   * How TCP connections are forwarded: `kernel` (DNAT rules in the program's network namespace;
   * `active` then includes open conntrack flows) or `userspace` (the program relays them; with
   * `error` saying why the kernel path is unavailable). UDP is always relayed in userspace.
   * Absent in status files of programs that predate kernel forwarding.
   */
  forwarding?: { tcp: 'kernel' | 'userspace'; error?: string };
  /**
   * Host fast path with the conntrack tool: when it last read the host's conntrack table, after
   * deleting the closed flows of departed endpoints. A status newer than a moment says what the
   * table held after it (berth waits for one before removing a pod's sandbox, issue 13 #4).
   */
  flowsAt?: string;
}

export interface DnsStatus extends StatusBase {
  kind: 'dns';
  records: { services: number; names: number };
  queries: { answered: number; forwarded: number; nxdomain: number; failed: number };
}

// ---------------------------------------------------------------- edge (fragments: edge-types.ts)

export type EdgeStatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

export interface EdgeAppStatus {
  generation: number;
  checksum: string | null;
  appliedAt: string | null;
  errors: StatusError[];
  /** Hosts this app holds (`*.x` for wildcards; `*` for the catch-all). */
  hosts: string[];
  /** Hosts this app asked for that another app holds. */
  conflicts: Array<{ host: string; heldBy: string }>;
}

export interface EdgeRouteStatus {
  app: string;
  id: string;
  requests: number;
  responses: Record<EdgeStatusClass, number>;
  /** Milliseconds; `counts` has one more entry than `bounds` (the last counts above the last bound). */
  latency: { bounds: number[]; counts: number[]; sum: number };
}

export interface EdgeStatus extends StatusBase {
  kind: 'edge';
  /** generation/checksum/appliedAt: of the app with the highest generation (keeps decodeStatus generic); writers read `apps[app]`. */
  apps: Record<string, EdgeAppStatus>;
  /** `active` = requests in flight + open tunnels. */
  endpoints: Array<EndpointStatus & { app: string; backend: string }>;
  routes: EdgeRouteStatus[];
  certificates: Array<{ id: string; state: 'loaded' | 'invalid' | 'missing'; hosts: string[]; notAfter?: string; error?: string }>;
}

export type DataplaneStatus = ProxyStatus | DnsStatus | EdgeStatus;
