import { BerthError } from '../../model/errors.js';
import type { EngineFlags } from '../engine-flags.js';
import { parseDuration } from '../engine-flags.js';
import type { ScopeFlags } from './get.js';

/** `berth logs` flags as commander hands them over (kubectl's names). */
export interface LogsFlags extends EngineFlags, ScopeFlags {
  container?: string;
  follow?: boolean;
  tail?: string;
  previous?: boolean;
  timestamps?: boolean;
  since?: string;
  sinceTime?: string;
  selector?: string;
  allContainers?: boolean;
  prefix?: boolean;
  maxLogRequests?: string;
  limitBytes?: string;
  ignoreErrors?: boolean;
}

/** What `logs` reads, decided from the arguments alone (no engine). */
export interface LogsRequest {
  /** A pod or KIND/NAME, or a label selector (`-l`). */
  target: { arg: string } | { selector: string };
  container?: string;
  allContainers: boolean;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  prefix: boolean;
  ignoreErrors: boolean;
  maxRequests: number;
  tail?: number;
  limitBytes?: number;
  /** `--since`: how far back (ms), from the engine's now. */
  sinceAgo?: number;
  /** `--since-time`: ms epoch. */
  sinceTime?: number;
}

/** kubectl's `--max-log-requests` default. */
export const MAX_LOG_REQUESTS = 5;
/** kubectl shows the last 10 lines of each pod when a selector picks them and `--tail` is not given. */
export const SELECTOR_TAIL = 10;

const usage = (message: string, data: { flag?: string; value?: string; flags?: string[] } = {}) => new BerthError('USAGE', message, data);

function integer(flag: string, text: string | undefined, min: number, words: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw usage(`invalid argument "${text}" for "${flag}" flag: a whole number`, { flag, value: text });
  const n = Number(text);
  if (n < min) throw usage(`${flag} must be ${words}`, { flag, value: text });
  return n;
}

/** RFC 3339 (`2026-12-05T14:00:00Z`, with offset or fraction), as kubectl parses `--since-time`. */
export function parseRfc3339(text: string): number {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text);
  const ms = ok ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw usage(`invalid --since-time "${text}": an RFC 3339 time such as 2026-12-05T14:00:00Z`, { flag: '--since-time', value: text });
  return ms;
}

/**
 * `logs [POD | KIND/NAME] [CONTAINER]` and its flags → the request, with kubectl's checks and
 * words (kubectl also takes the container as a second argument, the old form).
 */
export function parseLogsArgs(args: readonly string[], flags: LogsFlags): LogsRequest {
  const [arg, legacyContainer] = args;
  if (args.length > 2) throw usage(`expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]': too many arguments`);
  if (flags.selector !== undefined && arg !== undefined) throw usage('only a selector (-l) or a POD name is allowed', { flag: '--selector' });
  if (flags.selector === undefined && arg === undefined) throw usage(`expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'. POD or TYPE/NAME is a required argument for the logs command`);
  if (legacyContainer !== undefined && flags.container !== undefined) throw usage(`only one of -c or an inline [CONTAINER] arg is allowed`, { flag: '--container' });
  const container = flags.container ?? legacyContainer;
  if (flags.allContainers && container !== undefined) throw usage('--container cannot be used with --all-containers', { flags: ['--container', '--all-containers'] });
  if (flags.since !== undefined && flags.sinceTime !== undefined) throw usage('at most one of `sinceTime` or `sinceSeconds` may be specified', { flags: ['--since', '--since-time'] });
  const tail = integer('--tail', flags.tail, -1, 'greater than or equal to -1');
  const limitBytes = integer('--limit-bytes', flags.limitBytes, 1, 'greater than 0');
  const maxRequests = integer('--max-log-requests', flags.maxLogRequests, 1, 'greater than 0') ?? MAX_LOG_REQUESTS;
  const sinceAgo = flags.since !== undefined ? parseDuration(flags.since) : undefined;
  const selected = flags.selector !== undefined;
  const lines = tail === undefined ? (selected ? SELECTOR_TAIL : -1) : tail;
  return {
    target: selected ? { selector: flags.selector! } : { arg: arg! },
    ...(container !== undefined ? { container } : {}),
    allContainers: flags.allContainers ?? false,
    follow: flags.follow ?? false,
    previous: flags.previous ?? false,
    timestamps: flags.timestamps ?? false,
    prefix: flags.prefix ?? false,
    ignoreErrors: flags.ignoreErrors ?? false,
    maxRequests,
    ...(lines >= 0 ? { tail: lines } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
    ...(sinceAgo !== undefined ? { sinceAgo } : {}),
    ...(flags.sinceTime !== undefined ? { sinceTime: parseRfc3339(flags.sinceTime) } : {}),
  };
}
