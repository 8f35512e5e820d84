import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../src/plan/desired.js';
import { applyDefaults } from '../../src/model/defaults.js';
import type { HostPolicy } from '../../src/model/policy.js';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';
import type { AnyObject, PodTemplateSpec } from '../../src/model/types.js';
import { effectiveDesired } from '../../src/plan/rollouts/effective.js';
import { commitChanges } from '../../src/runtime/commit.js';
import { assertInventoryAllowed } from '../../src/runtime/pass/index.js';
import { readRolloutState } from '../../src/runtime/rollout-state.js';
import { openStore } from '../../src/runtime/store/index.js';
import type { Store } from '../../src/runtime/store/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { TEST_HASH_KEY } from '../support/builders.js';
import { processAlive } from '../../src/cli/process-alive.js';

/**
 * Finding 9f: templates berth stored (a pin by `rollout undo`, a rollback target) were checked
 * under the policy of their day; the tracker never makes one effective that today's refuses.
 */
const APP = 'shop';
const KEY = 'Deployment/default/web';
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function deployment(caps: string[], tag: string) {
  const object = applyDefaults({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: `web:${tag}`, ...(caps.length ? { securityContext: { capabilities: { add: caps } } } : {}) }] },
      },
    },
  } as unknown as AnyObject);
  return buildDesiredState([{ key: KEY, object, source: { file: 'web.yaml', line: 1, column: 1 } }], { hashKey: TEST_HASH_KEY });
}

function template(desired: ReturnType<typeof deployment>): PodTemplateSpec {
  const w = desired.workloads[0]!;
  if (w.kind !== 'Deployment') throw new Error('not a deployment');
  return w.podTemplate;
}

function hashOf(desired: ReturnType<typeof deployment>): string {
  return desired.workloads[0]!.template.hash;
}

function setup(): { store: Store } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rollpol-'));
  const clock = new FakeClock(1_700_000_000_000);
  const store = openStore({ isProcessAlive: processAlive, dir, clock });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close());
  return { store };
}

/** Revision 1 adds NET_ADMIN (applied when the policy allowed it) and completed; revision 2 is the source's. */
function history(store: Store) {
  const v1 = deployment(['NET_ADMIN'], 'v1');
  const v2 = deployment([], 'v2');
  const r1 = store.beginRollout(APP, KEY, { templateHash: hashOf(v1), template: template(v1), sourceRevision: 'a'.repeat(40) });
  store.finishRollout(APP, KEY, r1.revision, 'complete');
  const r2 = store.beginRollout(APP, KEY, { templateHash: hashOf(v2), template: template(v2), sourceRevision: 'b'.repeat(40) });
  return { v1, v2, r1, r2 };
}

/** What a pass decides for `desired` under `policy`, committed as a pass commits it. */
function effective(store: Store, desired: ReturnType<typeof deployment>, policy: HostPolicy) {
  const out = effectiveDesired(desired, readRolloutState(store, APP, [KEY]), { sourceRevision: 'b'.repeat(40), policy });
  commitChanges(store, APP, out.changes);
  return { workload: out.desired.workloads[0]!, divergences: out.divergences };
}
const image = (d: ReturnType<typeof deployment>) => template(d).spec.containers[0]!.image;
const allowNetAdmin: HostPolicy = { ...DEFAULT_HOST_POLICY, allowedCapabilities: ['NET_ADMIN'] };

describe('stored templates under today\'s policy', () => {
  it('a pin whose template the policy refuses is lifted, with a warning naming the revision and why', () => {
    const { store } = setup();
    const { v1, v2, r1 } = history(store);
    store.setPin(APP, KEY, { revision: r1.revision, templateHash: hashOf(v1), sourceRevisionAtPin: 'b'.repeat(40) });
    const w = effective(store, v2, DEFAULT_HOST_POLICY).workload;
    expect(w.kind === 'Deployment' && w.podTemplate.spec.containers[0]!.image).toBe('web:v2');
    expect(store.getPin(APP, KEY)).toBeUndefined();
    const events = store.listEvents({ app: APP }).filter((e) => e.reason === 'PinRefused');
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toContain(`the pin to revision ${r1.revision} is lifted`);
    expect(events[0]!.message).toContain('capability NET_ADMIN');
  });

  it('the same pin holds when the policy allows its template', () => {
    const { store } = setup();
    const { v1, v2, r1 } = history(store);
    store.setPin(APP, KEY, { revision: r1.revision, templateHash: hashOf(v1), sourceRevisionAtPin: 'b'.repeat(40) });
    const { workload: w, divergences } = effective(store, v2, allowNetAdmin);
    expect(w.kind === 'Deployment' && w.podTemplate.spec.containers[0]!.image).toBe(image(v1));
    expect(divergences).toEqual([expect.objectContaining({ reason: 'pinned', revision: r1.revision })]);
  });

  it('a failed template is not rolled back to a revision the policy refuses; it is rolled back when allowed', () => {
    const { store } = setup();
    const { v2 } = history(store);
    store.markFailedTemplate(APP, KEY, hashOf(v2), 'b'.repeat(40), 'deadline');
    const refused = effective(store, v2, DEFAULT_HOST_POLICY);
    const w = refused.workload;
    expect(w.kind === 'Deployment' && w.podTemplate.spec.containers[0]!.image).toBe('web:v2');
    expect(refused.divergences).toEqual([]);

    const allowed = effective(store, v2, allowNetAdmin);
    const back = allowed.workload;
    expect(back.kind === 'Deployment' && back.podTemplate.spec.containers[0]!.image).toBe('web:v1');
    expect(allowed.divergences).toEqual([expect.objectContaining({ reason: 'rolled-back' })]);
  });
});

describe('the daemon holding the inventory to its own policy', () => {
  // Issue 11 review, finding 1: the refusal was one ~900-character line joined by "; ".
  it('lists one refused object field per line under the summary', () => {
    const pod = (name: string, spec: unknown) => ({ key: `Pod/default/${name}`, kind: 'Pod', namespace: 'default', name, specHash: name, object: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec }, sourceRevision: 'a', appliedAt: 0 });
    const inventory = [
      pod('hp', { containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'h', hostPath: { path: '/srv/x' } }] }),
      pod('ok', { containers: [{ name: 'c', image: 'x' }] }),
      pod('priv', { hostNetwork: true, containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] }),
    ];
    let err: unknown;
    try {
      assertInventoryAllowed(APP, inventory, DEFAULT_HOST_POLICY);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'POLICY_DENIED', data: { refused: [expect.stringMatching(/^Pod\/default\/hp: spec\.volumes\[0\]/), expect.stringMatching(/^Pod\/default\/priv: spec\.hostNetwork/), expect.stringMatching(/^Pod\/default\/priv: spec\.containers\[0\]\.securityContext\.privileged/)] } });
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toBe("this host's policy refuses what app shop last applied; nothing was changed:");
    expect(lines.slice(1).map((l) => l.replace(/: .*/, ''))).toEqual(['  Pod/default/hp', '  Pod/default/priv', '  Pod/default/priv']);
  });
});
