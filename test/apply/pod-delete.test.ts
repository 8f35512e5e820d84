import type Dockerode from 'dockerode';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import type { PodContext } from '../../src/apply/pod-context.js';
import { deletePod } from '../../src/apply/pod-delete.js';
import { FakeClock } from '../support/fake-clock.js';

/**
 * deletePod's removal order against a fake engine: whatever joined the pod's network namespace
 * (an init or app container of a sandbox pod, a port-forward relay) is removed before the
 * container that owns the namespace, and that owner alone after: dockerd 20.10 keeps a phantom
 * endpoint when both go at once.
 */
type Box = { id: string; labels: Record<string, string>; ip?: string };

const base = { 'berth.managed': 'true', 'berth.app': 'a', 'berth.namespace': 'default', 'berth.name': 'p', 'berth.kind': 'Pod' };
const box = (id: string, role: string, more: Record<string, string> = {}): Box => ({ id, labels: { ...base, 'berth.role': role, ...more } });

function engine(boxes: Box[]) {
  /** Removal batches: the ids removed while no other removal had ended yet in between. */
  const removed: string[][] = [];
  let open: string[] | undefined;
  const api = {
    listContainers: async (o: { all?: boolean }) =>
      o.all ? boxes.map((b) => ({ Id: b.id, Names: [`/${b.id}`], State: 'exited', Labels: b.labels, NetworkSettings: { Networks: b.ip ? { berth_a_default: { IPAMConfig: { IPv4Address: b.ip } } } : {} }, Created: 1 })) : [],
    listVolumes: async () => ({ Volumes: [] }),
    getContainer: (id: string) => ({
      remove: async () => {
        if (!open) {
          open = [];
          removed.push(open);
          // Everything removed in the same tick is one batch (a Promise.all).
          setImmediate(() => (open = undefined));
        }
        open.push(id);
        await new Promise((r) => setImmediate(r));
      },
    }),
  } as unknown as Dockerode;
  return { docker: { api } as DockerClient, removed };
}

describe('deletePod removal order', () => {
  const cases: Array<{ name: string; boxes: Box[]; batches: string[][] }> = [
    { name: 'a sandbox pod: its containers, then its sandbox', boxes: [box('app', 'container'), box('init', 'init'), box('sb', 'sandbox')], batches: [['app', 'init'], ['sb']] },
    {
      name: 'a single pod with a port-forward relay: the relay, then the pod\'s own container',
      boxes: [box('app', 'container', { 'berth.pod-shape': 'single' }), box('relay', 'port-forward')],
      batches: [['relay'], ['app']],
    },
    { name: 'a single pod alone: its container', boxes: [box('app', 'container', { 'berth.pod-shape': 'single' })], batches: [[], ['app']] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const e = engine(c.boxes);
      const ctx = { docker: e.docker, app: 'a', clock: new FakeClock(), warn: () => undefined, safeMountRoot: mkdtempSync(join(tmpdir(), 'berth-pd-')) } as unknown as PodContext;
      await deletePod(ctx, 'default', 'p', { gracePeriodSeconds: 0 });
      expect(e.removed.map((b) => b.sort())).toEqual(c.batches.filter((b) => b.length > 0));
    });
  }

  it('releases only the claim the pod held: dated no later than its termination began, at its owner\'s address', async () => {
    const e = engine([{ ...box('app', 'container', { 'berth.pod-shape': 'single' }), ip: '172.31.248.7' }, box('relay', 'port-forward')]);
    const clock = new FakeClock();
    const releases: unknown[][] = [];
    const book = { releasePodIp: (...args: unknown[]) => (releases.push(args), true) };
    const ctx = { docker: e.docker, app: 'a', clock, warn: () => undefined, safeMountRoot: mkdtempSync(join(tmpdir(), 'berth-pd-')), podIps: { book, views: new Map() } } as unknown as PodContext;
    await deletePod(ctx, 'default', 'p', { gracePeriodSeconds: 0 });
    expect(releases).toEqual([['berth_a_default', 'default/p', { before: clock.now(), ip: '172.31.248.7' }]]);
    await deletePod(ctx, 'default', 'p', { gracePeriodSeconds: 0, keepAddress: true });
    expect(releases).toHaveLength(1);
  });
});
