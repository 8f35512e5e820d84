import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../../src/cli/process-alive.js';
import { REDACTED } from '../../../src/report/redact.js';
import { createChangeFeed } from '../../../src/runtime/api/change-feed.js';
import type { ActionStatusResponse, ObjectResponse, PassesResponse, TreeResponse } from '../../../src/runtime/api/contract.js';
import { createUiHandlers, type UiHandlers } from '../../../src/runtime/api/ui-handlers.js';
import type { Daemon } from '../../../src/runtime/daemon/daemon.js';
import type { LastPass } from '../../../src/runtime/daemon/pass-outcome.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { openStore, type Store } from '../../../src/runtime/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { SUBMIT_TIMEOUT_MS } from '../../../src/runtime/control.js';
import { entry } from '../views-support.js';
import { emptyDocker } from './support.js';

/**
 * The web UI's handlers over a real store and a Docker with nothing running: what the tree and
 * object endpoints show of a Secret and of a Deployment reading it (never a value), and that
 * actions are recorded as the CLI's intents for the daemon to act on.
 */

const APP = 'ui';
const SECRET_VALUE = 'hunter2-ui-handlers';
const SECRET_B64 = Buffer.from(SECRET_VALUE).toString('base64');
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ stringData: { token: SECRET_VALUE } }) } }, type: 'Opaque', data: { token: SECRET_B64 } };
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }] }] } },
  },
};

let dir: string;
let store: Store;
let ui: UiHandlers;
const clock = new FakeClock();
/** The clock's start: the recorded passes' times (the action timeout tests move the clock). */
const START = clock.now();
let wakes = 0;
const passes: LastPass[] = [
  { reasons: ['source', 'docker-event'], startedAt: clock.now(), durationMs: 420, result: 'synced', revision: 'abc123', actions: 3 },
  { reasons: ['interval'], startedAt: clock.now() - 60_000, durationMs: 80, result: 'failed', actions: 0, error: { code: 'DOCKER_ERROR', message: 'no such image' } },
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-ui-handlers-'));
  store = openStore({ isProcessAlive: processAlive, dir, clock });
  store.replaceInventory(APP, [
    { key: 'Secret/default/creds', kind: 'Secret', namespace: 'default', name: 'creds', specHash: 'h1', object: secret },
    // Defaulted as validation leaves it (strategy, revisionHistoryLimit...).
    { key: 'Deployment/default/web', kind: 'Deployment', namespace: 'default', name: 'web', specHash: 'h2', object: entry(deployment).object },
  ], { sourceRevision: 'rev-0' });
  store.beginRollout(APP, 'Deployment/default/web', { templateHash: 'aaaa', template: deployment.spec.template, sourceRevision: 'rev-0', changeCause: 'first' });
  store.addEvent({ app: APP, type: 'Normal', reason: 'ScalingReplicaSet', objectKey: 'Deployment/default/web', message: 'Scaled up replica set web-aaaa to 2' });
  const daemon = { wake: () => void wakes++, passes: () => passes } as unknown as Daemon;
  ui = createUiHandlers({ daemon, app: APP, docker: emptyDocker(), store, clock, log: silentLogger(), feed: createChangeFeed() });
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('web UI handlers', () => {
  it('the tree lists the Deployment and the Secret, and no secret value', async () => {
    const res = await ui.tree();
    const tree = res.body as TreeResponse;
    const ns = tree.namespaces.find((n) => n.name === 'default')!;
    expect(ns.children.map((c) => `${c.kind}/${c.name}`)).toEqual(['Deployment/web', 'Secret/creds', 'ServiceAccount/default']);
    expect(JSON.stringify(tree)).not.toMatch(new RegExp(`${SECRET_VALUE}|${SECRET_B64}`));
  });

  it('a Secret\'s object masks its data and the last-applied annotation, in JSON and YAML', async () => {
    const res = await ui.object({ kind: 'Secret', namespace: 'default', name: 'creds' });
    const body = res.body as ObjectResponse;
    expect(res.status).toBe(200);
    expect(body.object.data).toEqual({ token: REDACTED });
    expect(body.yaml).toContain('token:');
    expect(JSON.stringify(body)).not.toMatch(new RegExp(`${SECRET_VALUE}|${SECRET_B64}`));
  });

  it('a Deployment\'s object has its rollout history and events; its env names the Secret, never the value', async () => {
    const res = await ui.object({ kind: 'Deployment', namespace: 'default', name: 'web' });
    const body = res.body as ObjectResponse;
    expect(body.rollout).toMatchObject({ paused: false, replicas: 2, revisions: [{ revision: 1, sourceRevision: 'rev-0', changeCause: 'first', outcome: 'progressing' }] });
    expect(body.events.map((e) => e.reason)).toEqual(['ScalingReplicaSet']);
    expect(body.yaml).toContain('secretKeyRef');
    expect(JSON.stringify(body)).not.toMatch(new RegExp(`${SECRET_VALUE}|${SECRET_B64}`));
  });

  it.each([
    [{ kind: 'Deployment' as const, namespace: 'default', name: 'nope' }, 404],
    [{ kind: 'Deployment' as const, namespace: 'other', name: 'web' }, 404],
    [{ kind: 'Deployment' as const }, 400],
  ])('object %j → %i', async (query, status) => {
    expect((await ui.object(query)).status).toBe(status);
  });

  it('an action is recorded as the CLI\'s intent and wakes the daemon; its state follows the intent', () => {
    const before = wakes;
    const res = ui.submitAction({ action: 'scale', kind: 'Deployment', namespace: 'default', name: 'web', replicas: 3 });
    expect(res.status).toBe(202);
    const { intent } = res.body as { intent: number };
    expect(store.getIntent(intent)).toMatchObject({ app: APP, state: 'pending', spec: { type: 'scale', key: 'Deployment/default/web', replicas: 3 } });
    expect(wakes).toBe(before + 1);
    expect(ui.action(String(intent)).body).toEqual({ id: intent, state: 'pending' } satisfies ActionStatusResponse);
    store.completeIntent(intent, { ok: true, message: 'deployment.apps/web scaled' });
    expect(ui.action(String(intent)).body).toEqual({ id: intent, state: 'done', result: { ok: true, message: 'deployment.apps/web scaled' } });
  });

  it('a refused action reads failed, with the error the CLI would print', () => {
    const { intent } = ui.submitAction({ action: 'pause', kind: 'Deployment', namespace: 'default', name: 'ghost' }).body as { intent: number };
    store.completeIntent(intent, { ok: false, message: 'deployments.apps "ghost" not found', error: { code: 'NOT_FOUND', message: 'deployments.apps "ghost" not found', data: { key: 'x' } } });
    expect(ui.action(String(intent)).body).toEqual({ id: intent, state: 'failed', result: { ok: false, message: 'deployments.apps "ghost" not found', error: { code: 'NOT_FOUND', message: 'deployments.apps "ghost" not found' } } });
  });

  it('an action the daemon does not take within the CLI\'s timeout is withdrawn, as `berth scale` withdraws its own, and reads withdrawn', async () => {
    const { intent } = ui.submitAction({ action: 'restart', kind: 'Deployment', namespace: 'default', name: 'web' }).body as { intent: number };
    await clock.advance(SUBMIT_TIMEOUT_MS - 1);
    expect(ui.action(String(intent)).body).toEqual({ id: intent, state: 'pending' });
    await clock.advance(1);
    const message = 'the daemon did not take it within 300 s (a pass is busy or stuck: berth status, or the daemon\'s log); withdrawn, nothing was changed';
    expect(ui.action(String(intent)).body).toEqual({ id: intent, state: 'withdrawn', result: { ok: false, message, error: { code: 'TIMEOUT', message } } } satisfies ActionStatusResponse);
    // The daemon, free again, finds nothing to act on.
    expect([store.takeIntent(intent), store.listPendingIntents(APP).map((i) => i.id)]).toEqual([false, []]);
  });

  it('an action a pass has taken is left to that pass past the timeout', async () => {
    const { intent } = ui.submitAction({ action: 'resume', kind: 'Deployment', namespace: 'default', name: 'web' }).body as { intent: number };
    expect(store.takeIntent(intent)).toBe(true);
    await clock.advance(SUBMIT_TIMEOUT_MS * 2);
    expect(ui.action(String(intent)).body).toEqual({ id: intent, state: 'pending' });
    store.finishIntent(intent, { ok: true, message: 'deployment.apps/web resumed' });
    expect(ui.action(String(intent)).body).toMatchObject({ state: 'done' });
  });

  it('an overdue action whose timer is gone (the daemon restarted) is withdrawn when its status is asked', async () => {
    const recorded = store.addIntent(APP, { type: 'restart', deployment: 'Deployment/default/web' });
    await clock.advance(SUBMIT_TIMEOUT_MS);
    expect(ui.action(String(recorded.id)).body).toMatchObject({ state: 'withdrawn', result: { ok: false, error: { code: 'TIMEOUT' } } });
  });

  it('a daemon that stops withdraws the actions it has not taken', () => {
    const daemon = { wake: () => undefined, passes: () => [] } as unknown as Daemon;
    const stopping = createUiHandlers({ daemon, app: APP, docker: emptyDocker(), store, clock, log: silentLogger(), feed: createChangeFeed() });
    const { intent } = stopping.submitAction({ action: 'restart', kind: 'Deployment', namespace: 'default', name: 'web' }).body as { intent: number };
    const pending = clock.pending;
    stopping.close();
    expect(clock.pending).toBe(pending - 1);
    expect(stopping.action(String(intent)).body).toMatchObject({ state: 'withdrawn', result: { message: 'the daemon stopped before taking it; withdrawn, nothing was changed' } });
  });

  it.each(['0', 'abc', '99999', '1/2', ''])('action %j that is not one of this app\'s actions is 404', (id) => {
    expect(ui.action(id).status).toBe(404);
  });

  it('an apply intent is not an action: its files never show through /actions', () => {
    const apply = store.addIntent(APP, { type: 'apply', revision: { id: 'r', origin: 'cli', files: [{ path: 's.yaml', content: SECRET_B64 }] }, prune: false, allowEmpty: false, skipUnsupported: false, wait: false, timeoutMs: 1000 });
    expect(ui.action(String(apply.id)).status).toBe(404);
  });

  it('passes: newest first, trigger and result as the daemon recorded them, limited', () => {
    expect(ui.passes({}).body).toEqual([
      { startedAt: new Date(START).toISOString(), durationMs: 420, trigger: 'source', triggers: ['source', 'docker-event'], result: 'synced', revision: 'abc123', changes: 3 },
      { startedAt: new Date(START - 60_000).toISOString(), durationMs: 80, trigger: 'interval', triggers: ['interval'], result: 'failed', revision: null, changes: 0, error: { code: 'DOCKER_ERROR', message: 'no such image' } },
    ] satisfies PassesResponse);
    expect(ui.passes({ limit: 1 }).body).toHaveLength(1);
  });

  it('logs and exec of a pod that does not run are 404s before any stream or ticket', async () => {
    expect((await ui.logs({ namespace: 'default', pod: 'web-1' })).status).toBe(404);
    const refused = await ui.execTarget({ namespace: 'default', pod: 'web-1', command: ['sh'], tty: true });
    expect('refusal' in refused && refused.refusal.status).toBe(404);
  });
});
