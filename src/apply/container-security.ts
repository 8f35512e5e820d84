import type { ContainerPlan } from '../plan/pod-plan.js';
import { dockerCapability } from '../model/pod-policy.js';

type Security = ContainerPlan['securityContext'];

/** What the Docker engine can enforce (`docker info` SecurityOptions). */
export interface EngineSecurity {
  seccomp: boolean;
  apparmor: boolean;
}

/** `name=seccomp,profile=default`, `name=apparmor`, ... → what a container can be held to. */
export function engineSecurityFrom(securityOptions: readonly string[] | undefined): EngineSecurity {
  const opts = (securityOptions ?? []).map((o) => Object.fromEntries(o.split(',').map((kv) => kv.split('=', 2) as [string, string])));
  const seccomp = opts.find((o) => o.name === 'seccomp');
  return { seccomp: seccomp !== undefined && seccomp.profile !== 'unconfined', apparmor: opts.some((o) => o.name === 'apparmor') };
}

/** The user an image runs as: its Config.User split into the user and group parts. */
export function parseImageUser(user: string | undefined): { user: string; group?: string } {
  const text = (user ?? '').trim();
  const i = text.indexOf(':');
  return i < 0 ? { user: text } : { user: text.slice(0, i), group: text.slice(i + 1) };
}

/**
 * Docker's User field from runAsUser/runAsGroup (already resolved container over pod) and the
 * image's user: runAsGroup alone keeps the image's user with that group, as the kubelet does.
 * undefined: leave the image's user as it is.
 */
export function dockerUser(sc: Security, imageUser: string | undefined): string | undefined {
  if (sc.runAsUser !== undefined) return sc.runAsGroup !== undefined ? `${sc.runAsUser}:${sc.runAsGroup}` : String(sc.runAsUser);
  if (sc.runAsGroup === undefined) return undefined;
  return `${parseImageUser(imageUser).user || '0'}:${sc.runAsGroup}`;
}

/** Whether enforcing the container's settings needs the image's user (an image inspect). */
export function needsImageUser(sc: Security): boolean {
  return sc.runAsUser === undefined && (sc.runAsNonRoot === true || sc.runAsGroup !== undefined);
}

/**
 * kubelet's verifyRunAsNonRoot: with runAsNonRoot, runAsUser 0 is refused; without runAsUser the
 * image's user decides: empty, 0 or `root` is root; another name cannot be verified (it may map
 * to uid 0 in the image's /etc/passwd), so it is refused too. Returns why, or undefined.
 */
export function verifyRunAsNonRoot(sc: Security, imageUser: string | undefined): string | undefined {
  if (sc.runAsNonRoot !== true) return undefined;
  if (sc.runAsUser !== undefined) return sc.runAsUser === 0 ? "container's runAsUser breaks non-root policy (runAsNonRoot is true and runAsUser is 0)" : undefined;
  const { user } = parseImageUser(imageUser);
  if (user === '' || user === 'root' || (/^\d+$/.test(user) && Number(user) === 0)) return 'container has runAsNonRoot and image will run as root';
  if (!/^\d+$/.test(user)) return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root`;
  return undefined;
}

/** Profiles the container asks for that this engine cannot enforce (kubelet refuses such pods too). */
export function verifyProfiles(sc: Security, engine: EngineSecurity): string | undefined {
  // Validation refuses it; a template stored before the legacy annotations were read can have it.
  if (sc.seccompProfile?.type === 'Localhost') return 'seccompProfile Localhost cannot be enforced: berth does not load seccomp profiles from the host';
  if (sc.seccompProfile?.type === 'RuntimeDefault' && !sc.privileged && !engine.seccomp)
    return 'seccompProfile RuntimeDefault cannot be enforced: the Docker engine runs without seccomp';
  const apparmor = sc.appArmorProfile?.type;
  if ((apparmor === 'RuntimeDefault' || apparmor === 'Localhost') && !sc.privileged && !engine.apparmor)
    return `appArmorProfile ${apparmor} cannot be enforced: AppArmor is not enabled on this host`;
  return undefined;
}

/** Whether verifyProfiles needs to know the engine's security options (a `docker info`). */
export function needsEngineSecurity(sc: Security): boolean {
  return sc.seccompProfile?.type === 'Localhost' || sc.seccompProfile?.type === 'RuntimeDefault' || sc.appArmorProfile?.type === 'RuntimeDefault' || sc.appArmorProfile?.type === 'Localhost';
}

/**
 * The HostConfig fields of a container's securityContext. Absent fields leave Docker's
 * defaults: its default capability set, its default seccomp profile (which is what
 * RuntimeDefault means), docker-default AppArmor where the host has AppArmor, masked /proc paths.
 */
export function securityHostConfig(sc: Security): {
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  CapAdd?: string[];
  CapDrop?: string[];
  SecurityOpt?: string[];
  GroupAdd?: string[];
} {
  const opts: string[] = [];
  if (sc.allowPrivilegeEscalation === false) opts.push('no-new-privileges');
  if (sc.seccompProfile?.type === 'Unconfined') opts.push('seccomp=unconfined');
  if (sc.appArmorProfile?.type === 'Unconfined') opts.push('apparmor=unconfined');
  else if (sc.appArmorProfile?.type === 'Localhost' && sc.appArmorProfile.localhostProfile) opts.push(`apparmor=${sc.appArmorProfile.localhostProfile}`);
  if (sc.procMount === 'Unmasked') opts.push('systempaths=unconfined');
  return {
    ...(sc.readOnlyRootFilesystem ? { ReadonlyRootfs: true } : {}),
    ...(sc.privileged ? { Privileged: true } : {}),
    ...(sc.capAdd?.length ? { CapAdd: sc.capAdd.map(dockerCapability) } : {}),
    ...(sc.capDrop?.length ? { CapDrop: sc.capDrop.map(dockerCapability) } : {}),
    ...(opts.length ? { SecurityOpt: opts } : {}),
    ...(sc.supplementalGroups?.length ? { GroupAdd: sc.supplementalGroups.map(String) } : {}),
  };
}
