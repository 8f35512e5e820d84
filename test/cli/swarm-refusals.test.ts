import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-swarm-refusals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Issue 20: commands that read one host's containers are refused on --backend swarm, before
 * opening anything (no Docker engine answers here), with the Docker command that does it meanwhile,
 * instead of a "not found" about a pod `get pods` lists.
 */
describe('one-host commands on --backend swarm', () => {
  it.each([
    [['logs', 'web-1'], /berth logs does not run on --backend swarm yet/, /docker service logs/],
    [['exec', 'web-1', '--', 'sh'], /berth exec does not run on --backend swarm yet/, /docker exec/],
    [['port-forward', 'svc/web', '8080:80'], /berth port-forward does not run on --backend swarm yet/, /NodePort/],
    [['top', 'pods'], /berth top does not run on --backend swarm yet/, /docker stats/],
    [['describe', 'node', 'n1'], /berth describe node does not run on --backend swarm yet/, /docker node inspect/],
    [['get', 'pods', '--watch'], /berth get --watch does not run on --backend swarm yet/, /docker service ps/],
  ])('berth %j', async (argv, message, hint) => {
    // Flags before `--`: what follows it is exec's command.
    const dash = argv.indexOf('--');
    const flags = ['--backend', 'swarm', '--state-dir', join(dir, 'state')];
    const r = await runCli(dash < 0 ? [...argv, ...flags] : [...argv.slice(0, dash), ...flags, ...argv.slice(dash)], { env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(hint);
  });

  it('the same commands with BERTH_BACKEND=swarm', async () => {
    const r = await runCli(['logs', 'web-1', '--state-dir', join(dir, 'state')], { env: { DOCKER_HOST: 'unix:///nonexistent.sock', BERTH_BACKEND: 'swarm' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/berth logs does not run on --backend swarm yet/);
  });

  it('an unknown backend is a usage error', async () => {
    const r = await runCli(['get', 'pods', '--backend', 'k8s', '--state-dir', join(dir, 'state')], { env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown backend "k8s" \(docker, swarm\)/);
  });
});
