import type { DockerClient } from '../docker.js';
import { ensureDataplaneImage } from './dataplane.js';
import { ensureSandboxImage } from './index.js';

/**
 * berth's own images (the pod sandbox, the data plane), made ready once per composition root
 * (runtime/compose.ts) rather than once per module: a failure is forgotten so the next pod
 * tries again, and concurrent pods of one pass wait for the same import or build.
 */
export interface ImageCache {
  sandbox(): Promise<string>;
  dataplane(): Promise<string>;
}

export function createImageCache(docker: DockerClient): ImageCache {
  return { sandbox: once(() => ensureSandboxImage(docker)), dataplane: once(() => ensureDataplaneImage(docker)) };
}

function once(make: () => Promise<string>): () => Promise<string> {
  let pending: Promise<string> | undefined;
  return () =>
    (pending ??= make().catch((err: unknown) => {
      pending = undefined;
      throw err;
    }));
}
