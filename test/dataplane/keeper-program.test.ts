import { describe, expect, it } from 'vitest';
import type { DockerApi } from '../../src/dataplane/keeper-docker.js';
import { DockerApiError } from '../../src/dataplane/keeper-docker.js';
import { startKeeper } from '../../src/dataplane/keeper-program.js';
import { silentLogger } from '../../src/dataplane/log.js';

/**
 * The keeper's control flow over a fake engine (the real engine proves it in
 * test/e2e/keeper-*.test.ts): which calls one sweep makes, in which order.
 */
const labels = (role: string, policy = 'Always', pod = 'p') => ({ 'berth.managed': 'true', 'berth.app': 'a', 'berth.name': pod, 'berth.role': role, 'berth.restart-policy': policy });

/**
 * Pod p: its sandbox runs (started at `sandboxStartedAt`), its app container's start failed while
 * the sandbox was down, and its crash loop (taken over by berth, policy no) died at 00:00:00.
 * Pod q: its sandbox's start failed (a stale endpoint), its container waits for it.
 */
function fakeEngine(sandboxStartedAt: string) {
  const calls: string[] = [];
  const containers = [
    { Id: 'app1', Names: ['/p_app'], State: 'exited', Labels: labels('container') },
    { Id: 'crash', Names: ['/p_crash'], State: 'exited', Labels: labels('container') },
    { Id: 'sb', Names: ['/p'], State: 'running', Labels: labels('sandbox') },
    { Id: 'init', Names: ['/p_init'], State: 'exited', Labels: labels('init') },
    { Id: 'sbq', Names: ['/q'], State: 'exited', Labels: labels('sandbox', 'Always', 'q') },
    { Id: 'appq', Names: ['/q_app'], State: 'exited', Labels: labels('container', 'Always', 'q') },
    { Id: 'self', Names: ['/berth-keeper'], State: 'running', Labels: { 'berth.managed': 'true', 'berth.role': 'keeper' } },
  ];
  const inspect: Record<string, unknown> = {
    app1: { Id: 'app1', Name: '/p_app', State: { Status: 'exited', ExitCode: 128, Error: 'cannot join network of a non running container: sb', FinishedAt: '2026-12-05T00:00:00Z' }, HostConfig: { NetworkMode: 'container:sb', IpcMode: 'container:sb', RestartPolicy: { Name: 'unless-stopped' } }, Config: {} },
    crash: { Id: 'crash', Name: '/p_crash', State: { Status: 'exited', ExitCode: 3, StartedAt: '2026-12-04T23:59:59Z', FinishedAt: '2026-12-05T00:00:00Z' }, HostConfig: { NetworkMode: 'container:sb', RestartPolicy: { Name: 'no' } }, Config: {} },
    sb: { Id: 'sb', Name: '/p', State: { Status: 'running', Running: true, ExitCode: 0, StartedAt: sandboxStartedAt, FinishedAt: '2026-12-04T23:00:00Z' }, HostConfig: { NetworkMode: 'berth_a_default', RestartPolicy: { Name: 'unless-stopped' } }, Config: {} },
    sbq: { Id: 'sbq', Name: '/q', State: { Status: 'exited', ExitCode: 255, Error: 'endpoint with name q already exists in network berth_a_default', FinishedAt: '2026-12-05T00:00:00Z' }, HostConfig: { NetworkMode: 'berth_a_default', RestartPolicy: { Name: 'unless-stopped' } }, Config: {} },
    appq: { Id: 'appq', Name: '/q_app', State: { Status: 'exited', ExitCode: 128, Error: 'cannot join network of a non running container: sbq', FinishedAt: '2026-12-05T00:00:00Z' }, HostConfig: { NetworkMode: 'container:sbq', RestartPolicy: { Name: 'unless-stopped' } }, Config: {} },
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
    [
      'the crash loop\'s sandbox started after it died (the engine restarted)',
      '2026-12-05T00:00:30Z',
      ['POST /networks/n1/disconnect {"Container":"gone_pod","Force":true}', 'POST /containers/app1/start', 'POST /containers/crash/update {"RestartPolicy":{"Name":"unless-stopped"}}', 'POST /containers/crash/start', 'POST /containers/sbq/start', 'POST /containers/appq/start'],
    ],
    [
      'the sandbox ran since before the crash loop died: berth\'s back-off holds, whichever keeper sweeps',
      '2026-12-04T23:00:01Z',
      ['POST /networks/n1/disconnect {"Container":"gone_pod","Force":true}', 'POST /containers/app1/start', 'POST /containers/sbq/start', 'POST /containers/appq/start'],
    ],
  ])('%s: stale endpoints by name, then each sandbox, then what joins it', async (_name, sandboxStarted, expected) => {
    const { api, calls } = fakeEngine(sandboxStarted);
    const keeper = startKeeper({ api, log: silentLogger, now: () => Date.parse('2026-12-05T00:01:00Z'), sweepMs: 3_600_000, abandonedAfterMs: 420_000 });
    await keeper.firstSweep;
    await keeper.shutdown();
    expect(mutating(calls)).toEqual(expected);
    // The init container is never inspected, let alone started.
    expect(calls.filter((c) => c.includes('/containers/init/'))).toEqual([]);
    // Of the running containers, only the crash loop's sandbox is inspected (for its start).
    expect(calls.filter((c) => /GET \/containers\/(sb|self)\/json/.test(c))).toEqual(['GET /containers/sb/json']);
  });
});
