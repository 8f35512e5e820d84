/**
 * The parts of Docker's Swarm API (Engine API v1.41+, `ServiceSpec`, `Task`, `Node`) berth writes
 * and reads, declared here in the API's own spelling so plan/ stays free of dockerode and the
 * executor hands these objects to Docker unchanged.
 */

/** Swarm's durations are nanoseconds. */
export const NS = 1_000_000_000;

export interface SwarmMount {
  Type: 'volume' | 'tmpfs' | 'bind';
  Target: string;
  Source?: string;
  ReadOnly?: boolean;
  VolumeOptions?: { Labels?: Record<string, string>; NoCopy?: boolean };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** A Swarm config or secret mounted as a file: `Target` below the container's root. */
export interface SwarmFileRef {
  File: { Name: string; UID: string; GID: string; Mode: number };
  /** Filled by the executor: the config/secret's ID, found by name. */
  ConfigID?: string;
  SecretID?: string;
  ConfigName?: string;
  SecretName?: string;
}

export interface SwarmHealthcheck {
  Test: string[];
  /** Nanoseconds, as the API has them. */
  Interval: number;
  Timeout: number;
  StartPeriod: number;
  Retries: number;
}

export interface SwarmContainerSpec {
  Image: string;
  Labels: Record<string, string>;
  Command?: string[];
  Args?: string[];
  Hostname?: string;
  Env?: string[];
  Dir?: string;
  User?: string;
  Groups?: string[];
  TTY?: boolean;
  OpenStdin?: boolean;
  ReadOnly?: boolean;
  Mounts?: SwarmMount[];
  StopGracePeriod?: number;
  Healthcheck?: SwarmHealthcheck;
  Hosts?: string[];
  Configs?: SwarmFileRef[];
  Secrets?: SwarmFileRef[];
  CapabilityAdd?: string[];
  CapabilityDrop?: string[];
  Sysctls?: Record<string, string>;
  Init?: boolean;
}

export interface SwarmResources {
  NanoCPUs?: number;
  MemoryBytes?: number;
}

export interface SwarmTaskTemplate {
  ContainerSpec: SwarmContainerSpec;
  Resources?: { Limits?: SwarmResources; Reservations?: SwarmResources };
  RestartPolicy: { Condition: 'none' | 'on-failure' | 'any'; Delay?: number; MaxAttempts?: number; Window?: number };
  Placement?: { Constraints?: string[]; MaxReplicas?: number; Preferences?: Array<{ Spread: { SpreadDescriptor: string } }> };
  Networks: Array<{ Target: string; Aliases?: string[] }>;
  ForceUpdate?: number;
}

export interface SwarmUpdateConfig {
  Parallelism: number;
  /** Nanoseconds between batches. */
  Delay: number;
  FailureAction: 'pause' | 'continue' | 'rollback';
  /** Nanoseconds a new task is watched for failure before the next batch. */
  Monitor: number;
  MaxFailureRatio: number;
  Order: 'stop-first' | 'start-first';
}

export type SwarmMode =
  | { Replicated: { Replicas: number } }
  | { Global: Record<string, never> }
  | { ReplicatedJob: { MaxConcurrent: number; TotalCompletions: number } };

export interface SwarmPortConfig {
  Name?: string;
  Protocol: 'tcp' | 'udp';
  TargetPort: number;
  PublishedPort: number;
  /** Always `host`: the ingress routing mesh needs IPVS, which berth does not assume (docs/swarm.md). */
  PublishMode: 'host';
}

export interface SwarmServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: SwarmTaskTemplate;
  Mode: SwarmMode;
  UpdateConfig?: SwarmUpdateConfig;
  RollbackConfig?: SwarmUpdateConfig;
  EndpointSpec: { Mode: 'dnsrr'; Ports?: SwarmPortConfig[] };
}

/** A Swarm config or secret berth makes: immutable, so its name carries its content's hash. */
export interface SwarmFileObject {
  type: 'config' | 'secret';
  /** `<prefix>-<hash>`: a new name for new content; services move to it by an update. */
  name: string;
  labels: Record<string, string>;
  /** base64 */
  data: string;
}

export interface SwarmNetworkSpec {
  name: string;
  labels: Record<string, string>;
}
