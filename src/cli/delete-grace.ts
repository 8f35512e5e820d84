import { BerthError } from '../model/errors.js';

/** What kubectl prints when `--force` deletes with no grace period (to stderr). */
export const IMMEDIATE_DELETION_WARNING =
  'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.';

export interface GraceFlags {
  gracePeriod?: string;
  now?: boolean;
  force?: boolean;
}

/**
 * The grace period `delete` gives pods, as kubectl decides it: `--grace-period N` (-1 or unset: each
 * pod's terminationGracePeriodSeconds), `--now` = 1 and not with `--grace-period`, `--grace-period=0`
 * alone is 1 (kubectl guards against accidental kills), `--force` without a period is 0, and 0 with
 * `--force` is immediate, with kubectl's warning.
 */
export function deleteGrace(flags: GraceFlags): { gracePeriodSeconds?: number; warning?: string } {
  const text = flags.gracePeriod;
  if (text !== undefined && !/^-?\d+$/.test(text)) throw new BerthError('USAGE', `invalid --grace-period "${text}": a number of seconds (-1: the pods' own)`, { value: text });
  let grace = text === undefined ? -1 : Number(text);
  if (grace < -1) throw new BerthError('USAGE', `invalid --grace-period "${text}": a number of seconds (-1: the pods' own)`, { value: text! });
  if (flags.now) {
    if (grace !== -1) throw new BerthError('USAGE', '--now and --grace-period cannot be specified together', { flags: ['--now', '--grace-period'] });
    grace = 1;
  }
  if (grace === 0 && !flags.force) grace = 1;
  if (flags.force && grace < 0) grace = 0;
  if (grace < 0) return {};
  return { gracePeriodSeconds: grace, ...(grace === 0 ? { warning: IMMEDIATE_DELETION_WARNING } : {}) };
}
