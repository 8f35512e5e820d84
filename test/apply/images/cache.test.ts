import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../../src/apply/docker.js';
import { createImageCache } from '../../../src/apply/images/cache.js';

/** A Docker that reports amd64 and has every image; `version` fails while `failures` lasts. */
function fakeDocker(failures = 0): { docker: DockerClient; versionCalls: () => number } {
  let calls = 0;
  const api = {
    version: async () => {
      calls++;
      if (calls <= failures) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return { Arch: 'amd64' };
    },
    getImage: () => ({ inspect: async () => ({}) }),
  };
  return { docker: { api } as unknown as DockerClient, versionCalls: () => calls };
}

describe('image cache (one per composition root)', () => {
  it('concurrent and later callers share one sandbox check', async () => {
    const { docker, versionCalls } = fakeDocker();
    const cache = createImageCache(docker);
    const refs = await Promise.all([cache.sandbox(), cache.sandbox(), cache.sandbox()]);
    expect(new Set(refs).size).toBe(1);
    await cache.sandbox();
    expect(versionCalls()).toBe(1);
  });

  it('forgets a failure, so the next pod tries again', async () => {
    const { docker, versionCalls } = fakeDocker(1);
    const cache = createImageCache(docker);
    await expect(cache.sandbox()).rejects.toMatchObject({ code: 'DOCKER_UNREACHABLE' });
    await expect(cache.sandbox()).resolves.toMatch(/pause/);
    expect(versionCalls()).toBe(2);
  });

  it('two roots do not share what they found (no module state)', async () => {
    const a = fakeDocker();
    const b = fakeDocker();
    await createImageCache(a.docker).sandbox();
    await createImageCache(b.docker).sandbox();
    expect([a.versionCalls(), b.versionCalls()]).toEqual([1, 1]);
  });
});
