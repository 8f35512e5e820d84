import { describe, expect, it } from 'vitest';
import type { LogsFlags } from '../../src/cli/commands/logs-flags.js';
import { parseLogsArgs, parseRfc3339 } from '../../src/cli/commands/logs-flags.js';

/** `berth logs` arguments and flags → what it reads, with kubectl's checks and defaults. */
describe('parseLogsArgs', () => {
  it.each<[string, string[], LogsFlags, Record<string, unknown>]>([
    ['a pod: all lines, 5 follow streams at most', ['web'], {}, { target: { arg: 'web' }, allContainers: false, follow: false, previous: false, prefix: false, maxRequests: 5 }],
    ['the old form: container as second argument', ['web', 'side'], {}, { target: { arg: 'web' }, container: 'side' }],
    ['-l: the last 10 lines of each container unless --tail', [], { selector: 'app=x' }, { target: { selector: 'app=x' }, tail: 10 }],
    ['-l with --tail -1: everything', [], { selector: 'app=x', tail: '-1' }, { target: { selector: 'app=x' } }],
    ['--tail N', ['web'], { tail: '3' }, { tail: 3 }],
    ['--since as a duration back from now', ['web'], { since: '1m30s' }, { sinceAgo: 90_000 }],
    ['--since-time RFC 3339', ['web'], { sinceTime: '2026-12-05T14:00:00Z' }, { sinceTime: Date.UTC(2026, 11, 5, 14) }],
    ['every flag of kubectl', ['deploy/web'], { allContainers: true, prefix: true, follow: true, previous: true, timestamps: true, ignoreErrors: true, maxLogRequests: '8', limitBytes: '100' }, { allContainers: true, prefix: true, follow: true, previous: true, timestamps: true, ignoreErrors: true, maxRequests: 8, limitBytes: 100 }],
  ])('%s', (_what, args, flags, expected) => {
    const r = parseLogsArgs(args, flags);
    expect(r).toMatchObject(expected);
    if (!('tail' in expected)) expect(r.tail).toBeUndefined();
  });

  it.each<[string, string[], LogsFlags, string]>([
    ['neither a pod nor a selector', [], {}, "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'. POD or TYPE/NAME is a required argument for the logs command"],
    ['both a pod and a selector', ['web'], { selector: 'app=x' }, 'only a selector (-l) or a POD name is allowed'],
    ['-c with --all-containers', ['web'], { container: 'a', allContainers: true }, '--container cannot be used with --all-containers'],
    ['-c and the inline container', ['web', 'a'], { container: 'b' }, 'only one of -c or an inline [CONTAINER] arg is allowed'],
    ['--since with --since-time', ['web'], { since: '1m', sinceTime: '2026-12-05T14:00:00Z' }, 'at most one of `sinceTime` or `sinceSeconds` may be specified'],
    ['--tail below -1', ['web'], { tail: '-2' }, '--tail must be greater than or equal to -1'],
    ['--tail not a number', ['web'], { tail: 'ten' }, 'invalid argument "ten" for "--tail" flag: a whole number'],
    ['--limit-bytes 0', ['web'], { limitBytes: '0' }, '--limit-bytes must be greater than 0'],
    ['--max-log-requests 0', ['web'], { maxLogRequests: '0' }, '--max-log-requests must be greater than 0'],
    ['--since-time not RFC 3339', ['web'], { sinceTime: 'yesterday' }, 'invalid --since-time "yesterday": an RFC 3339 time such as 2026-12-05T14:00:00Z'],
  ])('usage error (exit 2): %s', (_what, args, flags, message) => {
    expect(() => parseLogsArgs(args, flags)).toThrow(expect.objectContaining({ code: 'USAGE', message }));
  });
});

describe('parseRfc3339', () => {
  it.each([
    ['2026-12-05T14:00:00Z', Date.UTC(2026, 11, 5, 14)],
    ['2026-12-05T15:00:00+01:00', Date.UTC(2026, 11, 5, 14)],
    ['2026-12-05T14:00:00.250Z', Date.UTC(2026, 11, 5, 14, 0, 0, 250)],
  ])('%s', (text, ms) => expect(parseRfc3339(text)).toBe(ms));

  it.each(['2026-12-05', '2026-12-05 14:00:00Z', '2026-13-05T14:00:00Z'])('refuses %s', (text) => expect(() => parseRfc3339(text)).toThrow(/RFC 3339/));
});
