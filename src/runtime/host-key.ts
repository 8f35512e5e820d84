import type { HashKey } from '../model/hash.js';
import { deriveHashKey } from '../model/hash.js';
import type { HostKeyStore } from './store/host-key.js';

/**
 * The keys one app's hashes are made with, derived from the host's key in the state store:
 * every berth process of the host (the daemon, `apply`, `get`, `rollout`) derives the same,
 * so they agree on pod names; another host, or someone without the store, cannot recompute
 * them (docs/security.md, "Hashes and names"). Revision ids need none: they are content ids,
 * the same for every reader, like a Git commit SHA.
 */
export interface AppHashKeys {
  /** pod-template-hash: ReplicaSet and pod names, `pod-template-hash` and spec-hash labels. */
  template: HashKey;
}

export function appHashKeys(store: HostKeyStore, app: string): AppHashKeys {
  return { template: deriveHashKey(store.hostKey(), 'pod-template-hash', app) };
}
