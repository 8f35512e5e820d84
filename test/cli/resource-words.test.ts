import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { rolloutKeys } from '../../src/cli/commands/rollout.js';
import { parseObjectArgs, resolveKind } from '../../src/cli/resource-args.js';
import { BerthError, exitCodeFor } from '../../src/model/errors.js';
import { runPortForward } from '../../src/runtime/port-forward.js';
import { containerNamed } from '../../src/runtime/container-choice.js';
import type { ObservedPod } from '../../src/plan/observed.js';
import { runCli } from '../support/cli.js';

/** Issue 17 newcomer trial: object arguments and type names as kubectl takes them, through one parser. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function thrown(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (err) {
    return { code: exitCodeFor(err), message: (err as BerthError).message };
  }
  throw new Error('expected an error');
}

describe('rollout arguments: TYPE NAME, TYPE/NAME, several names, a bare deployment name', () => {
  it.each([
    [['deployment', 'web'], ['Deployment/shop/web']],
    [['deploy/web'], ['Deployment/shop/web']],
    [['web'], ['Deployment/shop/web']],
    [['deployments.apps', 'web', 'api'], ['Deployment/shop/web', 'Deployment/shop/api']],
    [['ds', 'agent'], ['DaemonSet/shop/agent']],
    [['daemonset/agent', 'sts/db'], ['DaemonSet/shop/agent', 'StatefulSet/shop/db']],
    [['statefulset', 'db'], ['StatefulSet/shop/db']],
  ])('%j → %j', (args, keys) => {
    expect(rolloutKeys(args, 'shop')).toEqual(keys);
  });

  it.each([
    ['a kind rollout does not take', ['svc', 'web'], 2, /^rollout works on deployments, daemonsets, statefulsets, not services$/],
    ['a kind with no name', ['deploy/web', 'ds'], 2, /resource\/name form/],
    ['a misspelt kind', ['deploymnt', 'web'], 1, /^berth has no resource type "deploymnt"; did you mean "deployment"\?$/],
  ])('%s is refused: %j', (_name, args, code, message) => {
    const e = thrown(() => rolloutKeys(args, 'shop'));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

describe('scale arguments by the same parser', () => {
  it.each([
    [['deploy', 'web'], [{ kind: 'Deployment', name: 'web' }]],
    [['rs/web-1', 'rc/old'], [{ kind: 'ReplicaSet', name: 'web-1' }, { kind: 'ReplicationController', name: 'old' }]],
    [['statefulsets', 'db', 'cache'], [{ kind: 'StatefulSet', name: 'db' }, { kind: 'StatefulSet', name: 'cache' }]],
  ] as const)('%j', (args, refs) => {
    expect(parseObjectArgs(args, 'scale', ['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet'])).toEqual(refs);
  });

  it.each([
    ['a kind with no name', ['deploy'], /^scale: you must specify the name of the deployment: deploy NAME$/],
    ['a DaemonSet', ['ds/agent'], /^scale works on deployments, replicasets, replicationcontrollers, statefulsets, not daemonsets.apps$/],
  ])('%s is a usage error', (_name, args, message) => {
    const e = thrown(() => parseObjectArgs(args, 'scale', ['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet']));
    expect(e).toEqual({ code: 2, message: expect.stringMatching(message) as unknown as string });
  });
});

describe('an unknown type: kubectl exit 1, with the closest name', () => {
  it.each([
    ['deploymnt', 'deployment'],
    ['deploymens', 'deployments'],
    ['pdo', 'pod'],
    ['servce', 'service'],
    ['evnets', 'events'],
    ['nodse', 'nodes'],
    ['statefullset', 'statefulset'],
  ])('%s → did you mean %s', (typed, near) => {
    expect(thrown(() => resolveKind(typed))).toEqual({ code: 1, message: `berth has no resource type "${typed}"; did you mean "${near}"?` });
  });

  it('nothing close: the list of types, events and nodes included', () => {
    const e = thrown(() => resolveKind('widgets'));
    expect(e.code).toBe(1);
    expect(e.message).toMatch(/^berth has no resource type "widgets"; known types: namespaces \(ns\), .*, events \(ev\), nodes \(no\)$/);
  });
});

describe('the command line, end to end without Docker', () => {
  it.each([
    [['get', 'deploymnt'], 'error: berth has no resource type "deploymnt"; did you mean "deployment"?\n'],
    [['describe', 'deploymnt', 'web'], 'error: berth has no resource type "deploymnt"; did you mean "deployment"?\n'],
    [['delete', 'deploymnt', 'web'], 'error: berth has no resource type "deploymnt"; did you mean "deployment"?\n'],
    [['scale', 'deploymnt', 'web', '--replicas', '2'], 'error: berth has no resource type "deploymnt"; did you mean "deployment"?\n'],
    [['rollout', 'history', 'deploymnt', 'web'], 'error: berth has no resource type "deploymnt"; did you mean "deployment"?\n'],
  ])('%j', async (argv, stderr) => {
    // A state dir of its own: a unit test never opens the host's default store (/var/lib/berth).
    const dir = mkdtempSync(join(tmpdir(), 'berth-words-'));
    dirs.push(dir);
    const r = await runCli(argv, { env: { BERTH_STATE_DIR: dir, DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(r).toEqual({ code: 1, stdout: '', stderr });
  });

  it.each(['status', 'history', 'restart', 'undo', 'pause', 'resume'])('rollout %s deployment web takes TYPE NAME (NotFound, not "too many arguments")', async (verb) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-rollout-args-'));
    dirs.push(dir);
    const r = await runCli(['rollout', verb, 'deployment', 'web', '--app', 'words'], { env: { BERTH_STATE_DIR: dir, DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Error (NotFound): deployments.apps "web" not found in namespace default (app words)\n' });
  });
});

describe('help', () => {
  it.each(['status', 'history', 'undo', 'restart', 'pause', 'resume'])('rollout %s: usage names every kind form', async (verb) => {
    const r = await runCli(['rollout', verb, '--help']);
    expect(r.stdout).toContain(`Usage: berth rollout ${verb} (TYPE NAME | TYPE/NAME) [flags]`);
  });

  it.each([
    ['status', false],
    ['history', false],
    ['undo', true],
    ['restart', true],
    ['pause', true],
    ['resume', true],
  ])('rollout %s offers host-policy flags: %s (read-only verbs do not)', async (verb, offers) => {
    const r = await runCli(['rollout', verb, '--help']);
    expect(r.stdout.includes('--allow-privileged')).toBe(offers);
  });

  it.each(['get', 'describe', 'logs', 'top pod', 'top node', 'events', 'explain', 'rollout status', 'rollout history'])('read-only %s offers no host-policy flag', async (command) => {
    const r = await runCli([...command.split(' '), '--help']);
    expect(r.stdout).toContain('Usage: berth');
    expect(r.stdout.match(/--allow-(privileged|host|capability|sysctl|unconfined|probe-host|registry)|--host-path-prefix/g)).toBeNull();
  });

  it('every -n says the whole order: flag, environment, context, "default"', async () => {
    const lines: string[] = [];
    for (const argv of [['get'], ['describe'], ['delete'], ['logs'], ['exec'], ['port-forward'], ['events'], ['top', 'pod'], ['scale'], ['rollout', 'status']]) {
      const r = await runCli([...argv, '--help']);
      lines.push(
        r.stdout
          .split('\n')
          .filter((l, i, all) => l.includes('--namespace') || (i > 0 && all[i - 1]!.includes('--namespace') && /^\s{10,}\S/.test(l)))
          .map((l) => l.trim())
          .join(' ')
          .replace(/\s+/g, ' '),
      );
    }
    expect(new Set(lines)).toEqual(new Set(['-n, --namespace <ns> namespace (default: $BERTH_NAMESPACE, the context\'s namespace, or "default")']));
  });
});

describe('runtime errors exit 1 as kubectl\'s; 2 stays for a wrong command line', () => {
  it('port-forward on a busy local port: PORT_IN_USE, exit 1', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen({ host: '127.0.0.1', port: 0 }, r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const run = runPortForward(['127.0.0.1'], [{ local: port, port: 80 }], () => new Duplex({ read() {} }), { listening: () => undefined, connection: () => undefined, failed: () => undefined }, new AbortController().signal, new Promise<void>(() => undefined));
      const err = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'PORT_IN_USE', data: { address: '127.0.0.1', port }, message: expect.stringMatching(new RegExp(`^unable to listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`)) as unknown as string });
      expect(exitCodeFor(err)).toBe(1);
    } finally {
      busy.close();
    }
  });

  it('exec/logs -c a container the pod lacks: NOT_FOUND, exit 1', () => {
    const pod = { name: 'web-1', key: 'Pod/default/web-1', containers: [], initContainers: [], expectedContainers: ['app'], expectedInitContainers: [] } as unknown as ObservedPod;
    const e = thrown(() => containerNamed(pod, 'nope'));
    expect(e).toEqual({ code: 1, message: 'container nope is not valid for pod web-1' });
  });

  it.each([
    ['USAGE', 2],
    ['NOT_FOUND', 1],
    ['PORT_IN_USE', 1],
  ] as const)('%s exits %d', (code, exit) => {
    expect(exitCodeFor(new BerthError(code, 'x', code === 'PORT_IN_USE' ? { address: '127.0.0.1', port: 1 } : {}))).toBe(exit);
  });
});
