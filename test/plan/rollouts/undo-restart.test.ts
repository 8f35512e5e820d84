import { describe, expect, it } from 'vitest';
import type { Intent, IntentSpec } from '../../../src/model/intent.js';
import type { DeploymentOverride, RolloutRecord } from '../../../src/model/state.js';
import { planIntents } from '../../../src/plan/intents.js';
import { effectiveDesired } from '../../../src/plan/rollouts/effective.js';
import type { DeploymentRolloutState, RestartOverride } from '../../../src/plan/rollouts/state.js';
import { RESTARTED_AT_ANNOTATION } from '../../../src/plan/rollouts/state.js';
import type { StoreChange } from '../../../src/plan/store-changes.js';
import { APP, desiredOf, KEY, SRC, stateOf, web } from './fixtures.js';

/**
 * Command sequences as an operator types them, each decided by planIntents and run by
 * effectiveDesired as a pass would, with the store between them kept by a small reducer: what
 * the Deployment runs after each, compared with what kubectl and the Deployment controller give.
 */
type Step = { apply: string } | { cmd: 'restart' | 'pause' | 'resume' } | { cmd: 'undo'; to?: number };

interface World {
  source: string;
  st: DeploymentRolloutState;
  overrides: DeploymentOverride[];
  at: number;
  /** The results of the commands, in order. */
  said: string[];
}

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const stamp = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function reduce(w: World, changes: readonly StoreChange[]): World {
  let { st, overrides } = w;
  for (const c of changes) {
    if (c.type === 'set-pin') st = { ...st, pin: { app: APP, deployment: KEY, pinnedAt: w.at, ...c.pin } };
    if (c.type === 'clear-pin') st = { ...st, pin: undefined };
    if (c.type === 'set-override') overrides = [...overrides.filter((o) => o.kind !== c.kind), { app: APP, deployment: KEY, kind: c.kind, value: c.value, createdAt: w.at }];
    if (c.type === 'clear-override') overrides = overrides.filter((o) => o.kind !== c.kind);
  }
  const restart = overrides.find((o) => o.kind === 'restart');
  const { restart: _, ...rest } = st;
  st = { ...rest, paused: overrides.some((o) => o.kind === 'pause'), ...(restart ? { restart: JSON.parse(restart.value) as RestartOverride } : {}) };
  return { ...w, st, overrides };
}

/** A pass: the effective template, rolled out (a new or renumbered revision) when it is not the newest. */
function pass(w: World, changed: boolean): World {
  const out = effectiveDesired(desiredOf(w.source), stateOf(w.st), { sourceRevision: SRC, changed: new Set(changed ? [KEY] : []) });
  let next = reduce(w, out.changes);
  const run = web(out.desired);
  const records = next.st.rollouts;
  const last = records[records.length - 1];
  if (run.paused || last?.templateHash === run.template.hash) return next;
  const rec: RolloutRecord = { app: APP, deployment: KEY, revision: (last?.revision ?? 0) + 1, templateHash: run.template.hash, template: run.podTemplate, sourceRevision: SRC, startedAt: w.at, outcome: 'complete', revisionHistory: [] };
  next = { ...next, st: { ...next.st, rollouts: [...records.filter((r) => r.templateHash !== rec.templateHash), rec] } };
  return next;
}

function step(w: World, s: Step): World {
  const at = w.at + 60_000;
  if ('apply' in s) return pass({ ...w, at, source: s.apply }, s.apply !== w.source);
  const spec: IntentSpec = s.cmd === 'undo' ? { type: 'undo', deployment: KEY, ...(s.to ? { toRevision: s.to } : {}) } : { type: s.cmd, deployment: KEY };
  const intent: Intent = { id: 1, app: APP, spec, state: 'pending', createdAt: at };
  const [planned] = planIntents([intent], {
    app: APP,
    inventory: [{ key: KEY, kind: 'Deployment', object: { kind: 'Deployment', spec: { replicas: 2 } } }],
    sourceTemplateHashes: new Map([[KEY, web(desiredOf(w.source)).template.hash]]),
    rollouts: new Map([[KEY, w.st.rollouts]]),
    failedTemplates: new Map(),
    overrides: w.overrides,
    sourceRevision: SRC,
  });
  return pass(reduce({ ...w, at, said: [...w.said, planned!.result.message] }, planned!.changes), false);
}

interface Case {
  name: string;
  steps: Step[];
  image: string;
  /** The restart stamp the running template carries, in minutes after T0 (each step is a minute). */
  stampedAt?: number;
  /** `rollout history`'s revisions, oldest first, each with the image and stamp it ran. */
  history: string[];
  pinned?: number;
  said?: string[];
}

const cases: Case[] = [
  {
    name: 'undo after restart: the pre-restart template runs again, as a new revision (1 renumbered 3), no pin',
    steps: [{ apply: 'img:1' }, { cmd: 'restart' }, { cmd: 'undo' }],
    image: 'img:1',
    history: ['2 img:1@2', '3 img:1'],
    said: ['deployment.apps/web restarted', 'deployment.apps/web rolled back'],
  },
  {
    name: 'restart twice: each stamp a revision of its own',
    steps: [{ apply: 'img:1' }, { cmd: 'restart' }, { cmd: 'restart' }],
    image: 'img:1',
    stampedAt: 3,
    history: ['1 img:1', '2 img:1@2', '3 img:1@3'],
  },
  {
    name: 'undo --to-revision of a restart revision keeps that revision’s stamp, not the newer one',
    steps: [{ apply: 'img:1' }, { cmd: 'restart' }, { cmd: 'restart' }, { cmd: 'undo', to: 2 }],
    image: 'img:1',
    stampedAt: 2,
    history: ['1 img:1', '3 img:1@3', '4 img:1@2'],
    pinned: 4,
  },
  {
    name: 'restart after undo: the pinned template is stamped (a new revision), the pin stays',
    steps: [{ apply: 'img:1' }, { apply: 'img:2' }, { cmd: 'undo' }, { cmd: 'restart' }],
    image: 'img:1',
    stampedAt: 4,
    history: ['2 img:2', '3 img:1', '4 img:1@4'],
    // The pin names the revision of the template it holds; the restart stamps it on top.
    pinned: 3,
  },
  {
    name: 'undo after restart-after-undo: the pinned template unstamped again',
    steps: [{ apply: 'img:1' }, { apply: 'img:2' }, { cmd: 'undo' }, { cmd: 'restart' }, { cmd: 'undo' }],
    image: 'img:1',
    history: ['2 img:2', '4 img:1@4', '5 img:1'],
    pinned: 5,
  },
  {
    name: "undo of an undo, back to the source's template: the pin is lifted",
    steps: [{ apply: 'img:1' }, { apply: 'img:2' }, { cmd: 'undo' }, { cmd: 'undo' }],
    image: 'img:2',
    history: ['3 img:1', '4 img:2'],
  },
  {
    name: 'restart and undo of a paused Deployment: refused, the paused template stays',
    steps: [{ apply: 'img:1' }, { apply: 'img:2' }, { cmd: 'pause' }, { cmd: 'restart' }, { cmd: 'undo' }],
    image: 'img:2',
    history: ['1 img:1', '2 img:2'],
    said: [
      'deployment.apps/web paused',
      "deployment.apps/web can't restart paused deployment (run rollout resume first)",
      "you cannot roll back a paused deployment; resume it first with 'berth rollout resume deploy/web' and try again",
    ],
  },
  {
    name: 'a new source template after a restart: the stamp goes with the old template',
    steps: [{ apply: 'img:1' }, { cmd: 'restart' }, { apply: 'img:2' }],
    image: 'img:2',
    history: ['1 img:1', '2 img:1@2', '3 img:2'],
  },
];

describe('undo, restart and pause in sequence: what the Deployment runs', () => {
  it.each(cases)('$name', (c) => {
    const start: World = { source: '', st: { rollouts: [], paused: false, failedTemplates: new Set() }, overrides: [], at: T0, said: [] };
    const end = c.steps.reduce(step, start);
    const run = web(effectiveDesired(desiredOf(end.source), stateOf(end.st), { sourceRevision: SRC }).desired);
    const stampOf = (t: unknown) => (t as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.[RESTARTED_AT_ANNOTATION];
    const minutes = (iso: string | undefined) => (iso === undefined ? '' : `@${(Date.parse(iso) - T0) / 60_000}`);
    expect({
      image: run.podTemplate.spec.containers[0]?.image,
      stamp: stampOf(run.podTemplate),
      history: end.st.rollouts.map((r) => `${r.revision} ${(r.template as { spec: { containers: Array<{ image: string }> } }).spec.containers[0]!.image}${minutes(stampOf(r.template))}`),
      pinned: end.st.pin ? end.st.rollouts.find((r) => r.templateHash === end.st.pin!.templateHash)?.revision : undefined,
      ...(c.said ? { said: end.said } : {}),
    }).toEqual({ image: c.image, stamp: c.stampedAt === undefined ? undefined : stamp(c.stampedAt), history: c.history, pinned: c.pinned, ...(c.said ? { said: c.said } : {}) });
  });
});
