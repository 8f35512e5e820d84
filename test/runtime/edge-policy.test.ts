import { describe, expect, it } from 'vitest';
import type { HostPolicy } from '../../src/model/policy.js';
import { DEFAULT_HOST_POLICY, edgeSettings } from '../../src/model/policy.js';
import { policyInForce, withRecordedEdge } from '../../src/runtime/pass/policy.js';

const recorded = (edge?: HostPolicy['edge']) => ({ getAppliedPolicy: () => (edge ? { ...DEFAULT_HOST_POLICY, edge } : DEFAULT_HOST_POLICY) });
const none = { getAppliedPolicy: () => undefined };
const ALT = { httpPort: 18080, httpsPort: 18443 };

describe('edge ports stay where the app put them unless given again', () => {
  it.each<{ name: string; store: { getAppliedPolicy(): HostPolicy | undefined }; given: HostPolicy | undefined; want: HostPolicy['edge'] | 'no policy' }>([
    { name: 'no flags, recorded ports: kept', store: recorded(ALT), given: DEFAULT_HOST_POLICY, want: ALT },
    { name: 'no flags, nothing recorded: the defaults', store: none, given: DEFAULT_HOST_POLICY, want: undefined },
    { name: 'given ports win over recorded ones', store: recorded(ALT), given: { ...DEFAULT_HOST_POLICY, edge: { httpPort: 80, httpsPort: 443 } }, want: { httpPort: 80, httpsPort: 443 } },
    { name: 'no policy at all stays none', store: recorded(ALT), given: undefined, want: 'no policy' },
  ])('$name', ({ store, given, want }) => {
    const p = withRecordedEdge(store, 'shop', given);
    expect(p === undefined ? 'no policy' : p.edge).toEqual(want);
  });

  it('policyInForce: explicit flags without ports keep the recorded ports; the default policy reads 80/443', () => {
    expect(policyInForce(recorded(ALT), 'shop', { ...DEFAULT_HOST_POLICY, allowPrivileged: true }).edge).toEqual(ALT);
    expect(edgeSettings(policyInForce(none, 'shop'))).toEqual({ httpPort: 80, httpsPort: 443 });
  });
});
