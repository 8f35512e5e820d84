import { describe, expect, it } from 'vitest';
import type { DockerApi } from '../../src/dataplane/keeper-docker.js';
import { DockerApiError } from '../../src/dataplane/keeper-docker.js';
import { startKeeper } from '../../src/dataplane/keeper-program.js';
import { silentLogger } from '../../src/dataplane/log.js';

/**
 * The keeper's control flow over a fake engine (the real engine proves it in
 * test/e2e/keeper-*.test.ts): which calls one sweep makes, in which order.
 */
const labels = (role: string, policy = 'Always') => ({ 'berth.managed': 'true', 'berth.role': role, 'berth.restart-policy': policy });
const NEVER = '0001-01-01T00:00:00Z';

function fakeEngine(selfFinishedAt: string) {
  const calls: string[] = [];
  const containers = [
    { Id: 'app1', Names: ['/p_app'], State: 'exited', Labels: labels('container') },
    { Id: 'crash', Names: ['/p_crash'], State: 'exited', Labels: labels('container') },
    { Id: 'sb', Names: ['/p'], State: 'exited', Labels: labels('sandbox') },
    { Id: 'init', Names: ['/p_init'], State: 'exited', Labels: labels('init') },
    { Id: 'self', Names: ['/berth-keeper'], State: 'running', Labels: { 'berth.managed': 'true', 'berth.role': 'keeper' } },
  ];
  const inspect: Record<string, unknown> = {
    app1: { Id: 'app1', Name: '/p_app', State: { Status: 'exited', ExitCode: 128, Error: 'cannot join network of a non running container: sb', FinishedAt: '2026-12-05T00:00:00Z' }, HostConfig: { NetworkMode: 'container:sb', IpcMode: 'container:sb', RestartPolicy: { Name: 'unless-stopped' } }, Config: {} },
    crash: { Id: 'crash', Name: '/p_crash', State: { Status: 'exited', ExitCode: 3, FinishedAt: '2026-12-05T00:00:00Z' }, HostConfig: { NetworkMode: 'container:sb', RestartPolicy: { Name: 'no' } }, Config: {} },
    sb: { Id: 'sb', Name: '/p', State: { Status: 'exited', ExitCode: 255, Error: 'endpoint with name p already exists in network berth_a_default', FinishedAt: '2026-12-05T00:00:00Z' }, HostConfig: { NetworkMode: 'berth_a_default', RestartPolicy: { Name: 'unless-stopped' } }, Config: {} },
    self: { Id: 'self', Name: '/berth-keeper', State: { Status: 'running', Running: true, ExitCode: 0, FinishedAt: selfFinishedAt }, HostConfig: {}, Config: {} },
  };
  const api: DockerApi = {
    call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const p = path.replace(/\?.*/, '');
      calls.push(`${method} ${p}${body ? ` ${JSON.stringify(body)}` : ''}`);
      if (p === '/containers/json') return Promise.resolve((path.includes('filters') ? containers : [...containers, { Id: 'other', Names: ['/someone-else'], State: 'running' }]) as T);
      if (p === '/networks') return Promise.resolve([{ Id: 'n1' }] as T);
      if (p === '/networks/n1') return Promise.resolve({ Name: 'berth_a_default', Containers: { 'ep-1': { Name: 'gone_pod' }, other: { Name: 'someone-else' } } } as T);
      const m = /^\/containers\/([^/]+)\/json$/.exec(p);
      if (m) return inspect[m[1]!] ? Promise.resolve(inspect[m[1]!] as T) : Promise.reject(new DockerApiError('no such container', 404));
      return Promise.resolve(undefined as T);
    },
    events: () => ({ done: new Promise(() => {}), stop: () => {} }),
  };
  return { api, calls };
}

const mutating = (calls: string[]) => calls.filter((c) => c.startsWith('POST'));

describe('keeper program: one sweep', () => {
  it.each([
    ['restarted by the engine (it ran before)', '2026-12-05T00:00:01Z', ['POST /networks/n1/disconnect {"Container":"gone_pod","Force":true}', 'POST /containers/sb/start', 'POST /containers/app1/start', 'POST /containers/crash/update {"RestartPolicy":{"Name":"unless-stopped"}}', 'POST /containers/crash/start']],
    ['just created by a pass: berth\'s back-off of the crash loop holds', NEVER, ['POST /networks/n1/disconnect {"Container":"gone_pod","Force":true}', 'POST /containers/sb/start', 'POST /containers/app1/start']],
  ])('%s: stale endpoints by name, then the sandbox, then what joins it', async (_name, selfFinished, expected) => {
    const { api, calls } = fakeEngine(selfFinished);
    const keeper = startKeeper({ api, log: silentLogger, now: () => Date.parse('2026-12-05T00:01:00Z'), sweepMs: 3_600_000, abandonedAfterMs: 420_000, self: 'self' });
    await keeper.firstSweep;
    await keeper.shutdown();
    expect(mutating(calls)).toEqual(expected);
    // The init container is never inspected, let alone started.
    expect(calls.filter((c) => c.includes('/containers/init/'))).toEqual([]);
  });
});
