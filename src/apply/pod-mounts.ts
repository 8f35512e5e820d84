import type Dockerode from 'dockerode';
import type { ContainerPlan, PodPlan } from '../plan/pod-plan.js';
import { expandSubPathExpr } from '../plan/pod-plan.js';
import { BerthError } from '../model/errors.js';
import type { SafeMount } from './volumes/safe-mounts.js';
import { hostPathPrefix, makeSafeMount, SAFE_MOUNT_ROOT, safeMountTarget } from './volumes/safe-mounts.js';
import type { PodContext } from './pod-context.js';

/** The API takes VolumeOptions' other fields as optional; the typings do not. */
const NO_COPY = { NoCopy: true } as NonNullable<Dockerode.MountSettings['VolumeOptions']>;

/** A pod whose mounts go through volumes/safe-mounts (a subPath, or any hostPath). */
export function needsSafeMounts(pod: PodPlan): boolean {
  return [...pod.initContainers, ...pod.containers].some((c) => c.mounts.some((m) => m.subPath || m.subPathExpr || pod.volumes.find((v) => v.name === m.volume)?.type === 'hostPath'));
}

export interface ContainerMounts {
  mounts: Dockerode.MountSettings[];
  /** The subPath/hostPath binds made for it, kept on its label (startContainer remakes them). */
  safe: SafeMount[];
}

/** `env`: the container's environment as it is created (subPathExpr expands from it). */
export type MountFor = (c: ContainerPlan, env: ReadonlyMap<string, string>) => Promise<ContainerMounts>;

/**
 * A container's mounts. Docker 20.10 has no volume sub-path mounts, so a subPath becomes a bind
 * mount; and a hostPath is one. Neither hands Docker a path inside the volume or below the
 * prefix (Docker would follow the symlinks a pod planted there, issue 11): each is resolved
 * inside its root and bound to a berth-owned path (volumes/safe-mounts.ts), when the container
 * is created.
 */
export function mountResolver(ctx: PodContext, pod: PodPlan, volumes: Map<string, string>): MountFor {
  const root = ctx.safeMountRoot ?? SAFE_MOUNT_ROOT;
  return async (c, env) => {
    const mounts: Dockerode.MountSettings[] = [];
    const safe: SafeMount[] = [];
    for (const [i, m] of c.mounts.entries()) {
      const v = pod.volumes.find((x) => x.name === m.volume)!;
      const readOnly = m.readOnly || v.type === 'files' || ((v.type === 'pvc' || v.type === 'hostPath') && v.readOnly === true);
      const where = `(container ${c.name} of pod ${pod.namespace}/${pod.name})`;
      const subPath = m.subPathExpr ? expandedSubPath(m.subPathExpr, env, `subPathExpr ${JSON.stringify(m.subPathExpr)} of volume ${JSON.stringify(v.name)} ${where}`) : m.subPath;
      if (!subPath && v.type !== 'hostPath') {
        // NoCopy: Docker fills an empty volume with what the image has at the mount path when the
        // container is created; a configMap/secret volume holds its keys and nothing else. (It
        // is empty then when its config has no keys, or still being written: containers may be
        // created while the sandbox starts.)
        mounts.push({ Type: 'volume', Source: volumes.get(v.name)!, Target: m.mountPath, ReadOnly: readOnly, ...(v.type === 'files' ? { VolumeOptions: NO_COPY } : {}) });
        continue;
      }
      const prefix = v.type === 'hostPath' && ctx.hostPathPrefixes ? hostPathPrefix(ctx.hostPathPrefixes, v.path) : undefined;
      // Validated against the policy, but this template may be older than today's policy
      // (a rollback, an undo): the mount is refused as validation would refuse it now.
      if (v.type === 'hostPath' && ctx.hostPathPrefixes && prefix === undefined)
        throw new BerthError('VOLUME_ERROR', `hostPath volume ${JSON.stringify(v.name)} ${where}: ${JSON.stringify(v.path)} is outside the paths this host's policy allows`, {
          reason: 'outside-prefixes',
          path: v.path,
          hint: 'allow it with --host-path-prefix <dir> (host policy hostPathPrefixes)',
        });
      const sm: SafeMount = {
        target: safeMountTarget(root, ctx.app, pod.namespace, pod.name, c.name, i),
        source:
          v.type === 'hostPath'
            ? {
                hostPath: v.path,
                prefix: prefix ?? null,
                ...(v.hostPathType ? { type: v.hostPathType } : {}),
                ...(subPath ? { subPath } : {}),
              }
            : { volume: volumes.get(v.name)!, subPath: subPath! },
        describe: subPath ? `subPath ${JSON.stringify(subPath)} of volume ${JSON.stringify(v.name)} ${where}` : `hostPath volume ${JSON.stringify(v.name)} ${where}`,
      };
      await makeSafeMount({ ...ctx, root }, sm);
      safe.push(sm);
      mounts.push({ Type: 'bind', Source: sm.target, Target: m.mountPath, ReadOnly: readOnly });
    }
    return { mounts, safe };
  };
}

/**
 * A subPathExpr expanded from the container's environment; one that cannot be (a variable
 * unset, a result leaving the volume) refuses the container, as the kubelet's
 * CreateContainerConfigError does, and is never mounted as the whole volume.
 */
function expandedSubPath(expr: string, env: ReadonlyMap<string, string>, describe: string): string {
  const r = expandSubPathExpr(expr, env);
  if ('error' in r) throw new BerthError('VOLUME_ERROR', `${describe} ${r.error}`, { reason: 'invalid-subpath', subPathExpr: expr });
  return r.subPath;
}
