/**
 * berth's own images (the data plane, the pod sandbox) on a Swarm. On one host berth builds
 * them into the engine it drives; a Swarm's workers have no such image and can only pull, so
 * the manager pushes each one to a registry every node can reach and services name it there.
 *
 * berth's images are tagged by their content (images/dataplane.ts, images/pause.ts), so a tag
 * the registry already holds is the same image: its presence is the whole check (registry v2
 * API, `HEAD /v2/<name>/manifests/<tag>`), and the push is skipped.
 */
import http from 'node:http';
import { BerthError } from '../../model/errors.js';
import { imageRegistry } from '../../model/image-ref.js';
import type { DockerClient } from '../docker.js';
import { dockerError } from '../docker.js';
import { followProgress, pullFailureReason } from '../images/index.js';

export interface SwarmImageRef {
  /** `<registry>/<repo>`, without the tag. */
  repo: string;
  tag: string;
  /** What services name: `<registry>/<repo>:<tag>`. */
  ref: string;
  /** The registry's manifest URL for the tag (plain HTTP: an insecure registry). */
  manifestUrl: string;
}

/** A registry as `host:port`: a DNS name, IPv4 address or bracketed IPv6 address, and a port. */
const REGISTRY = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?):(\d{1,5})$/i;
/** A local ref of berth's: `repo[/path]:tag`, Docker's lower-case repository grammar. */
const LOCAL_REF = /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*):([\w][\w.-]{0,127})$/;
const HEAD_TIMEOUT_MS = 5_000;
/** The manifest media types a registry may hold berth's images as (Docker's import makes schema 2). */
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/** Where `localRef` goes in `registry`; pure. Throws USAGE for a registry that is not host:port. */
export function swarmImageRef(localRef: string, registry: string): SwarmImageRef {
  const port = REGISTRY.exec(registry)?.[1];
  if (port === undefined || Number(port) < 1 || Number(port) > 65_535)
    throw new BerthError('USAGE', `the Swarm's image registry must be given as host:port, got ${JSON.stringify(registry)}`, {
      value: registry,
      hint: 'name the registry every node can pull from, e.g. 10.0.0.1:5000 (no scheme, no path)',
    });
  const local = LOCAL_REF.exec(localRef);
  if (!local || imageRegistry(localRef) !== undefined)
    throw new BerthError('INTERNAL', `berth's own image ${JSON.stringify(localRef)} is not a local repo:tag reference`, { part: localRef });
  const [, name, tag] = local as unknown as [string, string, string];
  return { repo: `${registry}/${name}`, tag, ref: `${registry}/${name}:${tag}`, manifestUrl: `http://${registry}/v2/${name}/manifests/${tag}` };
}

/**
 * What to do about a push the registry or the network refused, from Docker's message; one line.
 * The common causes on a new Swarm are a registry not reachable from the manager and one that
 * speaks plain HTTP to an engine that insists on HTTPS.
 */
export function pushFailureHint(message: string, registry: string): string {
  if (/gave HTTP response to HTTPS client|x509|certificate|tls:/i.test(message))
    return `${registry} speaks plain HTTP: list it in "insecure-registries" of /etc/docker/daemon.json on every node and restart dockerd (127.0.0.0/8 is insecure by default)`;
  if (/connection refused|no route to host|i\/o timeout|no such host|network is unreachable|dial tcp|EOF/i.test(message))
    return `the registry ${registry} is not reachable from the Swarm manager: start it, or name the address the nodes reach it at`;
  if (/unauthorized|authentication required|denied|forbidden/i.test(message))
    return `${registry} refuses anonymous pushes: berth pushes without credentials, so use a registry open to the nodes' network`;
  return `check that ${registry} is a Docker registry (v2 API) the manager can push to`;
}

/**
 * The ref under which Swarm nodes can pull berth's image `localRef` (built on the manager):
 * tagged `<registry>/<repo>:<tag>` and pushed, unless the registry already has that tag.
 */
export async function ensureSwarmImage(docker: DockerClient, localRef: string, registry: string): Promise<string> {
  const target = swarmImageRef(localRef, registry);
  if ((await registryHasManifest(target.manifestUrl)) === true) return target.ref;
  try {
    await docker.api.getImage(localRef).tag({ repo: target.repo, tag: target.tag });
  } catch (err) {
    throw dockerError(err, `tagging ${localRef} as ${target.ref}`);
  }
  let reason: string | undefined;
  let cause: unknown;
  try {
    // By repo and tag: a push of the repo alone would push every tag it has.
    const stream = (await docker.api.getImage(target.repo).push({ tag: target.tag, authconfig: {} })) as NodeJS.ReadableStream;
    await followProgress(docker, stream);
  } catch (err) {
    cause = err;
    reason = pullFailureReason(err);
  }
  if (reason !== undefined)
    throw new BerthError('IMAGE_UNAVAILABLE', `cannot push ${target.ref} to the Swarm's registry: ${reason}`, { image: target.ref, registry, hint: pushFailureHint(reason, registry) }, { cause });
  return target.ref;
}

/**
 * Whether the registry holds the manifest: true (200), false (404), undefined when it cannot
 * say (unreachable, TLS only, auth): the push then runs and reports the real cause.
 */
export function registryHasManifest(url: string): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'HEAD', headers: { Accept: MANIFEST_TYPES }, timeout: HEAD_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? true : res.statusCode === 404 ? false : undefined);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
