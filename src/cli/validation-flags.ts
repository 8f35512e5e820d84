import type { Command } from 'commander';
import type { ValidateOptions } from '../manifests/index.js';

/** Flags that shape validation, shared by validate, apply, diff and daemon. */
export function addValidationOptions(cmd: Command): Command {
  return cmd
    .option('--skip-unsupported', 'warn about and skip kinds berth does not run (Ingress, StatefulSet, ...) instead of failing')
    .option('--allow-privileged', 'host policy: allow privileged containers')
    .option('--allow-host-network', 'host policy: allow hostNetwork pods')
    .option('--host-path-prefix <path>', 'host policy: allow hostPath volumes under this prefix (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[]);
}

export interface ValidationFlags {
  skipUnsupported?: boolean;
  allowPrivileged?: boolean;
  allowHostNetwork?: boolean;
  hostPathPrefix?: string[];
}

export function validateOptionsFrom(flags: ValidationFlags): ValidateOptions {
  return {
    skipUnsupported: flags.skipUnsupported ?? false,
    hostPolicy: {
      allowPrivileged: flags.allowPrivileged ?? false,
      allowHostNetwork: flags.allowHostNetwork ?? false,
      hostPathPrefixes: flags.hostPathPrefix ?? [],
    },
  };
}
