/**
 * bench:apply's floors: the containers of a cold apply made with bare dockerode calls, no tool
 * around them, `concurrency` at a time. 'pods' is what berth makes per pod (a sandbox owning
 * the network namespace, the app container joining it, created while the sandbox starts);
 * 'containers' is what compose makes (one container owning its namespace).
 */
import type { DockerClient } from '../src/apply/docker.js';
import { ensureSandboxImage } from '../src/apply/images/index.js';

export type FloorShape = 'pods' | 'containers';

export interface FloorOptions {
  image: string;
  count: number;
  concurrency: number;
}

/** Floors made by this process, for unique network names. */
let floors = 0;

/** Wall time of `count` pods (or plain containers) made with bare Docker calls; they are removed after. */
export async function floor(docker: DockerClient, shape: FloorShape, o: FloorOptions): Promise<number> {
  const sandboxImage = await ensureSandboxImage(docker);
  // A name of its own per call: one dockerd could not remove (below) must not make the next
  // round's name ambiguous.
  const network = `berth-bench-floor-${process.pid}-${shape}-${++floors}`;
  const labels = { 'berth-bench.floor': String(process.pid) };
  await docker.api.createNetwork({ Name: network, Driver: 'bridge', Labels: labels });
  // Containers that own a network namespace, and those that join one (removed first).
  const owners: string[] = [];
  const joined: string[] = [];
  const app = async () => {
    if (shape === 'containers') {
      const c = await docker.api.createContainer({ Image: o.image, Cmd: ['sleep', '100000'], Labels: labels, HostConfig: { NetworkMode: network } });
      owners.push(c.id);
      await c.start();
      return;
    }
    const sandbox = await docker.api.createContainer({ Image: sandboxImage, Labels: labels, HostConfig: { NetworkMode: network, IpcMode: 'shareable' } });
    owners.push(sandbox.id);
    const started = sandbox.start();
    const c = await docker.api.createContainer({
      Image: o.image,
      Cmd: ['sleep', '100000'],
      Labels: labels,
      HostConfig: { NetworkMode: `container:${sandbox.id}`, IpcMode: `container:${sandbox.id}` },
    });
    joined.push(c.id);
    await started;
    await c.start();
  };
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < o.count) {
        next++;
        await app();
      }
    }),
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  // Stop, then remove, `concurrency` at a time: force-removing 200 running containers at once
  // can leave dockerd 20.10 counting endpoints that are gone, and the network then never goes.
  for (const queue of [joined, owners]) {
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          await docker.api.getContainer(id).stop({ t: 0 }).catch(() => undefined);
          await docker.api.getContainer(id).remove({ force: true, v: true });
        }
      }),
    );
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await docker.api.getNetwork(network).remove();
      break;
    } catch (err) {
      if (attempt === 10) {
        console.error(`bench:apply: could not remove network ${network} (${(err as Error).message.trim()}); a dockerd restart clears it`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return ms;
}
