import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeProxyConfig } from '../../src/dataplane/protocol.js';
import type { Defer } from './helpers.js';
import { fetchId, freePort, openClient, proxyConfig, sleep, startTcpBackend, tempDir, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Proc {
  child: ChildProcess;
  lines: () => Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Runs the real entry point (through tsx, as `node proxy.js` runs the compiled one). */
function runProxy(defer: Defer, args: string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/dataplane/proxy.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  defer(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    exited,
    lines: () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

async function startConfigured(graceMs: number) {
  const backend = await startTcpBackend(defer, 'a');
  const dir = await tempDir(defer);
  const port = await freePort();
  const proc = runProxy(defer, ['--config-dir', dir, '--listen-host', '127.0.0.1', '--poll-ms', '50', '--grace-ms', String(graceMs)]);
  const { fileName, content } = encodeProxyConfig(proxyConfig([{ name: 'main', protocol: 'TCP', port, targetPort: backend.port }], [{ ip: '127.0.0.1', ready: true }]), 1);
  await writeFile(join(dir, fileName), content);
  await waitFor(async () => (JSON.parse(await readFile(join(dir, 'status.json'), 'utf8')) as { generation: number }).generation === 1, 'proxy process to apply', 15_000);
  return { proc, port, dir };
}

describe('proxy process', () => {
  it('on SIGTERM stops accepting, lets open connections finish, then exits 0', async () => {
    const { proc, port } = await startConfigured(5_000);
    const held = await openClient(port, defer);
    await held.waitFor('a\n');

    proc.child.kill('SIGTERM');
    await waitFor(async () => fetchId(port).then(() => false, (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED'), 'listener to close');
    held.socket.write('still\n');
    await held.waitFor('still\n');
    expect(proc.child.exitCode).toBeNull();

    held.socket.end();
    expect(await proc.exited).toBe(0);
    const lines = proc.lines();
    // 'reconfigured' comes first when the config was already there at start.
    expect(lines.map((l) => l.msg).sort()).toEqual(['reconfigured', 'shutting down', 'started', 'stopped']);
    expect(lines.slice(-2).map((l) => l.msg)).toEqual(['shutting down', 'stopped']);
    expect(lines.find((l) => l.msg === 'reconfigured')).toMatchObject({ level: 30, component: 'proxy', generation: 1, service: 'default/web', endpoints: 1 });
  }, 30_000);

  it('cuts connections still open when the grace period ends', async () => {
    const { proc, port } = await startConfigured(300);
    const held = await openClient(port, defer);
    await held.waitFor('a\n');
    const t0 = Date.now();
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await held.ended).toBe('a\n');
  }, 30_000);

  it('exits 2 on a usage error', async () => {
    const proc = runProxy(defer, ['--no-such-flag']);
    expect(await proc.exited).toBe(2);
    await sleep(0);
  }, 30_000);
});
