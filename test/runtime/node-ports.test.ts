import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { Resource } from '../../src/model/types.js';
import { settleNodePorts } from '../../src/runtime/node-ports.js';
import { deployment, observedState, res, TEST_HASH_KEY } from '../support/builders.js';
import { storeHarness } from './store/harness.js';

/**
 * The runtime half of NodePort allocation: read the store and the host, plan (plan/node-ports.ts),
 * commit only when not a dry run. A real store; a Docker that publishes what the test says
 * (control flow only: e2e services-nodeport proves it against a real engine).
 */
const h = storeHarness();
let procNet = '';
beforeAll(async () => {
  // The host's sockets: one TCP listener on 30004 (0x7534), and none of the real host's
  // (other tests' proxies publish node ports on this machine).
  procNet = await mkdtemp(join(tmpdir(), 'berth-proc-net-'));
  await writeFile(join(procNet, 'tcp'), '  sl  local_address rem_address   st\n   0: 00000000:7534 00000000:0000 0A\n');
});
afterAll(() => rm(procNet, { recursive: true, force: true }));

function fakeDocker(published: number[] = []): DockerClient & { listed: number } {
  const docker = {
    listed: 0,
    api: {
      listContainers: async () => {
        docker.listed++;
        return [{ Ports: published.map((p) => ({ PublicPort: p, PrivatePort: 80, Type: 'tcp' })) }];
      },
    },
  };
  return docker as unknown as DockerClient & { listed: number };
}

const web = deployment('web', { replicas: 2 });
const nodePortSvc = (name: string, nodePort?: number) =>
  res({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, ...(nodePort ? { nodePort } : {}) }] } });
const desired = (...services: Resource[]) => buildDesiredState([web, ...services], { hashKey: TEST_HASH_KEY });

describe('settleNodePorts', () => {
  it('allocates node ports, skipping host ports Docker publishes or a host process listens on, keeps them, and releases those of Services that are gone', async () => {
    const { store } = h.open();
    const deps = { docker: fakeDocker([30000, 30002]), store, procNet };
    expect(await settleNodePorts(deps, 't', desired(nodePortSvc('a'), nodePortSvc('b'), nodePortSvc('c', 31000), nodePortSvc('d')), observedState([]), { dryRun: false })).toEqual({
      'Service/default/a': { http: 30001 },
      'Service/default/b': { http: 30003 },
      'Service/default/c': { http: 31000 },
      'Service/default/d': { http: 30005 },
    });
    // b's proxy still runs (an orphan without --prune): kept. c's and d's are gone: released.
    const observed = observedState([], { services: [{ namespace: 'default', name: 'b', containerId: 'x', state: 'running', specHash: 'h', nodePorts: { http: 30003 } }] });
    expect(await settleNodePorts(deps, 't', desired(nodePortSvc('a')), observed, { dryRun: false })).toEqual({ 'Service/default/a': { http: 30001 }, 'Service/default/b': { http: 30003 } });
    expect(store.listNodePorts('t').map((a) => a.port)).toEqual([30001, 30003]);
  });

  it('a dry run shows the ports a pass would allocate and writes nothing; the pass then allocates exactly those', async () => {
    const { store } = h.open();
    const deps = { docker: fakeDocker([30000]), store, procNet };
    await settleNodePorts(deps, 't', desired(nodePortSvc('a')), observedState([]), { dryRun: false });
    const before = { ports: store.listNodePorts(), cursor: store.nodePortCursor() };
    const next = desired(nodePortSvc('b'), nodePortSvc('c', 31000));
    const shown = await settleNodePorts(deps, 't', next, observedState([]), { dryRun: true });
    // a is gone and its proxy too: a pass would release it, the dry run only shows that.
    expect(shown).toEqual({ 'Service/default/b': { http: 30002 }, 'Service/default/c': { http: 31000 } });
    expect({ ports: store.listNodePorts(), cursor: store.nodePortCursor() }).toEqual(before);
    expect(await settleNodePorts(deps, 't', next, observedState([]), { dryRun: false })).toEqual(shown);
    expect(store.listNodePorts('t').map((a) => a.port)).toEqual([30002, 31000]);
  });

  it.each([{ dryRun: false }, { dryRun: true }])(
    "a requested node port another app holds fails with the store's CONFLICT before anything changes (dryRun $dryRun)",
    async ({ dryRun }) => {
      const { store } = h.open();
      store.allocateNodePort('other', 'Service/default/x', 'http', 30080);
      const deps = { docker: fakeDocker(), store, procNet };
      const err = await settleNodePorts(deps, 't', desired(nodePortSvc('a'), nodePortSvc('b', 30080)), observedState([]), { dryRun }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'CONFLICT',
        message: 'nodePort 30080 requested by Service/default/b (app t) is already allocated to Service/default/x (app other)',
        data: { port: 30080, heldBy: { app: 'other', serviceKey: 'Service/default/x' } },
      });
      // a's allocation, planned before b's conflict, is not committed either.
      expect(store.listNodePorts('t')).toEqual([]);
    },
  );

  it('a port another app claims between reading and committing fails the commit whole (the store is the race guard)', async () => {
    const { store } = h.open();
    // The other app's pass claims 30000 while this one reads the host's ports.
    const docker = {
      api: {
        listContainers: async () => {
          store.allocateNodePort('other', 'Service/default/x', 'http', 30000, { cursor: 30001 });
          return [];
        },
      },
    } as unknown as DockerClient;
    const err = await settleNodePorts({ docker, store, procNet }, 't', desired(nodePortSvc('a'), nodePortSvc('b', 31000)), observedState([]), { dryRun: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFLICT', data: { port: 30000, heldBy: { app: 'other' } } });
    expect(store.listNodePorts('t')).toEqual([]);
    // The next pass reads again and takes the next free port.
    expect(await settleNodePorts({ docker: fakeDocker(), store, procNet }, 't', desired(nodePortSvc('a'), nodePortSvc('b', 31000)), observedState([]), { dryRun: false })).toEqual({
      'Service/default/a': { http: 30001 },
      'Service/default/b': { http: 31000 },
    });
  });

  it('reads the host only when a Service port needs a new number', async () => {
    const { store } = h.open();
    const docker = fakeDocker();
    await settleNodePorts({ docker, store, procNet }, 't', desired(nodePortSvc('a', 31000)), observedState([]), { dryRun: false });
    expect(docker.listed).toBe(0);
    await settleNodePorts({ docker, store, procNet }, 't', desired(nodePortSvc('a', 31000), nodePortSvc('b')), observedState([]), { dryRun: false });
    expect(docker.listed).toBe(1);
    await settleNodePorts({ docker, store, procNet }, 't', desired(nodePortSvc('a', 31000), nodePortSvc('b')), observedState([]), { dryRun: false });
    expect(docker.listed).toBe(1);
  });
});
