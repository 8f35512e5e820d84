import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import { eventually } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * kubectl's status words with no daemon running (issue 17): after one `berth apply`, only
 * Docker acts (its restart policy restarts the crash loop), and every `get pods` / `describe pod`
 * reads what Docker shows as kubectl would show the kubelet's statuses: CrashLoopBackOff with
 * RESTARTS counting and `(Xs ago)`, ErrImagePull turning ImagePullBackOff, CreateContainerConfigError,
 * Init:Error, OOMKilled and Completed.
 */
let t: E2eApp;
let image: string;
const MISSING = `registry.invalid/berth-e2e/nope-${randomBytes(3).toString('hex')}:1`;

const pod = (name: string, spec: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
${spec}`;

const container = (command: string, more = '') => `  containers:
  - name: app
    image: IMAGE
    command: [sh, -c, '${command}']
${more}`;

beforeAll(async () => {
  t = await createE2eApp('words');
  image = await ensureBusyboxImage(t.docker);
  const files: Record<string, string> = {
    'crash.yaml': pod('crash', container('exit 3')),
    'pull.yaml': pod('pull', `  containers:\n  - {name: app, image: ${MISSING}, command: [sh]}\n`),
    'nonroot.yaml': pod('nonroot', container('sleep 3600', '    securityContext: {runAsNonRoot: true}\n')),
    'init.yaml': pod('init', `  restartPolicy: Never\n  initContainers:\n  - {name: setup, image: IMAGE, command: [sh, -c, 'exit 2']}\n${container('sleep 3600')}`),
    // A shell doubling a string until the limit kills it; restartPolicy Never keeps the kill as the last word.
    'oom.yaml': pod('oom', `  restartPolicy: Never\n${container('x=xxxxxxxx; while true; do x=$x$x; done', '    resources: {limits: {memory: 8Mi}}\n')}`),
    'job.yaml': `apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  backoffLimit: 0
  template:
    metadata: {labels: {app: once}}
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - {name: app, image: IMAGE, command: [sh, -c, 'echo done']}
`,
  };
  await t.write(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.replaceAll('IMAGE', image)])));
  const r = await t.berth('apply', '-f', t.dir);
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await t.cleanup();
  await t.docker.getImage(MISSING).remove({ noprune: true }).catch(() => undefined);
});

interface Row {
  name: string;
  ready: string;
  status: string;
  restarts: string;
}

async function rows(): Promise<Map<string, Row>> {
  const r = await t.berth('get', 'pods');
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
  return new Map(
    lines.slice(1).map((l) => {
      const [name, ready, status, restarts] = l.split(/\s{2,}/);
      return [name!.startsWith('once-') ? 'once' : name!, { name: name!, ready: ready!, status: status!, restarts: restarts! }];
    }),
  );
}

async function describePod(name: string): Promise<string> {
  const r = await t.berth('describe', 'pod', name);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** A `describe` section's lines from its title to the next line at the same or lower indent. */
function section(text: string, title: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trimStart().startsWith(`${title}:`));
  if (at < 0) return '';
  const indent = lines[at]!.length - lines[at]!.trimStart().length;
  const end = lines.findIndex((l, i) => i > at && l.trim() !== '' && l.length - l.trimStart().length <= indent);
  return lines.slice(at, end < 0 ? undefined : end).join('\n');
}

describe('status words with no daemon running', () => {
  it('a container Docker keeps restarting reads CrashLoopBackOff, RESTARTS counting with (Xs ago), the last run in describe', async () => {
    const first = await eventually('CrashLoopBackOff with 3 restarts', async () => {
      const row = (await rows()).get('crash');
      return row?.status === 'CrashLoopBackOff' && Number(row.restarts.split(' ')[0]) >= 3 && row;
    }, 90_000);
    expect(first.ready).toBe('0/1');
    expect(first.restarts).toMatch(/^\d+ \(\d+(ms|s|m\d*s?) ago\)$/);
    // Each restart runs the process for a moment, which reads Running, as the kubelet's would: read Docker's wait.
    const text = await eventually('describe in back-off', async () => {
      const d = await describePod('crash');
      return /State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff/.test(section(d, 'State')) && d;
    }, 60_000);
    expect(section(text, 'Last State')).toMatch(/Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+3/);
    expect(Number(/Restart Count:\s+(\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(Number(first.restarts.split(' ')[0]));
    // Read again later: the count never goes back, and the pod still reads as a crash loop.
    const later = (await rows()).get('crash')!;
    expect(Number(later.restarts.split(' ')[0])).toBeGreaterThanOrEqual(Number(first.restarts.split(' ')[0]));
    expect(later.status).toMatch(/^(CrashLoopBackOff|Running)$/);
  });

  it('a later command leaves the crash loop to Docker: its restart policy stays, and the count keeps going up', async () => {
    const crash = async () => {
      const info = (await t.containers()).find((c) => c.Labels['berth.name'] === 'crash' && c.Labels['berth.container'] === 'app');
      expect(info, 'the crash pod has its app container').toBeDefined();
      return t.docker.getContainer(info!.Id).inspect();
    };
    await eventually('a few restarts', async () => Number((await rows()).get('crash')?.restarts.split(' ')[0]) >= 2, 90_000);
    // Its own pass: a command that took the restarts over would leave them to a process that is gone.
    const again = await t.berth('apply', '-f', t.dir);
    expect(again.code, again.stderr).toBe(0);
    expect((await crash()).HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    const before = (await crash()).RestartCount;
    await eventually('Docker restarts it again', async () => (await crash()).RestartCount > before, 120_000);
    expect((await crash()).HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
  });

  it('an image that cannot be had reads ErrImagePull, then ImagePullBackOff as time passes', async () => {
    const seen = new Set<string>();
    const backoff = await eventually('ImagePullBackOff', async () => {
      const row = (await rows()).get('pull');
      if (row) seen.add(row.status);
      return row?.status === 'ImagePullBackOff' && row;
    }, 60_000);
    expect(backoff.restarts).toBe('0');
    const text = await describePod('pull');
    expect(section(text, 'State')).toMatch(/State:\s+Waiting\n\s+Reason:\s+ImagePullBackOff/);
    expect(section(text, 'State')).toMatch(/Message:\s+Back-off pulling image "registry\.invalid\/.*": ErrImagePull: /);
    // The first read after the apply, if within the kubelet's 10 s, said ErrImagePull.
    expect([...seen].every((s) => s === 'ErrImagePull' || s === 'ImagePullBackOff')).toBe(true);
  });

  it('a container that cannot be created as asked reads CreateContainerConfigError, with why in describe', async () => {
    const row = (await rows()).get('nonroot');
    expect(row).toMatchObject({ ready: '0/1', status: 'CreateContainerConfigError', restarts: '0' });
    expect(section(await describePod('nonroot'), 'State')).toMatch(/State:\s+Waiting\n\s+Reason:\s+CreateContainerConfigError/);
  });

  it('a failed init container reads Init:Error; an OOM kill OOMKilled; a finished Job pod Completed', async () => {
    const final = await eventually('final words', async () => {
      const r = await rows();
      const done = ['init', 'oom', 'once'].every((n) => ['Init:Error', 'OOMKilled', 'Error', 'Completed'].includes(r.get(n)?.status ?? ''));
      return done && r;
    }, 90_000);
    expect(final.get('init')).toMatchObject({ ready: '0/1', status: 'Init:Error', restarts: '0' });
    expect(final.get('once')).toMatchObject({ ready: '0/1', status: 'Completed', restarts: '0' });
    // Docker 20.10 may lose the OOM flag of a run killed within milliseconds (see pod-status-words):
    // berth says what Docker says.
    const [oom] = await t.docker.listContainers({ all: true, filters: { label: [`berth.app=${t.app}`, 'berth.name=oom', 'berth.role=container'] } });
    const inspected = await t.docker.getContainer(oom!.Id).inspect();
    expect(final.get('oom')?.status).toBe(inspected.State.OOMKilled ? 'OOMKilled' : 'Error');
    const text = await describePod('oom');
    expect(section(text, 'State')).toMatch(new RegExp(`State:\\s+Terminated\\n\\s+Reason:\\s+${final.get('oom')!.status}\\n\\s+Exit Code:\\s+137`));
  });
});
