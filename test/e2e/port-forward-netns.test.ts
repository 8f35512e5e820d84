import { spawn } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import type { CliRun } from '../support/cli.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { BERTH_BIN, eventually, freePort } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';
import { stopDataplane } from './support/services.js';

/**
 * `berth port-forward` reaches the port inside the pod's network namespace, as kubectl's does
 * through the kubelet (issue 17): servers that listen on the pod's 127.0.0.1 only, which the pod
 * IP does not reach, answer through it, connection after connection, for a pod, a Service and
 * a hostNetwork pod. The relay container it runs is gone once it ends: by Ctrl-C, by a kill of
 * the berth process, or when the pod is deleted (then it says "lost connection to pod", exit 1).
 */
let t: E2eApp;
let hostPort: number;

const pod = (name: string, image: string, listen: string, extra = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  terminationGracePeriodSeconds: 1
${extra}  containers:
  - name: web
    image: ${image}
    command: [sh, -c, 'mkdir -p /www && echo "hello from ${name}" > /www/index.html && exec httpd -f -p ${listen} -h /www']
    ports: [{name: http, containerPort: 8080}]
`;

beforeAll(async () => {
  t = await createE2eApp('pfwd');
  const image = await ensureBusyboxImage(t.docker);
  hostPort = await freePort();
  await t.write({
    'lo.yaml': pod('lo', image, '127.0.0.1:8080'),
    'hostlo.yaml': pod('hostlo', image, `127.0.0.1:${hostPort}`, '  hostNetwork: true\n').replace(/ {4}ports: .*\n/, ''),
    'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: lo}\nspec:\n  selector: {app: lo}\n  ports: [{name: web, port: 80, targetPort: http}]\n',
  });
  const r = await t.berth('apply', '-f', t.dir, '--wait', '--allow-host-network');
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await stopDataplane(t);
  await t.cleanup();
});

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** The relay containers of this app (role port-forward), running or not. */
async function relays(): Promise<string[]> {
  return (await t.containers()).filter((c) => c.Labels['berth.role'] === 'port-forward').map((c) => c.Id);
}

/** Runs port-forward in-process until `stop` aborts; resolves the local port it printed. */
function forward(args: string[]): { stop: AbortController; running: Promise<CliRun> } {
  const stop = new AbortController();
  const running = runCli(['port-forward', ...args, '--app', t.app, '--state-dir', t.stateDir], { signal: stop.signal });
  return { stop, running };
}

describe('port-forward in the pod network namespace', () => {
  it.each([
    { what: 'pod/NAME with a named port', target: 'pod/lo', spec: (local: number) => `${local}:http`, remote: 8080, body: 'hello from lo' },
    { what: 'svc/NAME to its targetPort', target: 'svc/lo', spec: (local: number) => `${local}:80`, remote: 8080, body: 'hello from lo' },
    { what: 'a hostNetwork pod', target: 'hostlo', spec: (local: number) => `${local}:${hostPort}`, remote: -1, body: 'hello from hostlo' },
  ])('$what: a server on the pod\'s 127.0.0.1 answers, connection after connection; Ctrl-C leaves no relay', async ({ target, spec, remote, body }) => {
    const local = await freePort();
    const { stop, running } = forward([target, spec(local), '--address', '127.0.0.1']);
    expect(await eventually(`port-forward to answer on ${local}`, () => get(local).catch(() => undefined), 60_000)).toBe(body);
    for (let i = 0; i < 5; i++) expect(await get(local)).toBe(body);
    // Connections at once share the one relay.
    expect(await Promise.all(Array.from({ length: 8 }, () => get(local)))).toEqual(Array(8).fill(body));
    expect(await relays()).toHaveLength(1);
    stop.abort();
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toContain(`Forwarding from 127.0.0.1:${local} -> ${remote === -1 ? hostPort : remote}`);
    expect(r.stdout.split('\n').filter((l) => l === `Handling connection for ${local}`).length).toBeGreaterThanOrEqual(14);
    expect(await relays()).toEqual([]);
    await expect(get(local)).rejects.toThrow();
  });

  it(':REMOTE picks a free local port and prints it; a refused remote port fails that connection only; SIGINT ends it cleanly', async () => {
    const child = spawn(BERTH_BIN, ['port-forward', 'pod/lo', ':8080', ':9', '--address', '127.0.0.1', '--app', t.app, '--state-dir', t.stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const ports = await eventually('both listeners', () => {
        const web = /^Forwarding from 127\.0\.0\.1:(\d+) -> 8080$/m.exec(stdout)?.[1];
        const refused = /^Forwarding from 127\.0\.0\.1:(\d+) -> 9$/m.exec(stdout)?.[1];
        return web && refused ? { web: Number(web), refused: Number(refused) } : undefined;
      }, 60_000);
      expect(ports.web).not.toBe(ports.refused);
      await expect(get(ports.refused)).rejects.toThrow();
      expect(await get(ports.web)).toBe('hello from lo');
      expect(await get(ports.web)).toBe('hello from lo');
      expect(stderr).toContain(`error: an error occurred forwarding ${ports.refused} -> 9: error forwarding port 9 to pod lo: `);
      expect(stderr).toMatch(/ECONNREFUSED/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited, stderr).toBe(0);
    expect(await relays()).toEqual([]);
  });

  it('a killed berth process leaves no relay behind: Docker closes its stdin and removes it', async () => {
    const local = await freePort();
    const child = spawn(BERTH_BIN, ['port-forward', 'pod/lo', `${local}:8080`, '--address', '127.0.0.1', '--app', t.app, '--state-dir', t.stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      expect(await eventually(`port-forward to answer on ${local}`, () => get(local).catch(() => undefined), 60_000)).toBe('hello from lo');
      expect(await relays()).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await eventually('the relay to be removed', async () => ((await relays()).length === 0 ? true : undefined), 30_000)).toBe(true);
  });

  it('deleting the pod ends the forward: "lost connection to pod", exit 1, no relay left', async () => {
    const local = await freePort();
    const { running } = forward(['pod/lo', `${local}:8080`, '--address', '127.0.0.1']);
    expect(await eventually(`port-forward to answer on ${local}`, () => get(local).catch(() => undefined), 60_000)).toBe('hello from lo');
    const del = await t.berth('delete', 'pod', 'lo');
    expect(del.code, del.stderr).toBe(0);
    const r = await running;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lost connection to pod/);
    expect(await relays()).toEqual([]);
  });
});
