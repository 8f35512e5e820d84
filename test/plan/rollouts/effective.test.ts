import { describe, expect, it } from 'vitest';
import { effectiveDesired } from '../../../src/plan/rollouts/effective.js';
import type { DeploymentRolloutState } from '../../../src/plan/rollouts/state.js';
import { RESTARTED_AT_ANNOTATION } from '../../../src/plan/rollouts/state.js';
import type { StoreChange } from '../../../src/plan/store-changes.js';
import { DEFAULT_HOST_POLICY } from '../../../src/model/policy.js';
import type { HostPolicy } from '../../../src/model/policy.js';
import { desiredOf, hashOf, imageOf, KEY, record, SRC, stateOf, web } from './fixtures.js';

const pin = (revision: number, image: string, at = SRC, caps?: string[]) => ({ app: 'shop', deployment: KEY, revision, templateHash: hashOf(image, caps ? { caps } : {}), sourceRevisionAtPin: at, pinnedAt: 0 });
const restart = (sourceHash: string) => ({ restartedAt: '2026-12-01T10:00:00.000Z', sourceHash });
const event = (type: 'Normal' | 'Warning', reason: string, message: string | RegExp): StoreChange => ({
  type: 'add-event',
  event: { type, reason, objectKey: KEY, message: typeof message === 'string' ? message : (expect.stringMatching(message) as unknown as string), sourceRevision: SRC },
});
const complete1 = record(1, 'img:1', 'complete');
const failed2 = record(2, 'img:2', 'failed');

interface Case {
  name: string;
  state: Partial<DeploymentRolloutState>;
  paused?: boolean;
  policy?: HostPolicy;
  image: string;
  restartedAt?: string;
  divergence?: { reason: 'pinned' | 'rolled-back'; revision: number };
  changes?: StoreChange[];
  /** The source changes the Deployment's manifest in this pass (plan/source-changes.ts). */
  changed?: boolean;
}

const cases: Case[] = [
  { name: 'nothing stored: the source template', state: {}, image: 'img:2' },
  { name: 'pin held under the revision it was set in', state: { rollouts: [complete1, record(2, 'img:2', 'complete')], pin: pin(1, 'img:1') }, image: 'img:1', divergence: { reason: 'pinned', revision: 1 } },
  {
    name: 'pin lifted by a source that changes the Deployment: only as a change (clear-pin, PinLifted)',
    state: { rollouts: [complete1, record(2, 'img:2', 'complete')], pin: pin(1, 'img:1', 'rev-a') },
    changed: true,
    image: 'img:2',
    changes: [{ type: 'clear-pin', deployment: KEY }, event('Normal', 'PinLifted', 'source revision rev-b replaces the pin to revision 1')],
  },
  {
    name: 'pin held under a new source revision that leaves the Deployment as it was (apply -f of another file, a commit to another file)',
    state: { rollouts: [complete1, record(2, 'img:2', 'complete')], pin: pin(1, 'img:1', 'rev-a') },
    image: 'img:1',
    divergence: { reason: 'pinned', revision: 1 },
  },
  {
    name: "pin refused by today's policy: lifted (clear-pin, PinRefused)",
    state: { rollouts: [record(1, 'img:1', 'complete', { caps: ['NET_ADMIN'] }), record(2, 'img:2', 'complete')], pin: pin(1, 'img:1', SRC, ['NET_ADMIN']) },
    policy: DEFAULT_HOST_POLICY,
    image: 'img:2',
    changes: [{ type: 'clear-pin', deployment: KEY }, event('Warning', 'PinRefused', /^the pin to revision 1 is lifted: this host's policy refuses its template \(.*NET_ADMIN/)],
  },
  {
    name: 'the same pin with no policy given (a view): held',
    state: { rollouts: [record(1, 'img:1', 'complete', { caps: ['NET_ADMIN'] }), record(2, 'img:2', 'complete')], pin: pin(1, 'img:1', SRC, ['NET_ADMIN']) },
    image: 'img:1',
    divergence: { reason: 'pinned', revision: 1 },
  },
  { name: 'restart on the source template', state: { restart: restart(hashOf('img:2')) }, image: 'img:2', restartedAt: '2026-12-01T10:00:00.000Z' },
  {
    name: 'restart on a pinned template (requested against the source template)',
    state: { rollouts: [complete1, record(2, 'img:2', 'complete')], pin: pin(1, 'img:1'), restart: restart(hashOf('img:2')) },
    image: 'img:1',
    restartedAt: '2026-12-01T10:00:00.000Z',
    divergence: { reason: 'pinned', revision: 1 },
  },
  { name: 'restart superseded by a new source template: cleared', state: { restart: restart(hashOf('img:1')) }, image: 'img:2', changes: [{ type: 'clear-override', deployment: KEY, kind: 'restart' }] },
  { name: 'paused', state: { paused: true }, image: 'img:2', paused: true },
  { name: 'pinned and paused', state: { rollouts: [complete1, record(2, 'img:2', 'complete')], pin: pin(1, 'img:1'), paused: true }, image: 'img:1', paused: true, divergence: { reason: 'pinned', revision: 1 } },
  { name: 'failed template → the last complete revision', state: { rollouts: [complete1, failed2], failedTemplates: new Set([hashOf('img:2')]) }, image: 'img:1', divergence: { reason: 'rolled-back', revision: 1 } },
  {
    name: 'failed template → the rollback under way (renumbered, progressing), not an older complete one',
    state: { rollouts: [record(1, 'img:0', 'complete'), failed2, record(3, 'img:1', 'progressing', { revisionHistory: [1] })], failedTemplates: new Set([hashOf('img:2')]) },
    image: 'img:1',
    divergence: { reason: 'rolled-back', revision: 3 },
  },
  { name: 'failed template with nowhere to go back to: the source template', state: { rollouts: [record(1, 'img:2', 'failed')], failedTemplates: new Set([hashOf('img:2')]) }, image: 'img:2' },
  {
    name: "failed template: a newer good revision today's policy refuses is passed over",
    state: { rollouts: [record(1, 'img:0', 'complete'), record(2, 'img:1', 'complete', { caps: ['NET_ADMIN'] }), record(3, 'img:2', 'failed')], failedTemplates: new Set([hashOf('img:2')]) },
    policy: DEFAULT_HOST_POLICY,
    image: 'img:0',
    divergence: { reason: 'rolled-back', revision: 1 },
  },
  {
    name: 'failed and restart stamps under the legacy record hash still count (stores from before issue 11)',
    state: { rollouts: [complete1, { ...failed2, templateHash: web(desiredOf('img:2')).template.legacyRecordHash }], failedTemplates: new Set([web(desiredOf('img:2')).template.legacyRecordHash]) },
    image: 'img:1',
    divergence: { reason: 'rolled-back', revision: 1 },
  },
  { name: 'restart stamped under the legacy record hash holds', state: { restart: restart(web(desiredOf('img:2')).template.legacyRecordHash) }, image: 'img:2', restartedAt: '2026-12-01T10:00:00.000Z' },
];

describe('effectiveDesired: the template each Deployment runs', () => {
  it.each(cases)('$name', (c) => {
    const base = desiredOf('img:2');
    const out = effectiveDesired(base, stateOf(c.state), { sourceRevision: SRC, changed: new Set(c.changed ? [KEY] : []), ...(c.policy ? { policy: c.policy } : {}) });
    const w = web(out.desired);
    expect({
      image: imageOf(out.desired),
      restartedAt: w.podTemplate.metadata.annotations?.[RESTARTED_AT_ANNOTATION],
      paused: w.paused,
      divergences: out.divergences.map((d) => ({ reason: d.reason, revision: d.revision })),
      changes: out.changes,
    }).toEqual({
      image: c.image,
      restartedAt: c.restartedAt,
      paused: c.paused ?? false,
      divergences: c.divergence ? [c.divergence] : [],
      changes: c.changes ?? [],
    });
    // The template the Deployment runs is hashed as the pass hashes it: a different one names another ReplicaSet.
    if (c.image === 'img:2' && !c.restartedAt) expect(w.template.hash).toBe(web(base).template.hash);
    else expect(w.template.hash).not.toBe(web(base).template.hash);
  });

  it('leaves a desired state without Deployments as it is', () => {
    const base = { ...desiredOf('img:2'), workloads: [] };
    expect(effectiveDesired(base, stateOf({ paused: true }), { sourceRevision: SRC })).toEqual({ desired: base, divergences: [], changes: [] });
  });
});
