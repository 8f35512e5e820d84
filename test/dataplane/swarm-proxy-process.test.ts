import { spawn } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeSwarmProxySpec } from '../../src/dataplane/swarm-proxy-spec.js';
import { freePort, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the real entry point (through tsx, as `node /app/swarm-proxy.js` runs the compiled one). */
function run(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/dataplane/swarm-proxy.ts'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  defer(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const lines = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, exited, lines, stderr: () => err };
}

describe('swarm proxy process', () => {
  it('exits 2 and names every problem when BERTH_SWARM_PROXY is invalid', async () => {
    const proc = run({ BERTH_SWARM_PROXY: JSON.stringify({ service: { namespace: 'default', name: 'web' }, ports: [{ name: '', protocol: 'TCP', port: 80 }], sessionAffinity: { type: 'None' }, backends: ['a b'] }) });
    expect(await proc.exited).toBe(2);
    expect(proc.stderr()).toContain('invalid BERTH_SWARM_PROXY:\n  spec.ports[0].targetPort: must be an integer from 1 to 65535\n  spec.backends[0]: must be a DNS name');
  }, 30_000);

  it('exits 2 when BERTH_SWARM_PROXY is not set', async () => {
    const proc = run({});
    expect(await proc.exited).toBe(2);
    expect(proc.stderr()).toContain('BERTH_SWARM_PROXY: must be set');
  }, 30_000);

  it('listens on the spec\'s ports and on SIGTERM stops accepting and exits 0', async () => {
    const port = await freePort();
    const spec = encodeSwarmProxySpec({ service: { namespace: 'default', name: 'web' }, ports: [{ name: '', protocol: 'TCP', port, targetPort: 8080 }], sessionAffinity: { type: 'None' }, backends: [] });
    const proc = run({ BERTH_SWARM_PROXY: spec }, ['--listen-host', '127.0.0.1']);
    await waitFor(() => proc.lines().some((l) => l.msg === 'started'), 'started', 15_000);
    // No backend resolves: a client is refused at once (RST), not left hanging.
    await expect(
      new Promise((resolve, reject) => net.connect(port, '127.0.0.1').on('error', reject).on('close', resolve).on('data', () => reject(new Error('data')))),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.lines().map((l) => l.msg)).toEqual(['reconfigured', 'started', 'shutting down', 'stopped']);
    expect(proc.lines()[0]).toMatchObject({ component: 'swarm-proxy', service: 'default/web', endpoints: 0, backends: {} });
  }, 30_000);
});
