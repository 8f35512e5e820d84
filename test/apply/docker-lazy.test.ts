import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDockerClient } from '../../src/apply/docker.js';
import { systemClock } from '../../src/runtime/clock.js';

const require = createRequire(import.meta.url);
const loaded = (name: string) => Object.keys(require.cache).some((p) => p.includes(`/node_modules/${name}/`));

describe('dockerode loads without gRPC and ssh2', () => {
  it('keeps BuildKit sessions and ssh:// support unloaded until first use, then delegates to the real modules', () => {
    createDockerClient({ clock: systemClock });
    expect(loaded('@grpc/grpc-js')).toBe(false);
    expect(loaded('ssh2')).toBe(false);
    // The stand-in for docker-modem's ssh agent factory loads ssh2 on its first call.
    const modemMain = createRequire(require.resolve('dockerode')).resolve('docker-modem');
    const sshAgent = require(join(dirname(modemMain), 'ssh.js')) as (opts: object) => unknown;
    const agent = sshAgent({ host: '127.0.0.1', username: 'nobody' });
    expect(agent).toBeTypeOf('object');
    expect(loaded('ssh2')).toBe(true);
  });
});
