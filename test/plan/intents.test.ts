import { describe, expect, it } from 'vitest';
import type { Intent, IntentSpec } from '../../src/model/intent.js';
import type { HostPolicy } from '../../src/model/policy.js';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';
import type { DeploymentOverride, RolloutRecord } from '../../src/model/state.js';
import type { IntentPlanState } from '../../src/plan/intents.js';
import { planIntent, planIntents } from '../../src/plan/intents.js';

const D = 'Deployment/shop/web';
const RS = 'ReplicaSet/shop/cache';
const CM = 'ConfigMap/shop/cfg';
const AT = Date.UTC(2026, 0, 2, 3, 4, 5);

const template = (image: string, extra: Record<string, unknown> = {}) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, ...extra }] } });

function rec(revision: number, outcome: RolloutRecord['outcome'], extra: Partial<RolloutRecord> = {}): RolloutRecord {
  return { app: 'shop', deployment: D, revision, templateHash: `h${revision}`, template: template(`web:${revision}`), sourceRevision: `src${revision}`, startedAt: revision, outcome, revisionHistory: [], ...extra };
}

function state(over: Partial<IntentPlanState> = {}): IntentPlanState {
  return {
    app: 'shop',
    inventory: [
      { key: D, kind: 'Deployment', object: { kind: 'Deployment', spec: { replicas: 2 } } },
      { key: RS, kind: 'ReplicaSet', object: { kind: 'ReplicaSet', spec: { replicas: 1 } } },
      { key: CM, kind: 'ConfigMap', object: { kind: 'ConfigMap', data: {} } },
    ],
    sourceTemplateHashes: new Map([[D, 'hsrc']]),
    rollouts: new Map([[D, [rec(1, 'complete'), rec(2, 'complete'), rec(3, 'complete')]]]),
    failedTemplates: new Map(),
    overrides: [],
    sourceRevision: 'applied',
    ...over,
  };
}

const intent = (spec: IntentSpec, id = 1): Intent => ({ id, app: 'shop', spec, state: 'pending', createdAt: AT });
const override = (kind: DeploymentOverride['kind'], value: string, deployment = D): DeploymentOverride => ({ app: 'shop', deployment, kind, value, createdAt: 0 });
const pin = (revision: number, sourceRevisionAtPin = 'applied') => ({ type: 'set-pin', deployment: D, pin: { revision, templateHash: `h${revision}`, sourceRevisionAtPin } });

describe('planIntent: undo', () => {
  it.each<{ name: string; spec: IntentSpec; s?: Partial<IntentPlanState>; pinned?: number; sourceRevision?: string; error?: { code: string; message: string | RegExp } }>([
    { name: 'default: the newest earlier revision', spec: { type: 'undo', deployment: D }, pinned: 2 },
    { name: '--to-revision', spec: { type: 'undo', deployment: D, toRevision: 1 }, pinned: 1 },
    {
      name: 'default skips a failed and a rolled-back revision and a failed template',
      spec: { type: 'undo', deployment: D },
      s: { rollouts: new Map([[D, [rec(1, 'complete'), rec(2, 'complete'), rec(3, 'failed'), rec(4, 'rolled-back'), rec(5, 'complete')]]]), failedTemplates: new Map([[D, new Set(['h2'])]]) },
      pinned: 1,
    },
    {
      name: '--to-revision of a failed revision is refused',
      spec: { type: 'undo', deployment: D, toRevision: 2 },
      s: { rollouts: new Map([[D, [rec(1, 'complete'), rec(2, 'failed', { message: 'no progress' }), rec(3, 'complete')]]]) },
      error: { code: 'USAGE', message: 'revision 2 of deployment.apps/web failed its rollout (no progress); undoing to it would fail again' },
    },
    { name: 'unknown revision', spec: { type: 'undo', deployment: D, toRevision: 9 }, error: { code: 'NOT_FOUND', message: 'unable to find the specified revision 9' } },
    { name: 'no history', spec: { type: 'undo', deployment: D }, s: { rollouts: new Map() }, error: { code: 'NOT_FOUND', message: 'deployment.apps/web has no rollout history' } },
    {
      name: 'nothing earlier that did not fail',
      spec: { type: 'undo', deployment: D },
      s: { rollouts: new Map([[D, [rec(1, 'failed'), rec(2, 'complete')]]]) },
      error: { code: 'NOT_FOUND', message: 'no rollout history found for deployment.apps/web before revision 2 that did not fail' },
    },
    {
      name: 'pinned against the revision the passes compare with, else the current record’s',
      spec: { type: 'undo', deployment: D },
      s: { sourceRevision: undefined },
      pinned: 2,
      sourceRevision: 'src3',
    },
    {
      name: 'a target the policy refuses',
      spec: { type: 'undo', deployment: D },
      s: { rollouts: new Map([[D, [rec(1, 'complete'), rec(2, 'complete', { template: template('web:2', { ports: [{ containerPort: 80, hostPort: 8080 }] }) }), rec(3, 'complete')]]]), policy: DEFAULT_HOST_POLICY },
      error: { code: 'POLICY_DENIED', message: /^cannot undo deployment\.apps\/web to revision 2: this host's policy refuses its pod template; nothing was changed:\n {2}spec\.template\.spec\.containers\[0\]\.ports\[0\]\.hostPort: / },
    },
    {
      name: 'a target a wider policy allows',
      spec: { type: 'undo', deployment: D },
      s: { rollouts: new Map([[D, [rec(1, 'complete'), rec(2, 'complete', { template: template('web:2', { ports: [{ containerPort: 80, hostPort: 8080 }] }) }), rec(3, 'complete')]]]), policy: { ...DEFAULT_HOST_POLICY, allowHostPorts: true } as HostPolicy },
      pinned: 2,
    },
    { name: 'a Deployment the app does not have', spec: { type: 'undo', deployment: 'Deployment/shop/nope' }, error: { code: 'NOT_FOUND', message: 'deployments.apps "nope" not found in namespace shop (app shop)' } },
  ])('$name', ({ spec, s, pinned, sourceRevision, error }) => {
    const { result, changes } = planIntent(intent(spec), state(s));
    if (error) {
      expect(result.ok).toBe(false);
      expect(result.error?.code).toBe(error.code);
      expect(result.error?.message).toMatch(error.message);
      expect(changes).toEqual([]);
      return;
    }
    expect(result).toEqual({ ok: true, message: 'deployment.apps/web rolled back' });
    expect(changes[0]).toEqual(pin(pinned!, sourceRevision ?? 'applied'));
    expect(changes[1]).toMatchObject({ type: 'add-event', event: { reason: 'DeploymentRollback', message: `pinned to revision ${pinned} by rollout undo` } });
  });
});

describe('planIntent: restart, pause, resume, scale', () => {
  it.each<{ name: string; spec: IntentSpec; overrides?: DeploymentOverride[]; result: object; changes: object[] }>([
    {
      name: 'restart: stamped at the time it was asked, against the source template hash',
      spec: { type: 'restart', deployment: D },
      result: { ok: true, message: 'deployment.apps/web restarted' },
      changes: [{ type: 'set-override', deployment: D, kind: 'restart', value: JSON.stringify({ restartedAt: '2026-01-02T03:04:05.000Z', sourceHash: 'hsrc' }) }],
    },
    { name: 'pause', spec: { type: 'pause', deployment: D }, result: { ok: true, message: 'deployment.apps/web paused' }, changes: [{ type: 'set-override', deployment: D, kind: 'pause', value: 'true' }] },
    { name: 'resume a paused one', spec: { type: 'resume', deployment: D }, overrides: [override('pause', 'true')], result: { ok: true, message: 'deployment.apps/web resumed' }, changes: [{ type: 'clear-override', deployment: D, kind: 'pause' }] },
    { name: 'resume one that is not paused: nothing to change', spec: { type: 'resume', deployment: D }, result: { ok: true, unchanged: true, message: 'deployment.apps/web is not paused' }, changes: [] },
    {
      name: 'scale a Deployment: a replicas override, not an inventory edit',
      spec: { type: 'scale', key: D, replicas: 4 },
      result: { ok: true, message: 'deployment.apps/web scaled' },
      changes: [
        { type: 'set-override', deployment: D, kind: 'replicas', value: '4' },
        { type: 'add-event', event: { type: 'Normal', reason: 'ScalingReplicaSet', objectKey: D, message: 'scaled to 4 by berth scale' } },
      ],
    },
    {
      name: "scale back to the source's count lifts the override",
      spec: { type: 'scale', key: D, replicas: 2 },
      overrides: [override('replicas', '4')],
      result: { ok: true, message: 'deployment.apps/web scaled' },
      changes: [
        { type: 'clear-override', deployment: D, kind: 'replicas' },
        { type: 'add-event', event: { type: 'Normal', reason: 'ScalingReplicaSet', objectKey: D, message: 'scaled to 2 by berth scale' } },
      ],
    },
    {
      name: 'scale a ReplicaSet',
      spec: { type: 'scale', key: RS, replicas: 0 },
      result: { ok: true, message: 'replicaset.apps/cache scaled' },
      changes: [{ type: 'set-override', deployment: RS, kind: 'replicas', value: '0' }, expect.objectContaining({ type: 'add-event' })],
    },
    ...(['hsrc', 'h1'] as const).map((hash) => {
      const message = `replicaset "web-${hash}" is owned by deployment web: scale the Deployment with berth scale deploy/web -n shop`;
      return {
        name: `scale a Deployment's ReplicaSet (${hash === 'hsrc' ? 'current template' : 'from its history'}): refused, naming the Deployment`,
        spec: { type: 'scale', key: `ReplicaSet/shop/web-${hash}`, replicas: 3 } as IntentSpec,
        result: { ok: false, message, error: { code: 'USAGE', message, data: { key: `ReplicaSet/shop/web-${hash}`, hint: 'berth scale deploy/web --replicas 3 -n shop' } } },
        changes: [],
      };
    }),
    {
      name: 'a ReplicaSet named like a Deployment but of no template of it: not found',
      spec: { type: 'scale', key: 'ReplicaSet/shop/web-zzz', replicas: 1 },
      result: { ok: false, message: 'replicaset "web-zzz" not found in namespace shop (app shop)', error: { code: 'NOT_FOUND', message: 'replicaset "web-zzz" not found in namespace shop (app shop)', data: { key: 'ReplicaSet/shop/web-zzz' } } },
      changes: [],
    },
    {
      name: 'scale what the app does not have',
      spec: { type: 'scale', key: 'ReplicationController/shop/db', replicas: 1 },
      result: { ok: false, message: 'replicationcontroller "db" not found in namespace shop (app shop)', error: { code: 'NOT_FOUND', message: 'replicationcontroller "db" not found in namespace shop (app shop)', data: { key: 'ReplicationController/shop/db' } } },
      changes: [],
    },
  ])('$name', ({ spec, overrides, result, changes }) => {
    expect(planIntent(intent(spec), state(overrides ? { overrides } : {}))).toEqual({ result, changes });
  });
});

describe('planIntents: in the order they were submitted, each completed with its result', () => {
  it('undo then restart: the pin is set and kept, the restart recorded against the source template (the pass stamps what runs)', () => {
    const planned = planIntents([intent({ type: 'undo', deployment: D }, 1), intent({ type: 'restart', deployment: D }, 2)], state());
    const all = planned.flatMap((p) => p.changes);
    expect(all.filter((c) => c.type === 'set-pin')).toEqual([pin(2)]);
    expect(all.some((c) => c.type === 'clear-pin')).toBe(false);
    expect(all.filter((c) => c.type === 'set-override')).toEqual([expect.objectContaining({ kind: 'restart', value: expect.stringContaining('"sourceHash":"hsrc"') })]);
    expect(planned.map((p) => p.changes.at(-1))).toEqual([
      { type: 'complete-intent', id: 1, result: { ok: true, message: 'deployment.apps/web rolled back' } },
      { type: 'complete-intent', id: 2, result: { ok: true, message: 'deployment.apps/web restarted' } },
    ]);
  });

  it('pause then resume in one batch ends resumed; a second resume changes nothing', () => {
    const planned = planIntents([intent({ type: 'pause', deployment: D }, 1), intent({ type: 'resume', deployment: D }, 2), intent({ type: 'resume', deployment: D }, 3)], state());
    expect(planned.map((p) => p.result)).toEqual([
      { ok: true, message: 'deployment.apps/web paused' },
      { ok: true, message: 'deployment.apps/web resumed' },
      { ok: true, unchanged: true, message: 'deployment.apps/web is not paused' },
    ]);
  });

  it('a refused intent changes nothing but its own completion', () => {
    const [p] = planIntents([intent({ type: 'undo', deployment: D, toRevision: 7 }, 5)], state());
    expect(p!.changes).toEqual([{ type: 'complete-intent', id: 5, result: p!.result }]);
  });
});

describe('planIntent: undo, restart and pause together, as kubectl and the Deployment controller would have them', () => {
  const restartOverride = override('restart', JSON.stringify({ restartedAt: '2026-01-01T00:00:00.000Z', sourceHash: 'hsrc' }));
  const clearRestart = { type: 'clear-override', deployment: D, kind: 'restart' };
  const rolledBackEvent = (message: string) => ({ type: 'add-event', event: { type: 'Normal', reason: 'DeploymentRollback', objectKey: D, message, sourceRevision: 'applied' } });
  /** Revision 1 is the source's template; revision 2 is it restarted (a stamp makes another hash). */
  const afterRestart: Partial<IntentPlanState> = { rollouts: new Map([[D, [rec(1, 'complete', { templateHash: 'hsrc' }), rec(2, 'complete')]]]), overrides: [restartOverride] };
  const manifestPaused: Partial<IntentPlanState> = { inventory: [{ key: D, kind: 'Deployment', object: { kind: 'Deployment', spec: { replicas: 2, paused: true } } }] };
  const ok = (message: string) => ({ ok: true, message });
  const refusedWith = (message: string, hint: string) => ({ ok: false, message, error: { code: 'USAGE', message, data: { key: D, hint } } });

  it.each<{ name: string; spec: IntentSpec; s?: Partial<IntentPlanState>; result: object; changes: object[] }>([
    {
      name: "undo after a restart, back to the source's template: no pin (nothing diverges), the restart stamp goes",
      spec: { type: 'undo', deployment: D },
      s: afterRestart,
      result: ok('deployment.apps/web rolled back'),
      changes: [{ type: 'clear-pin', deployment: D }, clearRestart, rolledBackEvent("rolled back to revision 1, the source's own template")],
    },
    {
      name: 'undo to an older template while a restart is in force: pinned, the stamp goes (the pinned template runs unstamped)',
      spec: { type: 'undo', deployment: D },
      s: { overrides: [restartOverride] },
      result: ok('deployment.apps/web rolled back'),
      changes: [pin(2), clearRestart, rolledBackEvent('pinned to revision 2 by rollout undo')],
    },
    {
      name: 'undo --to-revision of a restart revision: pinned to it, its own stamp is in its template',
      spec: { type: 'undo', deployment: D, toRevision: 2 },
      s: { rollouts: new Map([[D, [rec(1, 'complete', { templateHash: 'hsrc' }), rec(2, 'complete'), rec(3, 'complete')]]]), overrides: [restartOverride] },
      result: ok('deployment.apps/web rolled back'),
      changes: [pin(2), clearRestart, rolledBackEvent('pinned to revision 2 by rollout undo')],
    },
    {
      name: 'undo --to-revision of the current revision: skipped, as kubectl says',
      spec: { type: 'undo', deployment: D, toRevision: 3 },
      result: { ok: true, unchanged: true, message: 'deployment.apps/web skipped rollback (current template already matches revision 3)' },
      changes: [],
    },
    {
      name: 'undo of a Deployment paused by rollout pause: refused (it would roll nothing out)',
      spec: { type: 'undo', deployment: D },
      s: { overrides: [override('pause', 'true')] },
      result: refusedWith("you cannot roll back a paused deployment; resume it first with 'berth rollout resume deploy/web -n shop' and try again", 'berth rollout resume deploy/web -n shop'),
      changes: [],
    },
    {
      name: 'undo of a Deployment its manifest pauses: refused, the hint names the manifest',
      spec: { type: 'undo', deployment: D },
      s: manifestPaused,
      result: refusedWith('you cannot roll back a paused deployment; its manifest pauses it (spec.paused: true): resume it in the source and try again', 'remove spec.paused from the manifest'),
      changes: [],
    },
    {
      name: 'restart of a paused Deployment: refused',
      spec: { type: 'restart', deployment: D },
      s: { overrides: [override('pause', 'true')] },
      result: refusedWith("deployment.apps/web can't restart paused deployment (run rollout resume first)", 'berth rollout resume deploy/web -n shop'),
      changes: [],
    },
    {
      name: 'restart of a Deployment its manifest pauses: refused, pointing at the source',
      spec: { type: 'restart', deployment: D },
      s: manifestPaused,
      result: refusedWith("deployment.apps/web can't restart paused deployment (its manifest sets spec.paused: true)", 'remove spec.paused from the manifest'),
      changes: [],
    },
    {
      name: 'restart twice: the second stamp replaces the first (a new template, a new revision)',
      spec: { type: 'restart', deployment: D },
      s: { overrides: [restartOverride] },
      result: ok('deployment.apps/web restarted'),
      changes: [{ type: 'set-override', deployment: D, kind: 'restart', value: JSON.stringify({ restartedAt: '2026-01-02T03:04:05.000Z', sourceHash: 'hsrc' }) }],
    },
    { name: 'pause of a paused Deployment: nothing to change', spec: { type: 'pause', deployment: D }, s: { overrides: [override('pause', 'true')] }, result: { ok: true, unchanged: true, message: 'deployment.apps/web is already paused' }, changes: [] },
    { name: 'pause of one its manifest pauses: nothing to change', spec: { type: 'pause', deployment: D }, s: manifestPaused, result: { ok: true, unchanged: true, message: 'deployment.apps/web is already paused' }, changes: [] },
    {
      name: 'resume of one its manifest pauses: refused (the source keeps it paused; "not paused" would be false)',
      spec: { type: 'resume', deployment: D },
      s: manifestPaused,
      result: refusedWith('deployment.apps/web is paused by its manifest (spec.paused: true); resume it in the source', 'remove spec.paused from the manifest'),
      changes: [],
    },
  ])('$name', ({ spec, s, result, changes }) => {
    expect(planIntent(intent(spec), state(s))).toEqual({ result, changes });
  });

  it('restart after an undo in one batch: the undo drops the old stamp, the restart stamps what the pin runs', () => {
    const planned = planIntents([intent({ type: 'undo', deployment: D }, 1), intent({ type: 'restart', deployment: D }, 2)], state({ overrides: [restartOverride] }));
    const all = planned.flatMap((p) => p.changes).filter((c) => c.type !== 'add-event' && c.type !== 'complete-intent');
    expect(all).toEqual([pin(2), clearRestart, { type: 'set-override', deployment: D, kind: 'restart', value: JSON.stringify({ restartedAt: '2026-01-02T03:04:05.000Z', sourceHash: 'hsrc' }) }]);
  });
});
