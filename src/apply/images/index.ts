import { Readable } from 'node:stream';
import type { PullPolicy } from '../../model/types.js';
import { BerthError } from '../../model/errors.js';
import type { Clock } from '../../model/clock.js';
import { clip } from '../../model/excerpt.js';
import type { DockerClient } from '../docker.js';
import { dockerError, isNotFound } from '../docker.js';
import { imageRegistry } from '../../model/image-ref.js';
import { registryNamed } from '../../model/pod-policy.js';
import { pauseBinary, pauseImageRef, pauseRootfs } from './pause.js';
import type { RegistryResolver } from './registry-address.js';
import { registryOnHost } from './registry-address.js';
import type { RootfsEntry } from './rootfs.js';
import { hostBinaryEntries, packRootfs } from './rootfs.js';

export interface ImageConfig {
  cmd?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
  labels?: Record<string, string>;
}

/** Creates (or replaces) `ref` from a root filesystem through Docker's import API. */
export async function importRootfs(docker: DockerClient, ref: string, entries: readonly RootfsEntry[], config: ImageConfig = {}): Promise<void> {
  const tarball = await packRootfs(entries);
  const { repo, tag } = splitRef(ref);
  const changes: string[] = [];
  if (config.entrypoint) changes.push(`ENTRYPOINT ${JSON.stringify(config.entrypoint)}`);
  if (config.cmd) changes.push(`CMD ${JSON.stringify(config.cmd)}`);
  for (const [k, v] of Object.entries(config.env ?? {})) changes.push(`ENV ${k}=${JSON.stringify(v)}`);
  if (config.workdir) changes.push(`WORKDIR ${config.workdir}`);
  if (config.user) changes.push(`USER ${config.user}`);
  for (const [k, v] of Object.entries(config.labels ?? {})) changes.push(`LABEL ${JSON.stringify(k)}=${JSON.stringify(v)}`);
  try {
    const stream = await docker.api.importImage(Readable.from([tarball]) as unknown as string, { repo, tag, changes } as object);
    await followProgress(docker, stream);
  } catch (err) {
    throw dockerError(err, `importing image ${ref}`);
  }
}

export async function imageExists(docker: DockerClient, ref: string): Promise<boolean> {
  try {
    await docker.api.getImage(ref).inspect();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    // An image placeholder (`IMAGE`, `<registry>/app`) passes validation with a warning, as
    // Kubernetes accepts it (issue 14); like the kubelet's InvalidImageName, the pod cannot
    // start, and says why, as any image that cannot be had.
    const invalid = invalidReference(err);
    if (invalid !== undefined)
      throw new BerthError('IMAGE_UNAVAILABLE', `image ${ref} is not a valid image reference (Docker: ${invalid}); the pod cannot start until the manifest names an image`, {
        image: ref,
        invalidReference: invalid,
        hint: 'replace the placeholder with an image name ([registry/]name[:tag][@digest], lower case)',
      });
    throw dockerError(err, `inspecting image ${ref}`);
  }
}

/** Docker's answer to a reference it cannot parse (HTTP 400, "invalid reference format[: why]"), from those words on. */
function invalidReference(err: unknown): string | undefined {
  const e = err as { statusCode?: number; json?: { message?: unknown }; message?: unknown };
  const message = typeof e.json?.message === 'string' ? e.json.message : typeof e.message === 'string' ? e.message : '';
  const at = message.search(/invalid reference format/i);
  return e.statusCode === 400 && at >= 0 ? message.slice(at).trim() : undefined;
}

export interface EnsureImageResult {
  ref: string;
  pulled: boolean;
  /** Set when a pull failed but a local copy let the pod proceed (SPEC §3: warning event). */
  warning?: string;
}

/**
 * imagePullPolicy as the kubelet applies it: Always pulls (falling back to a local copy with a
 * warning when the registry is unreachable), IfNotPresent pulls only when missing, Never never
 * pulls. `pulledThisPass` lets one apply pass pull each image once, not once per pod.
 */
/**
 * Forgets this pass's attempt at an image, so the next ensureImage tries again: a pull retried
 * after its back-off (apply/pod-resume.ts) may come within the same long pass (`--wait`, the
 * daemon waiting on a rollout), which would otherwise answer with the failure it remembers.
 */
export function forgetPull(pulledThisPass: Map<string, Promise<EnsureImageResult>>, ref: string, policy: PullPolicy): void {
  pulledThisPass.delete(`${policy} ${ref}`);
}

export async function ensureImage(
  docker: DockerClient,
  clock: Pick<Clock, 'timeout'>,
  ref: string,
  policy: PullPolicy,
  pulledThisPass: Map<string, Promise<EnsureImageResult>>,
  guard: PullGuard = {},
): Promise<EnsureImageResult> {
  const key = `${policy} ${ref}`;
  let pending = pulledThisPass.get(key);
  if (!pending) {
    pending = ensureImageOnce(docker, clock, ref, policy, guard);
    pulledThisPass.set(key, pending);
  }
  return pending;
}

/** What a pull is held to at run time (registry-address.ts). */
export interface PullGuard {
  /** The host policy's allowedRegistries; unknown (undefined), no registry on berth's host is allowed. */
  allowedRegistries?: readonly string[];
  resolver?: RegistryResolver;
}

async function ensureImageOnce(docker: DockerClient, clock: Pick<Clock, 'timeout'>, ref: string, policy: PullPolicy, guard: PullGuard): Promise<EnsureImageResult> {
  const present = await imageExists(docker, ref);
  if (policy === 'Never' || (policy === 'IfNotPresent' && present)) {
    if (present) return { ref, pulled: false };
    throw new BerthError('IMAGE_UNAVAILABLE', `image ${ref} is not present on the host and imagePullPolicy is Never`, {
      image: ref,
      hint: 'load or build the image on this host, or change imagePullPolicy',
    });
  }
  // Only now, when Docker is about to be asked: a name of this host's /etc/hosts or one of its
  // own addresses passed validation, which reads the name alone (issue 11).
  const registry = imageRegistry(ref);
  const onHost = registry === undefined || registryNamed(guard.allowedRegistries, registry) ? undefined : await registryOnHost(registry, guard.resolver);
  if (registry !== undefined && onHost !== undefined) {
    const reason = `berth refused to pull it: its registry ${registry} ${onHost}, and Docker would send its requests to whatever listens there; use an image from a registry elsewhere, or allow this one with --allow-registry ${registry} (host policy allowedRegistries)`;
    if (present) return { ref, pulled: false, warning: `pulling ${ref} was refused (${reason}); using the copy present on the host` };
    throw new BerthError('IMAGE_UNAVAILABLE', `image ${ref} is not on the host and ${reason}`, {
      image: ref,
      registry,
      hint: `allow the registry with --allow-registry ${registry} only if it is a registry`,
    });
  }
  try {
    await pullImage(docker, clock, ref);
    return { ref, pulled: true };
  } catch (err) {
    const reason = pullFailureReason(err);
    if (present) return { ref, pulled: false, warning: `pulling ${ref} failed (${reason}); using the copy present on the host` };
    // No `cause`: the raw error holds the body a registry (or whatever listens at its address)
    // answered, and causes reach logs and BERTH_DEBUG output.
    throw new BerthError('IMAGE_UNAVAILABLE', `image ${ref} is not on the host and pulling it failed: ${reason}`, {
      image: ref,
      hint: 'check the image name and registry access, or build/load the image on this host',
    });
  }
}

/** Longest pull failure reason shown (Docker's own reasons fit; a URL with a DNS error is ~110). */
export const PULL_REASON_MAX = 160;

/**
 * Docker's reason a pull failed, without what the registry sent: dockerd passes a response body
 * it could not parse through unchanged (distribution's `error parsing HTTP 404 response body:
 * <parse error>: "<body>"`), so a registry name aimed at a service of the host read that service's
 * answer back into berth's output, status and events (issue 11). Keeps the first line up to any
 * response body, markup or JSON document, scrubbed and clipped to PULL_REASON_MAX.
 */
export function pullFailureReason(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  // dockerode's prefix: `(HTTP code 500) server error - <the daemon's message>`.
  text = text.replace(/^\(HTTP code \d+\)[^-]*- /, '');
  text = (text.split(/\r?\n/)[0] ?? '').trim();
  const body = /response body\b/i.exec(text);
  if (body) text = `${text.slice(0, body.index + body[0].length)} (not shown)`;
  const doc = text.search(/[<{]/);
  if (doc >= 0) text = `${text.slice(0, doc).replace(/[\s:="'-]+$/, '')} (response not shown)`;
  return clip(text === '' ? 'no reason given' : text, PULL_REASON_MAX);
}

const PULL_TIMEOUT_MS = 10 * 60_000;

async function pullImage(docker: DockerClient, clock: Pick<Clock, 'timeout'>, ref: string): Promise<void> {
  const signal = clock.timeout(PULL_TIMEOUT_MS);
  const stream = (await docker.api.pull(ref, { abortSignal: signal })) as NodeJS.ReadableStream;
  await followProgress(docker, stream);
}

export function followProgress(docker: DockerClient, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.api.modem.followProgress(stream, (err: Error | null, output: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
      if (err) return reject(err);
      const failed = output.find((o) => o.error || o.errorDetail);
      if (failed) return reject(new Error(failed.errorDetail?.message ?? failed.error));
      resolve();
    });
  });
}

/**
 * The pod sandbox image, imported when missing (no registry needed). Not memoised: callers go
 * through the composition root's ImageCache (images/cache.ts).
 */
export async function ensureSandboxImage(docker: DockerClient): Promise<string> {
  const info = await docker.api.version().catch((err: unknown) => {
    throw dockerError(err, 'reading the Docker version');
  });
  const binary = pauseBinary(info.Arch);
  if (!binary)
    throw new BerthError('INTERNAL', `berth has no sandbox binary for architecture ${info.Arch}`, {
      arch: info.Arch,
      hint: 'supported: amd64, arm64',
    });
  const ref = pauseImageRef(binary);
  if (!(await imageExists(docker, ref))) {
    await importRootfs(docker, ref, pauseRootfs(binary), { entrypoint: ['/pause'], labels: { 'berth.managed': 'true', 'berth.role': 'sandbox-image' } });
  }
  return ref;
}

/**
 * An image that runs JavaScript on the host's own node binary: node + its shared libraries +
 * the given files. Used for berth's data-plane image and for the examples' and tests' images.
 */
export async function buildNodeImage(
  docker: DockerClient,
  ref: string,
  files: readonly RootfsEntry[],
  config: ImageConfig & { nodePath: string },
): Promise<void> {
  const entries: RootfsEntry[] = [
    ...(await hostBinaryEntries(config.nodePath, '/usr/local/bin/node')),
    { type: 'directory', path: 'tmp', mode: 0o1777 },
    { type: 'file', path: 'etc/hostname', content: Buffer.alloc(0) },
    { type: 'file', path: 'etc/hosts', content: Buffer.alloc(0) },
    { type: 'file', path: 'etc/resolv.conf', content: Buffer.alloc(0) },
    { type: 'file', path: 'etc/passwd', content: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n') },
    { type: 'file', path: 'etc/group', content: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
    { type: 'file', path: 'etc/nsswitch.conf', content: Buffer.from('hosts: files dns\n') },
    ...files,
  ];
  const { nodePath: _nodePath, ...imageConfig } = config;
  await importRootfs(docker, ref, entries, { ...imageConfig, env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...imageConfig.env } });
}

export function splitRef(ref: string): { repo: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}
