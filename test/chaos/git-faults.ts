/**
 * A Git server that fails while a daemon follows it (SPEC §3): 500s, the server down, a request
 * that hangs, and a force-push. Through a fault the last good revision keeps running and the
 * status says the source is failing; once the server is back the daemon follows it again.
 */
import { createServer, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { makeRepo, makeTempDir, startGitServer, type GitServer } from '../support/git-server.js';
import { killDaemons, startDaemon, status, type DaemonProcess } from '../e2e/support/daemon.js';
import { synced } from './kill9.js';
import { chaosApp, cleanupApp, errorText, inventory, row, webDeployment, within, type Row } from './support.js';

export type GitFault = '500' | 'down' | 'hang' | 'force-push';
type Mode = 'pass' | '500' | 'hang';

/** An HTTP proxy in front of the Git server that passes, answers 500, or never answers; `down` closes its port. */
async function faultProxy(upstreamPort: number, port = 0): Promise<{ port: number; mode: Mode; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { mode: 'pass' as Mode };
  const server: Server = createServer((req, res) => {
    if (state.mode === '500') {
      req.resume();
      res.writeHead(500, { 'content-type': 'text/plain' }).end('chaos: internal server error\n');
      return;
    }
    if (state.mode === 'hang') return void req.resume();
    const up = request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  const bound = (server.address() as { port: number }).port;
  return {
    port: bound,
    get mode() {
      return state.mode;
    },
    // Every request reads the mode when it arrives, on open keep-alive connections too; they
    // are not cut (a reset would be another fault than the one asked for).
    set mode(m: Mode) {
      state.mode = m;
    },
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), [...sockets].forEach((s) => s.destroy()))),
  };
}

/** How long a hung fetch takes to fail: the daemon's Git timeout (sources/git-remote.ts DEFAULT_TIMEOUT_MS, 120 s) and a margin. */
const HANG_REPORTED_MS = 150_000;

export async function gitFaults(faults: GitFault[]): Promise<Row[]> {
  const rows: Row[] = [];
  const root = await makeTempDir('berth-chaos-git-');
  let server: GitServer | undefined;
  let proxy: Awaited<ReturnType<typeof faultProxy>> | undefined;
  const t = await chaosApp('git');
  try {
    server = await startGitServer({ root: root.path });
    proxy = await faultProxy(server.port);
    const repo = await makeRepo(server.root, 'app.git', { files: { 'web.yaml': webDeployment({ replicas: 1, readyAfterMs: 0 }) } });
    const d: DaemonProcess = await startDaemon(['--repo', `http://127.0.0.1:${proxy.port}/app.git`, '--interval', '1s', '--app', t.app, '--state-dir', t.stateDir]);
    if (!(await synced(d, await repo.revParse('main'), 120_000))) throw new Error('the first revision never synced');
    let replicas = 1;
    for (const fault of faults) {
      const r = row(`git: ${fault}`);
      rows.push(r);
      r.runs++;
      try {
        const good = (await status(d)).sync.appliedRevision!;
        if (fault === 'force-push') {
          // History rewritten under the daemon: it follows the new tip like any change.
          replicas = replicas === 1 ? 2 : 1;
          const tip = await repo.forcePush({ 'web.yaml': webDeployment({ replicas, readyAfterMs: 0 }) });
          if (await synced(d, tip, 90_000)) r.converged++;
          else r.failures.push(`the force-pushed tip never synced: ${JSON.stringify((await status(d)).sync)}`);
        } else {
          if (fault === 'down') await proxy.close();
          else proxy.mode = fault;
          // A change pushed during the fault cannot be seen; the last good revision keeps running.
          replicas = replicas === 1 ? 2 : 1;
          const next = await repo.commitFiles({ 'web.yaml': webDeployment({ replicas, readyAfterMs: 0 }) });
          const reported = await within(fault === 'hang' ? HANG_REPORTED_MS : 30_000, async () => {
            const s = (await d.api('/api/v1/status')).body as { source: { consecutiveFailures: number; lastError?: { code: string; message: string } }; sync: { state: string; appliedRevision: string } };
            return s.source.consecutiveFailures >= 1 && s.sync.state !== 'Synced' ? s : undefined;
          }, 500);
          const inv = await inventory(t, { 'Deployment/default/web': replicas === 1 ? 2 : 1 });
          const stillRuns = inv.notRunning.length === 0 && inv.images('Deployment/default/web').length === (replicas === 1 ? 2 : 1);
          if (!reported) r.failures.push(`status did not report the fault: ${JSON.stringify((await status(d)).source)}`);
          else r.notes.push(`reported as ${reported.sync.state}, ${reported.source.lastError?.code ?? 'no code'}: ${reported.source.lastError?.message ?? ''}`);
          if (!stillRuns || (reported && reported.sync.appliedRevision !== good)) r.failures.push(`the last good revision did not keep running: ${inv.notRunning.join(', ')}`);
          if (fault === 'down') proxy = await faultProxy(server.port, proxy.port);
          else proxy.mode = 'pass';
          if (await synced(d, next, 120_000)) r.converged++;
          else r.failures.push(`did not recover: ${JSON.stringify((await status(d)).source)}`);
        }
        const inv = await inventory(t, { 'Deployment/default/web': replicas });
        if (inv.duplicates.length > 0) r.duplicates++, r.failures.push(inv.duplicates.join('; '));
        if (inv.orphans.length > 0) r.orphans++, r.failures.push(inv.orphans.join('; '));
      } catch (err) {
        r.failures.push(`aborted: ${errorText(err)}`);
      }
    }
    d.kill('SIGTERM');
    await d.exited;
  } catch (err) {
    rows.push({ ...row('git: setup'), failures: [`aborted: ${errorText(err)}`] });
  } finally {
    await killDaemons();
    await proxy?.close();
    await server?.close();
    await cleanupApp(t);
    await root.cleanup();
  }
  return rows;
}
