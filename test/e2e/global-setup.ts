import Dockerode from 'dockerode';
import { createDockerClient } from '../../src/apply/docker.js';
import { buildExampleImages } from '../../scripts/images.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { systemClock } from '../../src/runtime/clock.js';

/**
 * e2e tests run against a real Docker engine and never skip (DEVELOPERS.md): with no engine
 * the whole e2e project fails here, loudly, before any test runs. The shared busybox test
 * image is built once up front so individual tests do not race to build it.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const docker = new Dockerode(process.env.DOCKER_HOST ? hostOptions(process.env.DOCKER_HOST) : {});
  try {
    const v = await docker.version();
    process.stderr.write(`e2e: Docker ${v.Version} (API ${v.ApiVersion}, ${v.Arch})\n`);
  } catch (err) {
    throw new Error(`e2e tests need a running Docker engine (${(err as Error).message}); run .ci/run, which installs and starts one`);
  }
  await ensureBusyboxImage(docker);
  // The example images (node web app v1/v2/broken, busybox) serve the converge, rollout and
  // service tests as they serve the README walkthrough.
  await buildExampleImages(createDockerClient({ clock: systemClock, ...(process.env.DOCKER_HOST ? { host: process.env.DOCKER_HOST } : {}) }));
  // Every pass that runs pods makes the host's pod keeper (apply/keeper.ts): one container for
  // the whole host, which no single test owns. The suite made it, so the suite removes it.
  return async () => {
    const keepers = await docker.listContainers({ all: true, filters: { label: ['berth.managed=true', 'berth.role=keeper'] } });
    for (const k of keepers) await docker.getContainer(k.Id).remove({ force: true });
  };
}

function hostOptions(host: string): Dockerode.DockerOptions {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const u = new URL(host.replace(/^tcp:/, 'http:'));
  return { host: u.hostname, port: Number(u.port || 2375) };
}
