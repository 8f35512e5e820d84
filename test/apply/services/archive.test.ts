import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { getFile } from '../../../src/apply/services/archive.js';
import { packRootfs } from '../../../src/apply/images/rootfs.js';

/** A container whose archive API answers with these bytes (the control flow only; e2e tests read real ones). */
function answering(bytes: Buffer): Dockerode.Container {
  return { getArchive: async () => Readable.from([bytes]) } as unknown as Dockerode.Container;
}

describe('getFile', () => {
  it('reads the one file of the archive', async () => {
    const tarball = await packRootfs([{ type: 'file', path: 'status.json', content: Buffer.from('{"generation":3}'), mode: 0o644 }]);
    expect(await getFile(answering(tarball), '/berth/status.json')).toBe('{"generation":3}');
  });

  it('a truncated archive fails the read, and only the read (not an uncaught error of the process)', async () => {
    const content = Buffer.alloc(4096, 'x');
    const tarball = await packRootfs([{ type: 'file', path: 'status.json', content, mode: 0o644 }]);
    // The header and half the file: dockerd stopped sending.
    await expect(getFile(answering(tarball.subarray(0, 512 + 2048)), '/berth/status.json')).rejects.toThrow('Unexpected end of data');
  });
});
