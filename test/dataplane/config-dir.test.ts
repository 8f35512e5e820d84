import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeProxyConfig } from '../../src/dataplane/protocol.js';
import { fetchId, freePort, proxyConfig, sleep, startTcpBackend, startTestProxy, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();

async function setup(watch: boolean) {
  const [a, b] = await Promise.all(['a', 'b'].map((id) => startTcpBackend(defer, id)));
  const proxy = await startTestProxy(defer, { watch });
  const port = await freePort();
  const cfg = (backend: typeof a) => proxyConfig([{ name: 'main', protocol: 'TCP', port, targetPort: backend!.port }], [{ ip: '127.0.0.1', ready: true }]);
  return { a: a!, b: b!, proxy, port, cfg };
}

describe('config directory protocol', () => {
  it('writes an initial status before any config arrives', async () => {
    const proxy = await startTestProxy(defer);
    const s = await proxy.readStatus();
    expect(s).toMatchObject({ kind: 'proxy', generation: 0, checksum: null, appliedAt: null, listening: [], endpoints: [], errors: [] });
  });

  it.each([
    ['with fs.watch', true],
    ['by polling alone', false],
  ])('ignores a partial file until it is complete (%s)', async (_how, watch) => {
    const { a, b, proxy, port, cfg } = await setup(watch);
    await proxy.configure(cfg(a), 1);
    expect(await fetchId(port)).toBe('a');

    const next = encodeProxyConfig(cfg(b), 2);
    const path = join(proxy.dir, next.fileName);
    // Extraction in progress: a prefix of the file, growing.
    await writeFile(path, next.content.slice(0, 40));
    await waitFor(async () => (await proxy.readStatus()).errors.some((e) => e.file === 'config-2.json'), 'partial file reported');
    await writeFile(path, next.content.slice(0, next.content.length - 3));
    await sleep(200);
    const during = await proxy.readStatus();
    expect(during.generation).toBe(1);
    expect(during.errors).toEqual([expect.objectContaining({ code: 'NOT_JSON', file: 'config-2.json', generation: 2 })]);
    expect(await fetchId(port)).toBe('a');

    await writeFile(path, next.content);
    const done = await waitFor(async () => {
      const s = await proxy.readStatus();
      return s.generation === 2 ? s : undefined;
    }, 'generation 2');
    expect(done.errors).toEqual([]);
    expect(done.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await fetchId(port)).toBe('b');
    // Superseded generations are deleted; the applied one stays for restarts.
    expect((await readdir(proxy.dir)).filter((n) => n.startsWith('config-'))).toEqual(['config-2.json']);
  });

  it('never applies a garbled file that parses but fails its checksum', async () => {
    const { a, b, proxy, port, cfg } = await setup(true);
    await proxy.configure(cfg(a), 1);
    const next = encodeProxyConfig(cfg(b), 2);
    await writeFile(join(proxy.dir, next.fileName), next.content.replace(String(b.port), String(a.port + 0)).replace('"ready": true', '"ready": false'));
    await waitFor(async () => (await proxy.readStatus()).errors.some((e) => e.code === 'CHECKSUM_MISMATCH'), 'checksum error');
    expect((await proxy.readStatus()).generation).toBe(1);
    expect(await fetchId(port)).toBe('a');
  });

  it('applies the highest generation that verifies when several are present', async () => {
    const { a, b, proxy, port, cfg } = await setup(true);
    await proxy.configure(cfg(a), 1);
    const g3 = encodeProxyConfig(cfg(b), 3);
    const g4 = encodeProxyConfig(cfg(a), 4);
    await writeFile(join(proxy.dir, g3.fileName), g3.content);
    await writeFile(join(proxy.dir, g4.fileName), g4.content.slice(0, 100)); // still arriving
    await waitFor(async () => (await proxy.readStatus()).generation === 3, 'generation 3');
    expect(await fetchId(port)).toBe('b');
    await writeFile(join(proxy.dir, g4.fileName), g4.content);
    await waitFor(async () => (await proxy.readStatus()).generation === 4, 'generation 4');
    expect(await fetchId(port)).toBe('a');
  });

  it('reports and drops a file whose generation is not above the applied one', async () => {
    const { a, b, proxy, cfg } = await setup(true);
    await proxy.configure(cfg(a), 5);
    const old = encodeProxyConfig(cfg(b), 4);
    await writeFile(join(proxy.dir, old.fileName), old.content);
    const s = await waitFor(async () => {
      const st = await proxy.readStatus();
      return st.errors.length > 0 ? st : undefined;
    }, 'stale error');
    expect(s.generation).toBe(5);
    expect(s.errors).toEqual([expect.objectContaining({ code: 'STALE_GENERATION', file: 'config-4.json', generation: 4 })]);
    expect((await readdir(proxy.dir)).filter((n) => n.startsWith('config-'))).toEqual(['config-5.json']);
  });

  it('applies what is already in the directory when it starts (container restart)', async () => {
    const { a, proxy, port, cfg } = await setup(true);
    await proxy.configure(cfg(a), 9);
    await proxy.program.shutdown(0);
    const restarted = await import('../../src/dataplane/proxy-program.js').then((m) =>
      m.startProxyProgram({ configDir: proxy.dir, listenHost: '127.0.0.1', pollMs: 50, statusIntervalMs: 100, connectTimeoutMs: 1000, udpIdleMs: 1000, log: proxy.log, now: () => Date.now() }),
    );
    defer(() => restarted.shutdown(0));
    const status = JSON.parse(await readFile(join(proxy.dir, 'status.json'), 'utf8')) as { generation: number };
    expect(status.generation).toBe(9);
    expect(await fetchId(port)).toBe('a');
  });
});
