import type { Command } from 'commander';
import type { ValidateOptions } from '../manifests/index.js';
import { BerthError } from '../model/errors.js';
import { normalizeCapability } from '../model/pod-policy.js';
import type { EdgeSettings, HostPolicy } from '../model/policy.js';
import { DEFAULT_EDGE } from '../model/policy.js';
import { nodeSettings } from './node-flags.js';
import { capabilityProblem, hostPathPrefixProblem, probeHostProblem, sysctlPatternProblem } from '../runtime/policy-values.js';

const repeat = (v: string, acc: string[]) => [...acc, v];

/** Flags that shape validation, shared by validate, apply, diff and daemon. */
export function addValidationOptions(cmd: Command): Command {
  return addHostPolicyOptions(cmd.option('--skip-unsupported', 'warn about and skip kinds berth does not run (NetworkPolicy, HorizontalPodAutoscaler, ...) instead of failing'));
}

/** The host policy alone (docs/security.md "Host policy"); also for commands that apply stored templates (rollout). */
export function addHostPolicyOptions(cmd: Command): Command {
  return cmd
    .option('--allow-privileged', 'host policy: allow privileged containers (and any capability, Unconfined profiles)')
    .option('--allow-host-network', 'host policy: allow hostNetwork pods')
    .option('--host-path-prefix <path>', 'host policy: allow hostPath volumes under this prefix (repeatable)', repeat, [] as string[])
    .option('--allow-capability <name>', "host policy: allow adding this capability beyond Docker's default set (repeatable)", repeat, [] as string[])
    .option('--allow-sysctl <name>', "host policy: allow this sysctl beyond Kubernetes' safe set; `prefix.*` allows a group (repeatable)", repeat, [] as string[])
    .option('--allow-host-ports', 'host policy: allow containers[].ports[].hostPort')
    .option('--allow-host-namespaces', 'host policy: allow hostPID and hostIPC')
    .option('--allow-unconfined', 'host policy: allow seccomp/AppArmor Unconfined and procMount Unmasked')
    .option('--allow-probe-host <host>', 'host policy: allow probes and lifecycle handlers to name this host (repeatable)', repeat, [] as string[])
    .option('--allow-registry <host[:port]>', "host policy: allow images from this registry on berth's own host (loopback, link-local) (repeatable)", repeat, [] as string[])
    .option('--node-label <key=value>', "this host's node label, matched by DaemonSets' nodeSelector and node affinity and local PersistentVolumes' nodeAffinity (repeatable)", repeat, [] as string[])
    .option('--node-taint <key=value:Effect>', "this host's node taint, which DaemonSets must tolerate (repeatable)", repeat, [] as string[])
    .option('--edge-http-port <port>', 'the edge (Ingress, Gateway API) listens for HTTP on this host port (default 80)')
    .option('--edge-https-port <port>', 'the edge (Ingress, Gateway API) listens for HTTPS on this host port (default 443)');
}

export interface ValidationFlags {
  skipUnsupported?: boolean;
  allowPrivileged?: boolean;
  allowHostNetwork?: boolean;
  hostPathPrefix?: string[];
  allowCapability?: string[];
  allowSysctl?: string[];
  allowHostPorts?: boolean;
  allowHostNamespaces?: boolean;
  allowUnconfined?: boolean;
  allowProbeHost?: string[];
  allowRegistry?: string[];
  nodeLabel?: string[];
  nodeTaint?: string[];
  /** Commander hands over text; the daemon's config file a number. */
  edgeHttpPort?: string | number;
  edgeHttpsPort?: string | number;
}

export function validateOptionsFrom(flags: ValidationFlags): ValidateOptions {
  return {
    skipUnsupported: flags.skipUnsupported ?? false,
    hostPolicy: {
      allowPrivileged: flags.allowPrivileged ?? false,
      allowHostNetwork: flags.allowHostNetwork ?? false,
      hostPathPrefixes: checked('--host-path-prefix', flags.hostPathPrefix, hostPathPrefixProblem),
      allowedCapabilities: checked('--allow-capability', flags.allowCapability, capabilityProblem).map((c) => normalizeCapability(c)!),
      allowedSysctls: checked('--allow-sysctl', flags.allowSysctl, sysctlPatternProblem),
      allowHostPorts: flags.allowHostPorts ?? false,
      allowHostNamespaces: flags.allowHostNamespaces ?? false,
      allowUnconfined: flags.allowUnconfined ?? false,
      allowedProbeHosts: checked('--allow-probe-host', flags.allowProbeHost, probeHostProblem),
      allowedRegistries: (flags.allowRegistry ?? []).map(registryFlag),
      ...nodeSettings(flags.nodeLabel, flags.nodeTaint),
      // Absent: the defaults (model/policy.ts edgeSettings), so a policy without edge flags reads as before.
      ...(flags.edgeHttpPort !== undefined || flags.edgeHttpsPort !== undefined ? { edge: edgeFlags(flags) } : {}),
    },
  };
}

/**
 * The edge's ports. A privileged port other than 80/443 takes the same allowance as a hostPort
 * (`--allow-host-ports`): the edge would hold a port of the host a system service may expect.
 */
function edgeFlags(flags: ValidationFlags): EdgeSettings {
  const port = (flag: string, v: string | number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    const n = typeof v === 'number' ? v : /^[0-9]{1,5}$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new BerthError('USAGE', `${flag} ${JSON.stringify(String(v))}: give a port from 1 to 65535`, { flag, value: String(v) });
    if (n < 1024 && n !== 80 && n !== 443 && !flags.allowHostPorts)
      throw new BerthError('USAGE', `${flag} ${n}: a privileged port other than 80 or 443 needs --allow-host-ports`, { flag, value: String(v), hint: 'pass --allow-host-ports, or choose a port from 1024 up' });
    return n;
  };
  const httpPort = port('--edge-http-port', flags.edgeHttpPort, DEFAULT_EDGE.httpPort);
  const httpsPort = port('--edge-https-port', flags.edgeHttpsPort, DEFAULT_EDGE.httpsPort);
  if (httpPort === httpsPort) throw new BerthError('USAGE', `--edge-http-port and --edge-https-port are both ${httpPort}: the edge needs two ports`, { flag: '--edge-https-port', value: String(httpsPort) });
  return { httpPort, httpsPort };
}

/**
 * The host policy the flags give when at least one policy flag is given, else undefined: a
 * command that converges stored templates (rollout, scale) then runs under the policy the app
 * was last applied with (runtime/pass/policy.ts policyInForce). Flags replace that policy whole.
 */
export function explicitHostPolicy(flags: ValidationFlags): HostPolicy | undefined {
  const given = POLICY_FLAGS.some((k) => {
    const v = flags[k];
    return Array.isArray(v) ? v.length > 0 : v === true || typeof v === 'string' || typeof v === 'number';
  });
  return given ? validateOptionsFrom(flags).hostPolicy : undefined;
}

const POLICY_FLAGS = ['allowPrivileged', 'allowHostNetwork', 'hostPathPrefix', 'allowCapability', 'allowSysctl', 'allowHostPorts', 'allowHostNamespaces', 'allowUnconfined', 'allowProbeHost', 'allowRegistry', 'nodeLabel', 'nodeTaint', 'edgeHttpPort', 'edgeHttpsPort'] as const satisfies ReadonlyArray<keyof ValidationFlags>;

/** A value that can never match must not pass silently as a policy that allows nothing (runtime/policy-values.ts). */
function checked(flag: string, values: readonly string[] | undefined, problem: (value: string) => string | undefined): string[] {
  for (const value of values ?? []) {
    const why = problem(value);
    if (why !== undefined) throw new BerthError('USAGE', `${flag} ${JSON.stringify(value)}: ${why}`, { flag, value });
  }
  return [...(values ?? [])];
}

/**
 * A registry is matched as written in image names (`localhost:5000`, `[::1]:5000`): a URL or a
 * path would match no image and allow nothing while the operator believes it allows one.
 */
function registryFlag(registry: string): string {
  if (registry === '*' || /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/.test(registry)) return registry;
  throw new BerthError('USAGE', `--allow-registry ${registry}: give the registry as image names write it, host[:port] (e.g. localhost:5000, 127.0.0.1:5000, [::1]:5000), without a scheme or path`, { registry });
}
