import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyDefaults } from '../../src/model/defaults.js';
import { specHash } from '../../src/model/hash.js';
import type { HostPolicy } from '../../src/model/policy.js';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';
import type { AnyObject, PodTemplateSpec } from '../../src/model/types.js';
import { systemClock } from '../../src/runtime/clock.js';
import { openStore } from '../../src/runtime/store/index.js';
import type { Store } from '../../src/runtime/store/index.js';
import { consumeIntents } from '../../src/runtime/intents.js';
import { runCli } from '../support/cli.js';
import { processAlive } from '../../src/cli/process-alive.js';

/**
 * Issue 11 review, finding 1: `rollout` held the *whole* inventory to the policy given by its
 * own flags, so an app applied with `--host-path-prefix` could not be restarted, paused or
 * undone without repeating every flag; under a daemon the CLI refused before signalling it.
 * Now the policy the app was last applied with is recorded and reused, only what a command
 * newly brings (undo's target) is checked, and under a daemon the daemon's pass, acting on the
 * command's intent, does the checking (issue 12). These paths refuse or hand over before any
 * Docker call: the store is the whole fixture.
 */
const APP = 'shop';
const SOURCE = 'a'.repeat(40);
const applied: HostPolicy = { ...DEFAULT_HOST_POLICY, hostPathPrefixes: ['/tmp/x'] };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const hostPathPod = applyDefaults({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'hp', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'h', mountPath: '/h' }] }], volumes: [{ name: 'h', hostPath: { path: '/tmp/x/data' } }] },
} as unknown as AnyObject);

function template(container: Record<string, unknown>): PodTemplateSpec {
  return { metadata: { labels: { app: 'caps' } }, spec: { containers: [{ name: 'app', image: 'busybox', ...container }] } } as unknown as PodTemplateSpec;
}

const caps = applyDefaults({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'caps', namespace: 'default' },
  spec: { replicas: 1, selector: { matchLabels: { app: 'caps' } }, template: template({}) },
} as unknown as AnyObject);

/** An app as `berth apply --host-path-prefix /tmp/x` leaves it: revision 1 of caps added NET_ADMIN and a hostPort (applied under a wider policy back then). */
function appliedApp(options: { daemon: boolean }): { dir: string; store: Store } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rollpol-cli-'));
  dirs.push(dir);
  const store = openStore({ isProcessAlive: processAlive, dir, clock: systemClock });
  for (const object of [hostPathPod, caps]) {
    const key = `${object.kind}/default/${object.metadata.name}`;
    store.upsertInventory(APP, { key, kind: object.kind, namespace: 'default', name: object.metadata.name, specHash: specHash(object), object }, { sourceRevision: SOURCE });
  }
  store.updateSourceStatus(APP, { lastAppliedRevision: SOURCE });
  store.recordAppliedPolicy(APP, applied);
  const wide = template({ securityContext: { capabilities: { add: ['NET_ADMIN'] } }, ports: [{ containerPort: 80, hostPort: 8080 }] });
  const r1 = store.beginRollout(APP, 'Deployment/default/caps', { templateHash: 'h1', template: wide, sourceRevision: 'b'.repeat(40) });
  store.finishRollout(APP, 'Deployment/default/caps', r1.revision, 'complete');
  const r2 = store.beginRollout(APP, 'Deployment/default/caps', { templateHash: 'h2', template: template({}), sourceRevision: SOURCE });
  store.finishRollout(APP, 'Deployment/default/caps', r2.revision, 'complete');
  // A daemon on another host: the CLI cannot signal it, its next pass picks the change up.
  if (options.daemon) store.acquireLease(APP, { id: 'daemon:elsewhere:1', pid: 1, hostname: 'elsewhere.invalid', kind: 'daemon' }, 600_000);
  return { dir, store };
}

const berth = (dir: string, ...args: string[]) => runCli([...args, '--app', APP, '--state-dir', dir], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });

/**
 * The daemon on another host, as far as the CLI can tell: it never gets a signal, and acts on
 * pending intents (its once-a-second poll) under its own policy, as runtime/daemon does.
 */
function remoteDaemon(store: Store, policy: HostPolicy): { stop(): void } {
  const timer = setInterval(() => consumeIntents(store, APP, policy), 20);
  return { stop: () => clearInterval(timer) };
}
const daemonPolicy: HostPolicy = { ...applied, allowedCapabilities: ['NET_ADMIN'], allowHostPorts: true };

describe('rollout under a daemon: the CLI records an intent, the daemon acts on it under its policy', () => {
  it.each<{ args: string[]; verb: string; recorded: (s: Store) => unknown }>([
    { args: ['rollout', 'restart', 'deploy/caps'], verb: 'restarted', recorded: (s) => s.getDeploymentOverrides(APP, 'Deployment/default/caps').map((o) => o.kind) },
    { args: ['rollout', 'pause', 'deploy/caps'], verb: 'paused', recorded: (s) => s.getDeploymentOverrides(APP, 'Deployment/default/caps').map((o) => o.kind) },
    { args: ['rollout', 'undo', 'deploy/caps'], verb: 'rolled back', recorded: (s) => s.getPin(APP, 'Deployment/default/caps')?.revision },
  ])('$args: exit 0 without repeating the policy flags, no LEASE_HELD; the daemon made the change', async ({ args, verb, recorded }) => {
    const { dir, store } = appliedApp({ daemon: true });
    const daemon = remoteDaemon(store, daemonPolicy);
    try {
      const r = await berth(dir, ...args);
      expect({ code: r.code, stdout: r.stdout.trim() }, r.stderr).toEqual({ code: 0, stdout: `deployment.apps/caps ${verb}` });
      expect(r.stderr).toBe('note: the berth daemon (pid 1 on elsewhere.invalid) manages this app; it took the change and converges it\n');
      expect(recorded(store)).toEqual(args[1] === 'undo' ? 1 : [args[1] === 'restart' ? 'restart' : 'pause']);
      expect(store.getLease(APP)?.holder.kind).toBe('daemon');
    } finally {
      daemon.stop();
      store.close();
    }
  });

  it("undo to a template the daemon's policy refuses: POLICY_DENIED from the daemon, nothing pinned", async () => {
    const { dir, store } = appliedApp({ daemon: true });
    const daemon = remoteDaemon(store, applied);
    try {
      const r = await berth(dir, 'rollout', 'undo', 'deploy/caps');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: cannot undo deployment\.apps\/caps to revision 1: this host's policy refuses its pod template; nothing was changed:\n {2}spec\.template/);
      expect(store.getPin(APP, 'Deployment/default/caps')).toBeUndefined();
    } finally {
      daemon.stop();
      store.close();
    }
  });

  it('a daemon that takes nothing: TIMEOUT (exit 1), and the intent is withdrawn so no later pass applies it', async () => {
    const { dir, store } = appliedApp({ daemon: true });
    const r = await berth(dir, 'rollout', 'pause', 'deploy/caps', '--timeout', '1s');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the berth daemon \(pid 1 on elsewhere\.invalid\) that manages app shop did not take the change within 1s; nothing was changed/);
    expect(store.listPendingIntents(APP)).toEqual([]);
    expect(consumeIntents(store, APP, daemonPolicy)).toEqual([]);
    expect(store.getDeploymentOverrides(APP, 'Deployment/default/caps')).toEqual([]);
    store.close();
  });
});

describe('rollout undo without a daemon checks only the template it brings back', () => {
  it('refused under the recorded policy, one problem per line, nothing recorded; the hostPath Pod is not held against it', async () => {
    const { dir, store } = appliedApp({ daemon: false });
    const r = await berth(dir, 'rollout', 'undo', 'deploy/caps');
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe("error: cannot undo deployment.apps/caps to revision 1: this host's policy refuses its pod template; nothing was changed:");
    expect(lines.slice(1, 3)).toEqual([
      expect.stringMatching(/^ {2}spec\.template\.spec\.containers\[0\]\.securityContext\.capabilities\.add\[0\]: capability NET_ADMIN /),
      expect.stringMatching(/^ {2}spec\.template\.spec\.containers\[0\]\.ports\[0\]\.hostPort: hostPort 8080 /),
    ]);
    expect(lines[3]).toMatch(/^hint: /);
    expect(r.stderr).not.toContain('Pod/default/hp');
    expect(store.getPin(APP, 'Deployment/default/caps')).toBeUndefined();
    expect(store.getLease(APP)).toBeUndefined();
    store.close();
  });
});
