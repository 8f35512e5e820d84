import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import { ensureKeeper, KEEPER_NAME } from '../../src/apply/keeper.js';

/** What the engine holds: the keeper (if any) and the images with their build times. */
interface Engine {
  keeper?: { id: string; imageRef: string; imageId: string; running: boolean; labels?: Record<string, string> };
  images: Record<string, string | undefined>;
}

const notFound = () => Object.assign(new Error('no such object'), { statusCode: 404 });

/** A DockerClient answering the calls ensureKeeper makes from `engine`, recording the writes. */
function fakeDocker(engine: Engine): { docker: DockerClient; calls: string[] } {
  const calls: string[] = [];
  const api = {
    modem: { socketPath: '/var/run/docker.sock' },
    getContainer: (id: string) => ({
      inspect: () => {
        const k = engine.keeper;
        if (!k || (id !== KEEPER_NAME && id !== k.id)) return Promise.reject(notFound());
        return Promise.resolve({
          Id: k.id,
          Image: k.imageId,
          Config: { Labels: k.labels ?? { 'berth.managed': 'true', 'berth.role': 'keeper', 'berth.dataplane-image': k.imageRef } },
          State: { Running: k.running, Restarting: false },
        });
      },
      start: () => {
        calls.push(`start ${id}`);
        return Promise.resolve();
      },
      remove: () => {
        calls.push(`remove ${id}`);
        engine.keeper = undefined;
        return Promise.resolve();
      },
    }),
    getImage: (ref: string) => ({
      inspect: () => {
        const created = engine.images[ref];
        return created === undefined ? Promise.reject(notFound()) : Promise.resolve({ Id: ref, Created: created });
      },
    }),
    createContainer: (opts: { Image: string }) => {
      calls.push(`create ${opts.Image}`);
      return Promise.resolve({ start: () => Promise.resolve(calls.push('start new')) });
    },
  };
  return { docker: { api } as unknown as DockerClient, calls };
}

const images = (ref: string) => ({ sandbox: () => Promise.reject(new Error('not asked')), dataplane: () => Promise.resolve(ref) });

describe('ensureKeeper', () => {
  const early = '2026-12-01T10:00:00.000Z';
  const late = '2026-12-05T10:00:00.000Z';
  const cases: Array<{ name: string; engine: Engine; ours: string; want: string; calls: string[] }> = [
    { name: 'none yet: made', engine: { images: { 'dp:ours': late } }, ours: 'dp:ours', want: 'created', calls: ['create dp:ours', 'start new'] },
    {
      name: 'ours, running: nothing to do',
      engine: { keeper: { id: 'k1', imageRef: 'dp:ours', imageId: 'sha:ours', running: true }, images: { 'dp:ours': late, 'sha:ours': late } },
      ours: 'dp:ours',
      want: 'unchanged',
      calls: [],
    },
    {
      name: 'ours, stopped: started',
      engine: { keeper: { id: 'k1', imageRef: 'dp:ours', imageId: 'sha:ours', running: false }, images: { 'dp:ours': late } },
      ours: 'dp:ours',
      want: 'started',
      calls: ['start k1'],
    },
    {
      name: 'an older build made it: replaced (berth upgraded)',
      engine: { keeper: { id: 'k1', imageRef: 'dp:old', imageId: 'sha:old', running: true }, images: { 'dp:ours': late, 'sha:old': early } },
      ours: 'dp:ours',
      want: 'replaced',
      calls: ['remove k1', 'create dp:ours', 'start new'],
    },
    {
      name: 'a newer build made it: kept, so two builds on one host do not take turns',
      engine: { keeper: { id: 'k1', imageRef: 'dp:new', imageId: 'sha:new', running: true }, images: { 'dp:ours': early, 'sha:new': late } },
      ours: 'dp:ours',
      want: 'unchanged',
      calls: [],
    },
    {
      name: 'a newer build made it and it is stopped: started, not replaced',
      engine: { keeper: { id: 'k1', imageRef: 'dp:new', imageId: 'sha:new', running: false }, images: { 'dp:ours': early, 'sha:new': late } },
      ours: 'dp:ours',
      want: 'started',
      calls: ['start k1'],
    },
    {
      name: 'the same build time under another tag: kept (the same image retagged)',
      engine: { keeper: { id: 'k1', imageRef: 'dp:alias', imageId: 'sha:same', running: true }, images: { 'dp:ours': late, 'sha:same': late } },
      ours: 'dp:ours',
      want: 'unchanged',
      calls: [],
    },
    {
      name: 'its image is gone: replaced',
      engine: { keeper: { id: 'k1', imageRef: 'dp:gone', imageId: 'sha:gone', running: true }, images: { 'dp:ours': early } },
      ours: 'dp:ours',
      want: 'replaced',
      calls: ['remove k1', 'create dp:ours', 'start new'],
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const { docker, calls } = fakeDocker(c.engine);
      expect(await ensureKeeper(docker, images(c.ours))).toBe(c.want);
      expect(calls).toEqual(c.calls);
    });

  it('a container of that name berth did not make is refused, not replaced', async () => {
    const { docker, calls } = fakeDocker({ keeper: { id: 'x', imageRef: 'nginx', imageId: 'sha:x', running: true, labels: {} }, images: { 'dp:ours': late } });
    await expect(ensureKeeper(docker, images('dp:ours'))).rejects.toMatchObject({ code: 'NOT_OWNED' });
    expect(calls).toEqual([]);
  });
});
