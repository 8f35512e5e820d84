import { BerthError } from '../../model/errors.js';
import type { HostPolicy } from '../../model/policy.js';
import { DEFAULT_HOST_POLICY } from '../../model/policy.js';
import { storedObjectRefusal } from '../../model/pod-policy.js';
import type { InventoryEntry, Store } from '../store/index.js';

/**
 * The host policy a command that converges an app's inventory runs under: the policy flags it
 * was given, else the policy the app was last applied with (recorded by every pass), else the
 * default policy (apps applied before berth recorded it).
 */
export function policyInForce(store: Pick<Store, 'getAppliedPolicy'>, app: string, explicit?: HostPolicy): HostPolicy {
  return withRecordedEdge(store, app, explicit) ?? store.getAppliedPolicy(app) ?? DEFAULT_HOST_POLICY;
}

/**
 * The edge's ports stay where the app last put them unless given again: they are a place, not
 * an allowance, and a command run without --edge-http-port must not move every route of the app
 * to :80 (nor leave the old edge's port). Giving them (80 and 443 included) moves them.
 */
export function withRecordedEdge(store: Pick<Store, 'getAppliedPolicy'>, app: string, policy: HostPolicy | undefined): HostPolicy | undefined {
  if (!policy || policy.edge) return policy;
  const edge = store.getAppliedPolicy(app)?.edge;
  return edge ? { ...policy, edge } : policy;
}

/**
 * POLICY_DENIED when `policy` refuses an object of the inventory, one problem per line: the
 * daemon's inventory passes, whose policy may be narrower than the one the app was applied with.
 */
export function assertInventoryAllowed(app: string, inventory: readonly InventoryEntry[], policy: HostPolicy): void {
  const refused = inventory.flatMap((e) => storedObjectRefusal(e.object, policy).map((m) => `${e.key}: ${m}`));
  if (refused.length > 0)
    throw new BerthError('POLICY_DENIED', `this host's policy refuses what app ${app} last applied; nothing was changed:${problemLines(refused)}`, {
      app,
      refused,
      hint: 'apply a revision the policy allows, or run berth with the host-policy flags that allowed it (docs/security.md)',
    });
}

/** Policy problems under a one-line summary: one indented line each, never one long line. */
export function problemLines(lines: readonly string[]): string {
  return lines.map((l) => `\n  ${l}`).join('');
}
