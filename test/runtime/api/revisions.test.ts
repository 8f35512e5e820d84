import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../../src/apply/docker.js';
import type { HandlerDeps } from '../../../src/runtime/api/handlers.js';
import { createHandlers } from '../../../src/runtime/api/handlers.js';
import { createDaemonMetrics } from '../../../src/runtime/api/metrics.js';
import type { Daemon } from '../../../src/runtime/daemon/daemon.js';
import { createLogger } from '../../../src/runtime/log.js';
import { storeHarness } from '../store/harness.js';

const h = storeHarness();
const APP = 'rev';

/**
 * GET /api/v1/revisions lists the rollout history of every kind that keeps one (model/kinds.ts
 * ROLLOUT_KINDS): `berth rollout history sts/db` shows a StatefulSet's revisions, so the API does too.
 */
describe('GET /api/v1/revisions', () => {
  it.each(['Deployment', 'DaemonSet', 'StatefulSet'])('lists the revisions of a %s', (kind) => {
    const { store, clock } = h.open();
    const key = `${kind}/default/web`;
    store.upsertInventory(APP, { key, kind, namespace: 'default', name: 'web', specHash: 'h', object: { apiVersion: 'apps/v1', kind, metadata: { name: 'web' } } }, { sourceRevision: 'r1' });
    store.beginRollout(APP, key, { templateHash: 'abc123', template: {}, sourceRevision: 'r1' });
    const deps = {
      daemon: {} as Daemon,
      app: APP,
      docker: {} as DockerClient,
      store,
      clock,
      random: () => 0,
      metrics: createDaemonMetrics(),
      log: createLogger({ level: 'silent', destination: new PassThrough() }),
      validate: {},
      version: 'test',
    } as unknown as HandlerDeps;
    const body = createHandlers(deps).revisions().body as { deployments: Array<{ deployment: string; revisions: Array<{ revision: number; templateHash: string }> }> };
    expect(body.deployments).toEqual([{ deployment: key, revisions: [expect.objectContaining({ revision: 1, templateHash: 'abc123' })] }]);
  });
});
