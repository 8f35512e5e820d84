import type Dockerode from 'dockerode';
import tar from 'tar-stream';
import { isNotFound } from '../docker.js';
import { packRootfs } from '../images/rootfs.js';

/**
 * Files in and out of data-plane containers through Docker's archive API: works before the
 * container starts, with a remote engine, and with berth itself in a container.
 */
export async function putFile(container: Dockerode.Container, dir: string, name: string, content: string | Buffer): Promise<void> {
  const tarball = await packRootfs([{ type: 'file', path: name, content: Buffer.isBuffer(content) ? content : Buffer.from(content), mode: 0o644 }]);
  await container.putArchive(tarball, { path: dir });
}

/**
 * Several files in one archive, extracted in order: the edge's certificates go before the
 * fragment that names them, so the edge never reads a fragment whose files are not there yet.
 */
export async function putFiles(container: Dockerode.Container, dir: string, files: ReadonlyArray<{ path: string; content: string | Buffer; mode?: number }>): Promise<void> {
  const tarball = await packRootfs(files.map((f) => ({ type: 'file' as const, path: f.path, content: Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content), mode: f.mode ?? 0o644 })));
  await container.putArchive(tarball, { path: dir });
}

/**
 * Reads one file, or undefined when it does not exist. The whole response is drained before
 * the tar is parsed: dockerd holds the container's lock until the archive has been read to the
 * end (docs/dataplane.md), so stopping early would stall every other call on the container.
 */
export async function getFile(container: Dockerode.Container, path: string): Promise<string | undefined> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await container.getArchive({ path })) as NodeJS.ReadableStream;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const extract = tar.extract();
  let text: string | undefined;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (_header, body, next) => {
      const parts: Buffer[] = [];
      // A truncated archive (the file changed size while dockerd sent it: the data plane
      // rewrites its status every 500 ms) fails the entry's stream too; unheard, that error
      // was an uncaught exception that ended the process instead of this read.
      body.on('error', reject);
      body.on('data', (d: unknown) => parts.push(d as Buffer));
      body.on('end', () => {
        text ??= Buffer.concat(parts).toString('utf8');
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(Buffer.concat(chunks));
  await done;
  return text;
}
