import { describe, expect, it } from 'vitest';
import {
  dockerUser,
  engineSecurityFrom,
  needsImageUser,
  securityHostConfig,
  needsEngineSecurity,
  verifyProfiles,
  verifyRunAsNonRoot,
} from '../../src/apply/container-security.js';
import type { ContainerPlan } from '../../src/plan/pod-plan.js';

type Security = ContainerPlan['securityContext'];

describe('verifyRunAsNonRoot (kubelet)', () => {
  const cases: Array<{ name: string; sc: Security; image: string | undefined; want: string | undefined }> = [
    { name: 'no runAsNonRoot: anything runs', sc: {}, image: '', want: undefined },
    { name: 'runAsNonRoot false: root runs', sc: { runAsNonRoot: false }, image: 'root', want: undefined },
    { name: 'image without a user is root', sc: { runAsNonRoot: true }, image: '', want: 'container has runAsNonRoot and image will run as root' },
    { name: 'image inspect with no Config.User is root', sc: { runAsNonRoot: true }, image: undefined, want: 'container has runAsNonRoot and image will run as root' },
    { name: 'image user 0', sc: { runAsNonRoot: true }, image: '0', want: 'container has runAsNonRoot and image will run as root' },
    { name: 'image user 0:0', sc: { runAsNonRoot: true }, image: '0:0', want: 'container has runAsNonRoot and image will run as root' },
    { name: 'image user 000', sc: { runAsNonRoot: true }, image: '000', want: 'container has runAsNonRoot and image will run as root' },
    { name: 'image user root', sc: { runAsNonRoot: true }, image: 'root', want: 'container has runAsNonRoot and image will run as root' },
    { name: 'image user root with a group', sc: { runAsNonRoot: true }, image: 'root:wheel', want: 'container has runAsNonRoot and image will run as root' },
    { name: 'a named image user cannot be verified', sc: { runAsNonRoot: true }, image: 'nginx', want: 'container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root' },
    { name: 'numeric image user 1000', sc: { runAsNonRoot: true }, image: '1000', want: undefined },
    { name: 'numeric image user with group 1000:0', sc: { runAsNonRoot: true }, image: '1000:0', want: undefined },
    { name: 'runAsUser 1000 wins over a root image', sc: { runAsNonRoot: true, runAsUser: 1000 }, image: '', want: undefined },
    { name: 'runAsUser 1000 wins over a named image user', sc: { runAsNonRoot: true, runAsUser: 1000 }, image: 'nginx', want: undefined },
    { name: 'runAsUser 0 breaks the policy whatever the image', sc: { runAsNonRoot: true, runAsUser: 0 }, image: '1000', want: "container's runAsUser breaks non-root policy (runAsNonRoot is true and runAsUser is 0)" },
    { name: 'runAsGroup alone does not make root non-root', sc: { runAsNonRoot: true, runAsGroup: 1000 }, image: '', want: 'container has runAsNonRoot and image will run as root' },
  ];
  it.each(cases)('$name', ({ sc, image, want }) => {
    expect(verifyRunAsNonRoot(sc, image)).toBe(want);
  });
});

describe('dockerUser', () => {
  it.each([
    [{}, 'app', undefined],
    [{ runAsUser: 1000 }, 'app', '1000'],
    [{ runAsUser: 1000, runAsGroup: 2000 }, '', '1000:2000'],
    [{ runAsUser: 0 }, 'app', '0'],
    [{ runAsGroup: 2000 }, 'app', 'app:2000'],
    [{ runAsGroup: 2000 }, 'app:staff', 'app:2000'],
    [{ runAsGroup: 2000 }, '', '0:2000'],
  ] as Array<[Security, string, string | undefined]>)('%j on image user %j → %j', (sc, image, want) => {
    expect(dockerUser(sc, image)).toBe(want);
  });

  it.each([
    [{}, false],
    [{ runAsNonRoot: true }, true],
    [{ runAsNonRoot: true, runAsUser: 5 }, false],
    [{ runAsGroup: 5 }, true],
    [{ runAsGroup: 5, runAsUser: 5 }, false],
  ] as Array<[Security, boolean]>)('%j needs the image user: %s', (sc, want) => {
    expect(needsImageUser(sc)).toBe(want);
  });
});

describe('securityHostConfig', () => {
  const cases: Array<{ name: string; sc: Security; want: ReturnType<typeof securityHostConfig> }> = [
    { name: 'nothing asked: Docker defaults', sc: {}, want: {} },
    { name: 'allowPrivilegeEscalation false → no-new-privileges', sc: { allowPrivilegeEscalation: false }, want: { SecurityOpt: ['no-new-privileges'] } },
    { name: 'allowPrivilegeEscalation true changes nothing', sc: { allowPrivilegeEscalation: true }, want: {} },
    { name: 'readOnlyRootFilesystem', sc: { readOnlyRootFilesystem: true }, want: { ReadonlyRootfs: true } },
    { name: 'capabilities normalised for Docker', sc: { capAdd: ['net_admin', 'CAP_SYS_TIME'], capDrop: ['all'] }, want: { CapAdd: ['CAP_NET_ADMIN', 'CAP_SYS_TIME'], CapDrop: ['ALL'] } },
    { name: 'fsGroup and supplementalGroups', sc: { supplementalGroups: [2000, 3000] }, want: { GroupAdd: ['2000', '3000'] } },
    { name: 'RuntimeDefault is Docker\'s default profile', sc: { seccompProfile: { type: 'RuntimeDefault' }, appArmorProfile: { type: 'RuntimeDefault' } }, want: {} },
    {
      name: 'Unconfined and Unmasked (allowed by policy)',
      sc: { seccompProfile: { type: 'Unconfined' }, appArmorProfile: { type: 'Unconfined' }, procMount: 'Unmasked' },
      want: { SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined', 'systempaths=unconfined'] },
    },
    { name: 'a Localhost AppArmor profile by name', sc: { appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-nginx' }, allowPrivilegeEscalation: false }, want: { SecurityOpt: ['no-new-privileges', 'apparmor=k8s-nginx'] } },
    { name: 'privileged', sc: { privileged: true }, want: { Privileged: true } },
  ];
  it.each(cases)('$name', ({ sc, want }) => {
    expect(securityHostConfig(sc)).toEqual(want);
  });
});

describe('profiles the engine cannot enforce', () => {
  it.each([
    [['name=seccomp,profile=default'], { seccomp: true, apparmor: false }],
    [['name=apparmor', 'name=seccomp,profile=default', 'name=cgroupns'], { seccomp: true, apparmor: true }],
    [['name=seccomp,profile=unconfined'], { seccomp: false, apparmor: false }],
    [undefined, { seccomp: false, apparmor: false }],
  ])('docker info %j → %j', (opts, want) => {
    expect(engineSecurityFrom(opts)).toEqual(want);
  });

  const noAppArmor = { seccomp: true, apparmor: false };
  const noSeccomp = { seccomp: false, apparmor: true };
  it.each([
    [{ appArmorProfile: { type: 'RuntimeDefault' } }, noAppArmor, 'appArmorProfile RuntimeDefault cannot be enforced: AppArmor is not enabled on this host'],
    [{ appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } }, noAppArmor, 'appArmorProfile Localhost cannot be enforced: AppArmor is not enabled on this host'],
    [{ appArmorProfile: { type: 'Unconfined' } }, noAppArmor, undefined],
    [{ appArmorProfile: { type: 'RuntimeDefault' } }, noSeccomp, undefined],
    [{ seccompProfile: { type: 'RuntimeDefault' } }, noSeccomp, 'seccompProfile RuntimeDefault cannot be enforced: the Docker engine runs without seccomp'],
    [{ seccompProfile: { type: 'RuntimeDefault' } }, noAppArmor, undefined],
    // A template stored before the legacy seccomp annotation was read (validation refuses it now).
    [{ seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } }, { seccomp: true, apparmor: true }, 'seccompProfile Localhost cannot be enforced: berth does not load seccomp profiles from the host'],
  ] as Array<[Security, { seccomp: boolean; apparmor: boolean }, string | undefined]>)('%j on %j → %s', (sc, engine, want) => {
    expect(verifyProfiles(sc, engine)).toBe(want);
    if (want !== undefined) expect(needsEngineSecurity(sc)).toBe(true);
  });
});
