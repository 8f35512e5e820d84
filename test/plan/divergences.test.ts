import { describe, expect, it } from 'vitest';
import type { AppDivergence } from '../../src/plan/divergences.js';
import { appDivergences, pauseOverrides } from '../../src/plan/divergences.js';
import type { Divergence } from '../../src/plan/rollouts/state.js';
import type { DeploymentOverride } from '../../src/model/state.js';
import { syncState } from '../../src/runtime/pass/status.js';
import { deployment } from '../support/builders.js';

const WEB = 'Deployment/default/web';
const API = 'Deployment/default/api';
const web = (o: { replicas?: number; paused?: boolean } = {}) => deployment('web', { replicas: o.replicas ?? 2, ...(o.paused ? { paused: true } : {}) });
const pinned: Divergence = { deployment: WEB, reason: 'pinned', revision: 1, message: 'pinned to revision 1 by rollout undo until the source changes' };
const override = (kind: DeploymentOverride['kind'], value: string, key = WEB): DeploymentOverride => ({ app: 'shop', deployment: key, kind, value, createdAt: 0 });

/**
 * The one list status decides its sync state on, the API shows and the live diff notes
 * (plan/divergences.ts): each row is what an operator did, what the list holds, and the sync
 * state a pass that converged without trouble records for it.
 */
describe('appDivergences and the sync state they give', () => {
  it.each<{ name: string; rollouts?: Divergence[]; manifest?: { replicas?: number; paused?: boolean }; overrides?: DeploymentOverride[]; reasons: AppDivergence['reason'][]; sync: string }>([
    { name: 'nothing done: Synced', reasons: [], sync: 'Synced' },
    { name: 'rollout undo: pinned, OutOfSync', rollouts: [pinned], reasons: ['pinned'], sync: 'OutOfSync' },
    { name: 'berth scale 3 of a manifest that says 2: scaled, OutOfSync', overrides: [override('replicas', '3')], reasons: ['scaled'], sync: 'OutOfSync' },
    { name: "berth scale to the manifest's own count: nothing diverges", overrides: [override('replicas', '2')], reasons: [], sync: 'Synced' },
    { name: 'rollout pause: paused, OutOfSync', overrides: [override('pause', 'true')], reasons: ['paused'], sync: 'OutOfSync' },
    { name: 'a pause the manifest asks for (spec.paused): the source says so, Synced', manifest: { paused: true }, overrides: [override('pause', 'true')], reasons: [], sync: 'Synced' },
    { name: 'rollout restart: a stamp outside the manifest, no divergence', overrides: [override('restart', '{"restartedAt":"2026-12-01T00:00:00.000Z","sourceHash":"h"}')], reasons: [], sync: 'Synced' },
    { name: "an override of an object the app does not have: nothing", overrides: [override('pause', 'true', API), override('replicas', '5', API)], reasons: [], sync: 'Synced' },
    { name: 'pinned, scaled and paused at once: all three listed', rollouts: [pinned], overrides: [override('replicas', '3'), override('pause', 'true')], reasons: ['paused', 'pinned', 'scaled'], sync: 'OutOfSync' },
  ])('$name', ({ rollouts, manifest, overrides, reasons, sync }) => {
    const list = appDivergences({
      rollouts: rollouts ?? [],
      resources: [web(manifest)],
      replicas: new Map((overrides ?? []).filter((o) => o.kind === 'replicas').map((o) => [o.deployment, Number(o.value)])),
      paused: pauseOverrides(overrides ?? []),
    });
    expect({ reasons: list.map((d) => d.reason), sync: syncState({ rolloutsFailed: [], divergences: list }) }).toEqual({ reasons, sync });
    expect(list.every((d) => d.deployment === WEB && d.message.length > 0)).toBe(true);
  });
});
