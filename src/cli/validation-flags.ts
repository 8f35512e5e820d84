import type { Command } from 'commander';
import type { ValidateOptions } from '../manifests/index.js';
import { BerthError } from '../model/errors.js';
import { normalizeCapability } from '../model/pod-policy.js';

const repeat = (v: string, acc: string[]) => [...acc, v];

/** Flags that shape validation, shared by validate, apply, diff and daemon. */
export function addValidationOptions(cmd: Command): Command {
  return addHostPolicyOptions(cmd.option('--skip-unsupported', 'warn about and skip kinds berth does not run (Ingress, StatefulSet, ...) instead of failing'));
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
    .option('--allow-registry <host[:port]>', "host policy: allow images from this registry on berth's own host (loopback, link-local) (repeatable)", repeat, [] as string[]);
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
}

export function validateOptionsFrom(flags: ValidationFlags): ValidateOptions {
  return {
    skipUnsupported: flags.skipUnsupported ?? false,
    hostPolicy: {
      allowPrivileged: flags.allowPrivileged ?? false,
      allowHostNetwork: flags.allowHostNetwork ?? false,
      hostPathPrefixes: flags.hostPathPrefix ?? [],
      allowedCapabilities: (flags.allowCapability ?? []).map(capabilityFlag),
      allowedSysctls: flags.allowSysctl ?? [],
      allowHostPorts: flags.allowHostPorts ?? false,
      allowHostNamespaces: flags.allowHostNamespaces ?? false,
      allowUnconfined: flags.allowUnconfined ?? false,
      allowedProbeHosts: flags.allowProbeHost ?? [],
      allowedRegistries: (flags.allowRegistry ?? []).map(registryFlag),
    },
  };
}

/** A typo in a capability the operator means to allow must not pass silently as "allows nothing". */
function capabilityFlag(name: string): string {
  const n = normalizeCapability(name);
  if (n === undefined) throw new BerthError('USAGE', `--allow-capability ${name}: not a Linux capability (e.g. NET_ADMIN, SYS_TIME; a CAP_ prefix is optional)`, { capability: name });
  if (n === 'ALL') throw new BerthError('USAGE', '--allow-capability ALL: use --allow-privileged, which is what adding every capability amounts to', { capability: name });
  return n;
}

/**
 * A registry is matched as written in image names (`localhost:5000`, `[::1]:5000`): a URL or a
 * path would match no image and allow nothing while the operator believes it allows one.
 */
function registryFlag(registry: string): string {
  if (registry === '*' || /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/.test(registry)) return registry;
  throw new BerthError('USAGE', `--allow-registry ${registry}: give the registry as image names write it, host[:port] (e.g. localhost:5000, 127.0.0.1:5000, [::1]:5000), without a scheme or path`, { registry });
}
