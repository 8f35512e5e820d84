import { describe, expect, it } from 'vitest';
import { PRUNE_NEEDS_SCOPE, pruneFromFlags } from '../../src/cli/prune-flags.js';
import type { PruneFlags } from '../../src/cli/prune-flags.js';
import { BerthError, exitCodeFor } from '../../src/model/errors.js';
import { parseSelector } from '../../src/model/selectors.js';
import { runCli } from '../support/cli.js';

describe('pruneFromFlags: --prune must say what it may delete (kubectl’s rule)', () => {
  it.each<[string, PruneFlags, ReturnType<typeof pruneFromFlags>]>([
    ['no prune: additive', {}, { prune: false }],
    ['-l without prune: filters what is applied', { selector: 'app=x' }, { prune: false, scope: { selector: parseSelector('app=x') } }],
    ['--prune --all: the whole app', { prune: true, all: true }, { prune: true }],
    ['--prune -l', { prune: true, selector: 'app=x' }, { prune: true, scope: { selector: parseSelector('app=x') } }],
    ['--prune --prune-allowlist core/v1/ConfigMap', { prune: true, pruneAllowlist: ['core/v1/ConfigMap'] }, { prune: true, scope: { kinds: ['ConfigMap'] } }],
    ['--prune --all --prune-allowlist apps/v1/Deployment', { prune: true, all: true, pruneAllowlist: ['apps/v1/Deployment'] }, { prune: true, scope: { kinds: ['Deployment'] } }],
  ])('%s', (_name, flags, want) => {
    expect(pruneFromFlags(flags)).toEqual(want);
  });

  it.each<[string, PruneFlags, string]>([
    ['--prune alone', { prune: true }, PRUNE_NEEDS_SCOPE],
    ['--all with -l', { prune: true, all: true, selector: 'a=b' }, 'cannot set --all and --selector at the same time'],
    ['--prune-allowlist without --prune', { pruneAllowlist: ['core/v1/ConfigMap'] }, '--prune-allowlist must be used with --prune'],
    ['--all without --prune', { all: true }, '--all must be used with --prune'],
    ['an allowlist entry not group/version/Kind', { prune: true, pruneAllowlist: ['ConfigMap'] }, 'invalid --prune-allowlist "ConfigMap"'],
    ['an allowlist entry of a wrong version', { prune: true, pruneAllowlist: ['apps/v2/Deployment'] }, 'invalid --prune-allowlist "apps/v2/Deployment"'],
    ['a bad selector', { prune: true, selector: 'a in (' }, 'invalid label selector'],
  ])('%s: usage error', (_name, flags, message) => {
    let err: unknown;
    try {
      pruneFromFlags(flags);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BerthError);
    expect((err as BerthError).message).toContain(message);
    expect(exitCodeFor(err)).toBe(2);
  });

  it('apply -f FILE --prune exits 2 before reading anything, with kubectl’s words and berth’s choices', async () => {
    const r = await runCli(['apply', '-f', '/nonexistent/one.yaml', '--prune', '--state-dir', '/nonexistent/state']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${PRUNE_NEEDS_SCOPE}`);
    expect(r.stderr).toContain('hint: apply -f is additive and never deletes; --prune --all');
  });

  it('apply --help says apply is additive and what --prune needs', async () => {
    const r = await runCli(['apply', '--help']);
    expect(r.stdout).toMatch(/additive/);
    expect(r.stdout).toContain('needs --all');
    expect(r.stdout).toContain('--prune-allowlist');
  });
});
