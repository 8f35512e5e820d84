import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UNKNOWN_NODE } from '../../src/model/node-scheduling.js';
import type { Resource } from '../../src/model/types.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import { openStore, type Store } from '../../src/runtime/store/index.js';
import { settleVolumeBindings, uuidFrom } from '../../src/runtime/volume-bindings.js';
import { FakeClock } from '../support/fake-clock.js';
import { deployment, observedState, res, sequence, TEST_HASH_KEY } from '../support/builders.js';

/**
 * The pass's side of binding (runtime/volume-bindings.ts): the store's records through the
 * binder, committed by a pass and never by a dry run; a trial plan's first consumers bind
 * WaitForFirstConsumer claims no template names (a StatefulSet's per-pod claims).
 */
const claim = (name: string, cls?: string): Resource =>
  res({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(cls ? { storageClassName: cls } : {}) } });
const lazy = res({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'lazy' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' });

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-volume-bindings-'));
  store = openStore({ isProcessAlive: () => true, dir, clock: new FakeClock(1000) });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function settle(resources: Resource[], options: { dryRun?: boolean; firstConsumers?: (s: unknown) => readonly string[] } = {}) {
  const desired = buildDesiredState(resources, { hashKey: TEST_HASH_KEY });
  return settleVolumeBindings({ store, random: sequence() }, 'a', desired, observedState([]), {
    dryRun: options.dryRun ?? false,
    prune: false,
    now: 5,
    node: UNKNOWN_NODE,
    ...(options.firstConsumers ? { firstConsumers: options.firstConsumers } : {}),
  });
}

describe('settleVolumeBindings', () => {
  it('a pass records the binding; the next pass finds the same volume; a dry run records nothing', async () => {
    const dry = await settle([claim('data')], { dryRun: true });
    expect(dry.claims.get('default/data')?.phase).toBe('Bound');
    expect(store.listVolumeBindings('a')).toEqual([]);
    const first = await settle([claim('data')]);
    const volume = first.claims.get('default/data')!.volume!;
    expect(volume).toMatch(/^pvc-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(store.listVolumeBindings('a')).toEqual([expect.objectContaining({ volume, claim: 'default/data', phase: 'Bound', boundAt: 5 })]);
    const again = await settle([claim('data')]);
    expect(again.claims.get('default/data')?.volume).toBe(volume);
  });

  it('WaitForFirstConsumer: a claim only a trial plan pod mounts is bound; without one it waits', async () => {
    const waiting = await settle([lazy, claim('data-db-0', 'lazy')], { firstConsumers: () => [] });
    expect(waiting.claims.get('default/data-db-0')).toMatchObject({ phase: 'Pending', waitsForConsumer: true });
    const bound = await settle([lazy, claim('data-db-0', 'lazy')], { firstConsumers: () => ['default/data-db-0'] });
    expect(bound.claims.get('default/data-db-0')?.phase).toBe('Bound');
  });

  it('a claim a template mounts is consumed without a trial plan', async () => {
    const db = deployment('db', { replicas: 1, volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] });
    expect((await settle([lazy, claim('data', 'lazy'), db])).claims.get('default/data')?.phase).toBe('Bound');
  });

  it('uuidFrom draws a version-4 UUID from the randomness it is given', () => {
    expect(uuidFrom(() => 0)).toBe('00000000-0000-4000-8000-000000000000');
    expect(uuidFrom(() => 0.999)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });
});
