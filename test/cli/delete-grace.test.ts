import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GraceFlags } from '../../src/cli/delete-grace.js';
import { deleteGrace, IMMEDIATE_DELETION_WARNING } from '../../src/cli/delete-grace.js';
import { runCli } from '../support/cli.js';

/** Issue 17: delete's --grace-period, --now and --force decide the grace period as kubectl does. */
describe('deleteGrace', () => {
  it.each<[string, GraceFlags, ReturnType<typeof deleteGrace>]>([
    ['nothing: each pod its own terminationGracePeriodSeconds', {}, {}],
    ['--grace-period=-1: the same', { gracePeriod: '-1' }, {}],
    ['--grace-period=7', { gracePeriod: '7' }, { gracePeriodSeconds: 7 }],
    ['--grace-period=0 alone is 1 (kubectl)', { gracePeriod: '0' }, { gracePeriodSeconds: 1 }],
    ['--now is 1', { now: true }, { gracePeriodSeconds: 1 }],
    ['--force alone is 0, with the warning', { force: true }, { gracePeriodSeconds: 0, warning: IMMEDIATE_DELETION_WARNING }],
    ['--force --grace-period=0 is 0, with the warning', { force: true, gracePeriod: '0' }, { gracePeriodSeconds: 0, warning: IMMEDIATE_DELETION_WARNING }],
    ['--force --grace-period=5 keeps 5', { force: true, gracePeriod: '5' }, { gracePeriodSeconds: 5 }],
    ['--force --now is 1', { force: true, now: true }, { gracePeriodSeconds: 1 }],
  ])('%s', (_name, flags, want) => {
    expect(deleteGrace(flags)).toEqual(want);
  });

  it.each<[string, GraceFlags, string]>([
    ['--now with --grace-period', { now: true, gracePeriod: '3' }, '--now and --grace-period cannot be specified together'],
    ['not a number', { gracePeriod: '3s' }, 'invalid --grace-period "3s"'],
    ['below -1', { gracePeriod: '-2' }, 'invalid --grace-period "-2"'],
  ])('%s: a usage error', (_name, flags, message) => {
    expect(() => deleteGrace(flags)).toThrow(message);
  });

  it("kubectl's warning, word for word", () => {
    expect(IMMEDIATE_DELETION_WARNING).toBe('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.');
  });
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('refused before anything opens (exit 2)', () => {
  it.each([
    ['delete --now --grace-period=3', ['delete', 'pod', 'web', '--now', '--grace-period=3'], 'error: --now and --grace-period cannot be specified together'],
    ['events -w --types=Bogus', ['events', '-w', '--types=Bogus'], 'error: valid --types are Normal or Warning: "Bogus"'],
    ['events --watch=true --for nonsense', ['events', '--watch=true', '--for', 'web'], 'error: --for must be in resource/name form'],
  ])('%s', async (_name, argv, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-gaps-'));
    dirs.push(dir);
    const r = await runCli([...argv, '--app', 'gaps', '--state-dir', dir], { env: { HOME: dir } });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(message);
  });
});
