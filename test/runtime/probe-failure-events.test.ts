import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import { silentLogger } from '../../src/runtime/log.js';
import type { ProbedPods } from '../../src/runtime/observe.js';
import { createReadiness } from '../../src/runtime/readiness.js';
import { storeHarness } from './store/harness.js';

/**
 * The runtime end of the one probe-failure path: each failed attempt becomes a Warning
 * Unhealthy event in the store, folded into one row with a count, written only by the process
 * that drives the app (another process's prober would count every failure twice).
 */
const h = storeHarness();
const APP = 'unit';
const SELF = { id: 'cli:host:1:a', pid: 1, hostname: 'host', kind: 'cli' as const };
const DAEMON = { id: 'daemon:host:2:b', pid: process.pid, hostname: 'host', kind: 'daemon' as const };

/** A Docker whose exec always fails: every exec probe attempt is a failure with the same message. */
function failingDocker(): DockerClient {
  const api = { getContainer: () => ({ exec: () => Promise.reject(new Error('container is not running')) }) } as unknown as Dockerode;
  return { api, calls: {} as DockerClient['calls'], apiVersion: () => Promise.resolve('1.41') };
}

function host(): ProbedPods {
  const pod = {
    key: 'default/web',
    sandbox: { ip: '10.1.0.5', state: 'running' },
    containers: [{ name: 'app', id: 'c1', state: 'running', startedAt: 0 }],
  };
  const probe = { exec: { command: ['cat', '/tmp/ready'] }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
  return { pods: [pod], probes: new Map([['c1', { readinessProbe: probe }]]) } as unknown as ProbedPods;
}

describe('readiness probe failures as events', () => {
  it.each([
    { name: 'no process drives the app: this one records', lease: undefined, recorded: true },
    { name: 'this process holds the lease: it records', lease: SELF, recorded: true },
    { name: 'a daemon drives the app: it records, this one does not', lease: DAEMON, recorded: false },
  ])('$name', async ({ lease, recorded }) => {
    const { store, clock } = h.open();
    if (lease) expect(store.acquireLease(APP, lease, 60 * 60_000).acquired).toBe(true);
    const readiness = createReadiness({ docker: failingDocker(), clock, store, app: APP, log: silentLogger(), holder: SELF });
    readiness.track(host());
    for (let i = 0; i < 6; i++) await clock.advance(i === 0 ? 0 : 1000);
    await readiness.stop();
    const events = store.listEvents({ app: APP });
    expect(events.map((e) => [e.type, e.reason, e.objectKey, e.message, e.count])).toEqual(
      recorded ? [['Warning', 'Unhealthy', 'Pod/default/web', 'Readiness probe failed: exec ["cat","/tmp/ready"]: container is not running (container app)', 6]] : [],
    );
  });
});
