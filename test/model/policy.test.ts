import { describe, expect, it } from 'vitest';
import { hostPathAllowed } from '../../src/model/policy.js';

describe('hostPathAllowed', () => {
  const policy = { allowPrivileged: false, allowHostNetwork: false, hostPathPrefixes: ['/srv', '/var/data/'] };
  it.each([
    ['/srv', true],
    ['/srv/app', true],
    ['/srv2', false],
    ['/var/data/x', true],
    ['/var/database', false],
    ['/srv/../etc', false],
    ['/etc', false],
  ])('%s → %s', (path, want) => {
    expect(hostPathAllowed(policy, path)).toBe(want);
  });
  it('refuses everything with no prefixes', () => {
    expect(hostPathAllowed({ ...policy, hostPathPrefixes: [] }, '/srv')).toBe(false);
  });
});
