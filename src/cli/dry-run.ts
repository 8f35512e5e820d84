import { BerthError } from '../model/errors.js';
import { kubectlName } from './output/kube-names.js';

/** kubectl's --dry-run strategies; berth plans both against the live host, changing nothing. */
export type DryRun = 'none' | 'client' | 'server';

/**
 * `--dry-run` as kubectl spells it: bare (client, as kubectl's deprecated bare form), or
 * `--dry-run=none|client|server`. commander hands `true` for the bare flag.
 */
export function parseDryRun(value: string | boolean | undefined): DryRun {
  if (value === undefined || value === false) return 'none';
  if (value === true) return 'client';
  if (value === 'none' || value === 'client' || value === 'server') return value;
  throw new BerthError('USAGE', `invalid dry-run value (${value}). Must be "none", "server", or "client".`, { flag: '--dry-run', value });
}

/**
 * One line per object as kubectl prints it: `deployment.apps/web configured`, and in a dry run
 * `… configured (dry run)` or, for `--dry-run=server`, `… (server dry run)`, so scripts that read
 * kubectl's lines read berth's.
 */
export function changeLine(kind: string, name: string, change: string, dryRun: DryRun): string {
  const suffix = dryRun === 'server' ? ' (server dry run)' : dryRun === 'client' ? ' (dry run)' : '';
  return `${kubectlName(kind, name)} ${change}${suffix}`;
}
