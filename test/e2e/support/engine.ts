import { spawn, execFileSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';

/**
 * Restarts the Docker engine the suite runs against, as the issue-13 chaos runs do: with
 * LiveRestore off, every container stops with the engine and Docker starts those whose restart
 * policy says so when it comes back, in no particular order. Under systemd: `systemctl restart
 * docker`. Otherwise (scripts/setup-host.sh started `dockerd` with setsid): SIGTERM to the pid in
 * /var/run/docker.pid, wait for it to exit, start it again with the same arguments, detached, its
 * output appended to /var/log/dockerd.log. Returns once the engine answers again; throws when it
 * does not within `upMs` (the engine is then left as it is, for a person to look at).
 */
export async function restartEngine(docker: Dockerode, upMs = 120_000): Promise<{ downMs: number; totalMs: number }> {
  const began = Date.now();
  // A private engine (scripts/private-dockerd.sh: its own socket, data and exec roots, pid file):
  // the test restarts that one, never the host's. DOCKER_HOST naming another engine without its
  // pid file is refused rather than restarting the wrong one.
  const pidFile = process.env.BERTH_E2E_DOCKERD_PIDFILE;
  const host = process.env.DOCKER_HOST;
  if (pidFile === undefined && host !== undefined && host !== '' && host !== 'unix:///var/run/docker.sock' && host !== 'unix:///run/docker.sock')
    throw new Error(`DOCKER_HOST=${host} is not the host's engine: set BERTH_E2E_DOCKERD_PIDFILE to the pid file of the engine to restart`);
  if (pidFile === undefined && existsSync('/run/systemd/system')) {
    execFileSync('systemctl', ['restart', 'docker'], { stdio: 'ignore' });
    await waitForEngine(docker, upMs);
    return { downMs: Date.now() - began, totalMs: Date.now() - began };
  }
  const file = pidFile ?? '/var/run/docker.pid';
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`no dockerd pid in ${file}`);
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  process.kill(pid, 'SIGTERM');
  while (alive(pid)) await sleep(100);
  const stopped = Date.now();
  const log = openSync(process.env.BERTH_E2E_DOCKERD_LOG ?? '/var/log/dockerd.log', 'a');
  try {
    spawn('setsid', argv, { detached: true, stdio: ['ignore', log, log] }).unref();
  } finally {
    closeSync(log);
  }
  await waitForEngine(docker, upMs);
  return { downMs: stopped - began, totalMs: Date.now() - began };
}

async function waitForEngine(docker: Dockerode, upMs: number): Promise<void> {
  const deadline = Date.now() + upMs;
  for (;;) {
    try {
      await docker.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the Docker engine did not come back within ${upMs} ms: ${(err as Error).message}`);
      await sleep(200);
    }
  }
}

function alive(pid: number): boolean {
  try {
    // A zombie still answers signal 0: read its state.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
