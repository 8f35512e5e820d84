import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineSecurityFrom } from '../../src/apply/container-security.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, execIn } from './support/harness.js';

/**
 * The legacy seccomp/AppArmor annotations against the real engine (issue 11 red-team, finding
 * 2): they restrict in Kubernetes, and berth ignored them, so a pod ran without the profile its
 * author asked for while validate said nothing. Now each is what the field it stands for is.
 */
let t: E2eApp;
let image: string;

beforeAll(async () => {
  t = await createE2eApp('secanno');
  image = await ensureBusyboxImage(t.docker);
});
afterAll(async () => {
  await t.cleanup();
});

const pod = (name: string, annotations: Record<string, string>) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  annotations:
${Object.entries(annotations).map(([k, v]) => `    ${k}: ${v}\n`).join('')}spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${image}
    command: [sleep, "3600"]
`;

async function containerOf(pod: string): Promise<{ id: string; state: string; labels: Record<string, string> }> {
  const c = (await t.containers()).find((x) => x.Labels['berth.name'] === pod && x.Labels['berth.role'] === 'container');
  if (!c) throw new Error(`no container of pod ${pod}`);
  return { id: c.Id, state: c.State, labels: c.Labels };
}

/** The seccomp mode the container's processes run under (0 none, 2 filter), from /proc. */
async function seccompMode(id: string): Promise<string> {
  const out = (await execIn(t.docker, id, ['grep', 'Seccomp:', '/proc/self/status'])).output;
  return out.replace(/\s+/g, ' ').trim();
}

describe('legacy profile annotations', () => {
  it('a localhost seccomp annotation is refused at validation with file:line, as the Localhost field is; nothing is created', async () => {
    await t.write({ 'strict.yaml': pod('strict', { 'seccomp.security.alpha.kubernetes.io/pod': 'localhost/profiles/strict.json' }) });
    const r = await t.berth('apply', '-f', t.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/strict\.yaml:6:\d+: error: berth cannot load Localhost seccomp profiles/);
    expect(await t.containers()).toEqual([]);
  });

  it('an unconfined seccomp annotation on a Deployment template needs --allow-unconfined, and then runs unconfined', async () => {
    await t.write({
      'web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: unconfined
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: ${image}
        command: [sleep, "3600"]
`,
    });
    const refused = await t.berth('apply', '-f', t.dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/web\.yaml:11:\d+: error: seccomp profile annotation unconfined lifts the system call filter.*\[spec\.template\.metadata\.annotations\["seccomp\.security\.alpha\.kubernetes\.io\/pod"\]\]/);
    expect(refused.stderr).toContain('--allow-unconfined');
    expect(await t.containers()).toEqual([]);

    const r = await t.berth('apply', '-f', t.dir, '--allow-unconfined', '--wait', '--timeout', '60s');
    expect(r.code, r.stderr).toBe(0);
    const c = (await t.containers()).find((x) => x.Labels['berth.role'] === 'container');
    expect(c).toBeDefined();
    const info = await t.docker.getContainer(c!.Id).inspect();
    expect(info.HostConfig.SecurityOpt).toContain('seccomp=unconfined');
    expect(await seccompMode(c!.Id)).toBe('Seccomp: 0');
  });

  it('a runtime/default seccomp annotation runs under Docker\'s filter', async () => {
    await t.write({ 'rd.yaml': pod('rd', { 'container.seccomp.security.alpha.kubernetes.io/app': 'runtime/default' }) });
    const r = await t.berth('apply', '-f', t.dir, '--prune', '--all', '--wait', '--timeout', '60s');
    expect(r.code, r.stderr).toBe(0);
    expect(await seccompMode((await containerOf('rd')).id)).toBe('Seccomp: 2');
  });

  it('a localhost AppArmor annotation is applied as the Localhost field: apparmor=<profile>, or refused at start where the host has no AppArmor', async () => {
    await t.write({ 'aa.yaml': pod('aa', { 'container.apparmor.security.beta.kubernetes.io/app': 'localhost/berth-test-profile' }) });
    const r = await t.berth('apply', '-f', t.dir, '--prune', '--all');
    expect(r.code, r.stderr).toBe(0);
    const c = await containerOf('aa');
    const engine = engineSecurityFrom((await t.docker.info()).SecurityOptions as string[]);
    if (engine.apparmor) {
      expect((await t.docker.getContainer(c.id).inspect()).HostConfig.SecurityOpt).toContain('apparmor=berth-test-profile');
    } else {
      // It used to run unconfined by it; now it never starts, and the pod says why.
      expect(c.state).toBe('created');
      expect(c.labels['berth.config-error']).toBe('appArmorProfile Localhost cannot be enforced: AppArmor is not enabled on this host');
      const describe = await t.berth('describe', 'pod', 'aa');
      expect(describe.stdout).toContain('CreateContainerConfigError');
    }
  });
});
