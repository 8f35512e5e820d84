import { describe, expect, it } from 'vitest';
import type { HostPolicy } from '../../../src/model/policy.js';
import { DEFAULT_HOST_POLICY } from '../../../src/model/policy.js';
import { policyInForce } from '../../../src/runtime/pass/index.js';
import { MIGRATIONS } from '../../../src/runtime/store/index.js';
import { storeHarness } from './harness.js';

const h = storeHarness();
const wide: HostPolicy = { ...DEFAULT_HOST_POLICY, hostPathPrefixes: ['/srv/data'], allowedCapabilities: ['NET_ADMIN'], allowHostPorts: true };

describe('the host policy an app was last applied with (schema v4)', () => {
  it('is recorded per app, replaced by the next record, and deleted with the app', () => {
    const { store } = h.open();
    expect(store.getAppliedPolicy('shop')).toBeUndefined();
    store.recordAppliedPolicy('shop', wide);
    store.recordAppliedPolicy('blog', DEFAULT_HOST_POLICY);
    expect(store.getAppliedPolicy('shop')).toEqual(wide);
    store.recordAppliedPolicy('shop', DEFAULT_HOST_POLICY);
    expect(store.getAppliedPolicy('shop')).toEqual(DEFAULT_HOST_POLICY);
    store.deleteAppState('shop');
    expect(store.getAppliedPolicy('shop')).toBeUndefined();
    expect(store.getAppliedPolicy('blog')).toEqual(DEFAULT_HOST_POLICY);
    expect(store.schemaVersion).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
  });

  it('survives reopening the file (another process: the CLI after the daemon)', () => {
    const first = h.open();
    first.store.recordAppliedPolicy('shop', wide);
    const second = h.open({ dir: first.dir });
    expect(second.store.getAppliedPolicy('shop')).toEqual(wide);
  });
});

describe('policyInForce: what rollout and scale run under', () => {
  const flags: HostPolicy = { ...DEFAULT_HOST_POLICY, allowPrivileged: true };
  it.each<{ name: string; recorded?: HostPolicy; explicit?: HostPolicy; want: HostPolicy }>([
    { name: 'the recorded policy when no flags are given', recorded: wide, want: wide },
    { name: 'the flags, whole, over the recorded policy', recorded: wide, explicit: flags, want: flags },
    { name: 'the flags when nothing is recorded', explicit: flags, want: flags },
    { name: 'the default policy for an app applied before berth recorded it', want: DEFAULT_HOST_POLICY },
  ])('$name', ({ recorded, explicit, want }) => {
    const { store } = h.open();
    if (recorded) store.recordAppliedPolicy('shop', recorded);
    expect(policyInForce(store, 'shop', explicit)).toEqual(want);
  });
});
