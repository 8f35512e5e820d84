/**
 * kill -9 of the daemon at a random point of a rollout, then a restart (SPEC §3, §8): the new
 * daemon converges to the pushed revision with exactly the replicas, no pod twice, no
 * container without its sandbox, and everything running.
 */
import { makeRepo, startGitServer } from '../support/git-server.js';
import { killDaemons, startDaemon, status, type DaemonProcess } from '../e2e/support/daemon.js';
import { chaosApp, cleanupApp, errorText, inventory, row, webDeployment, within, type Row } from './support.js';

const OWNER = 'Deployment/default/web';
const REPLICAS = 3;
/** A rollout of 3 replicas that each get ready after 1.5 s takes about 6–9 s: kill somewhere in it. */
const KILL_WINDOW_MS = 6_000;

export async function killNine(runs: number): Promise<Row> {
  const r = row('kill -9 daemon mid-rollout, restart');
  const server = await startGitServer();
  const t = await chaosApp('kill9');
  try {
    const repo = await makeRepo(server.root, 'kill9.git', { files: { 'web.yaml': webDeployment({ version: '1.0', replicas: REPLICAS }) } });
    const args = ['--repo', server.url('kill9.git'), '--interval', '1s', '--app', t.app, '--state-dir', t.stateDir];
    let d: DaemonProcess = await startDaemon(args);
    if (!(await synced(d, await repo.revParse('main'), 120_000))) throw new Error(`the first revision never synced: ${JSON.stringify(await status(d).catch(() => null))}`);
    const delays: string[] = [];
    for (let i = 0; i < runs; i++) {
      r.runs++;
      const version = i % 2 === 0 ? '2.0' : '1.0';
      const rev = await repo.commitFiles({ 'web.yaml': webDeployment({ version, replicas: REPLICAS }) });
      // From the first container of the new image on (the daemon polls every second), a random moment.
      const image = `berth-examples/web:${version}`;
      await within(30_000, async () => ((await inventory(t, {})).images(OWNER).includes(image) ? true : undefined), 100);
      const delay = Math.floor(Math.random() * KILL_WINDOW_MS);
      await new Promise((res) => setTimeout(res, delay));
      d.kill('SIGKILL');
      const mid = (await inventory(t, {})).images(OWNER);
      delays.push(`${delay}${mid.every((x) => x === image) && mid.length === REPLICAS ? ' (after the rollout)' : ''}`);
      await d.exited;
      d = await startDaemon(args);
      const ok = await synced(d, rev, 120_000);
      const inv = await inventory(t, { [OWNER]: REPLICAS });
      const images = inv.images(OWNER);
      const right = images.length === REPLICAS && images.every((x) => x === `berth-examples/web:${version}`) && inv.notRunning.length === 0;
      if (ok && right && (inv.pods.get(OWNER)?.length ?? 0) === REPLICAS) r.converged++;
      else {
        // Stuck, or only reported Synced too early? Look again a little later, for the report.
        const st = (await d.api('/api/v1/status')).body as { sync: unknown; lastPass: unknown };
        const revs = (await d.api('/api/v1/revisions')).text.replace(/\s+/g, ' ').slice(0, 600);
        await new Promise((res) => setTimeout(res, 20_000));
        const later = (await inventory(t, { [OWNER]: REPLICAS })).images(OWNER);
        r.failures.push(`run ${i + 1} (kill after ${delay} ms): synced ${ok}, images ${images.join(',')}, not running ${inv.notRunning.join(',') || 'none'}; status ${JSON.stringify(st.sync)} last pass ${JSON.stringify(st.lastPass)}; revisions ${revs}; 20 s later: ${later.join(',')}`);
      }
      if (inv.duplicates.length > 0) r.duplicates++, r.failures.push(`run ${i + 1}: duplicates ${inv.duplicates.join('; ')}`);
      if (inv.orphans.length > 0) r.orphans++, r.failures.push(`run ${i + 1}: orphans ${inv.orphans.join('; ')}`);
    }
    r.notes.push(`killed ${delays.join(', ')} ms after the rollout's first new container`);
    d.kill('SIGTERM');
    await d.exited;
  } catch (err) {
    r.failures.push(`aborted: ${errorText(err)}`);
  } finally {
    await killDaemons();
    await cleanupApp(t);
    await server.close();
  }
  return r;
}

/** The daemon applied `revision`, reports Synced and has nothing left to do. */
export async function synced(d: DaemonProcess, revision: string, ms: number): Promise<boolean> {
  const s = await within(ms, async () => {
    const s = await status(d);
    return s.sync.appliedRevision === revision && s.sync.state === 'Synced' && !s.loop.running && s.loop.pending.length === 0 ? s : undefined;
  });
  return s !== undefined;
}
