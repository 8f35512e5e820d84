import type { AppliedConfig } from '../../plan/observed.js';
import type { DataplaneStatus, DnsConfig, EdgeConfig, ProxyConfig } from '../../dataplane/protocol.js';
import { configChecksum, configFileName, decodeConfig, decodeStatus, DEFAULT_EDGE_CONFIG_DIR, encodeConfig, STATUS_FILE } from '../../dataplane/protocol.js';
import { isBerthError } from '../../model/errors.js';
import type { Clock } from '../../model/clock.js';
import type { DockerClient } from '../docker.js';
import { dockerError } from '../docker.js';
import { DNS_CONFIG_DIR, PROXY_CONFIG_DIR } from '../images/dataplane.js';
import { getFile, putFile, putFiles } from './archive.js';
import { readHostFile, readHostStatus, writeHostFile } from './host-status.js';

/** A file written beside a configuration (the edge's certificates), relative to the config dir. */
export interface ExtraFile {
  path: string;
  content: string;
  mode: number;
}

/**
 * berth's side of the data-plane configuration protocol (docs/dataplane.md): a new file per
 * change, generations from the clock and strictly increasing per container, status read back
 * from the container's config volume on the host or, where that cannot be read, with the
 * archive API. What a writer wrote is remembered (by container id) until the program reports
 * it applied, so a pass that follows a write a moment later sees it as
 * pending rather than writing it again; writes to one container are serialised, so two pods
 * leaving the same Service at once never undo each other.
 */
export type DataplaneKind = 'proxy' | 'dns' | 'edge';
export type Payload = ProxyConfig | DnsConfig | EdgeConfig;

interface Written {
  kind: DataplaneKind;
  generation: number;
  checksum: string;
  payload: Payload;
}

export function configDir(kind: DataplaneKind): string {
  return kind === 'proxy' ? PROXY_CONFIG_DIR : kind === 'dns' ? DNS_CONFIG_DIR : DEFAULT_EDGE_CONFIG_DIR;
}

/**
 * Where a configuration file goes, relative to configDir: the edge is shared by every app, each
 * writing its fragment into `apps/<app>/` (created by the upload itself: the archive API makes
 * missing parent directories).
 */
function configPath(kind: DataplaneKind, app: string | undefined, fileName: string): string {
  return kind === 'edge' ? `apps/${app ?? ''}/${fileName}` : fileName;
}

/**
 * One app's memory of its data-plane writes, owned by the composition root (runtime/compose.ts)
 * so the daemon keeps it across passes and two roots (tests, two apps) never share it.
 */
export interface ConfigWriter {
  /** Runs `fn` after every earlier call for the same container (a per-container mutex). */
  serialized<T>(containerId: string, fn: () => Promise<T>): Promise<T>;
  /** Uploads `payload` as a new generation (above `after` and anything written before); returns it. */
  writeConfig(deps: { docker: DockerClient; clock: Clock }, containerId: string, kind: DataplaneKind, payload: Payload, after?: number, files?: readonly ExtraFile[]): Promise<number>;
  /** writeConfig for callers that already hold the container's turn (serialized). `files` go in the same archive, before the configuration. */
  writeNow(deps: { docker: DockerClient; clock: Clock }, containerId: string, kind: DataplaneKind, payload: Payload, after?: number, files?: readonly ExtraFile[]): Promise<number>;
  /**
   * Where the container's config dir is on the engine's host (host-status.ts hostDirOf), as
   * the observation that read its status found it: later writes go there directly. A
   * container's mounts never change, so this is true for as long as the container exists.
   */
  noteHostDir(containerId: string, hostDir: string | undefined): void;
  /** What this writer last wrote into a container, if anything. */
  lastWritten(containerId: string): { generation: number; payload: Payload } | undefined;
  forgetContainer(containerId: string): void;
  /**
   * What the planner compares against: the newer of the status and this writer's last write.
   * A write the program has acknowledged (or superseded) is forgotten. `app`: the edge's
   * status holds every app's fragment; this one's is compared.
   */
  appliedConfig(containerId: string, status: DataplaneStatus | undefined, app?: string): AppliedConfig;
}

export function createConfigWriter(): ConfigWriter {
  const written = new Map<string, Written>();
  const queues = new Map<string, Promise<unknown>>();
  const hostDirs = new Map<string, string>();

  function serialized<T>(containerId: string, fn: () => Promise<T>): Promise<T> {
    const prev = queues.get(containerId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    queues.set(containerId, tail);
    void tail.then(() => {
      if (queues.get(containerId) === tail) queues.delete(containerId);
    });
    return next;
  }

  async function writeNow(deps: { docker: DockerClient; clock: Clock }, containerId: string, kind: DataplaneKind, payload: Payload, after = 0, files: readonly ExtraFile[] = []): Promise<number> {
    const generation = Math.max(Math.floor(deps.clock.now()), after + 1, (written.get(containerId)?.generation ?? 0) + 1);
    const { fileName, content } = encodeConfig(kind, payload as never, generation);
    try {
      const path = configPath(kind, kind === 'edge' ? (payload as EdgeConfig).app : undefined, fileName);
      const container = deps.docker.api.getContainer(containerId);
      // On the host where the container's config dir is there (the program sees it as it sees an upload), else uploaded.
      const hostDir = kind === 'edge' || files.length > 0 ? undefined : hostDirs.get(containerId);
      const onHost = hostDir !== undefined && (await writeHostFile(hostDir, path, content));
      if (!onHost && files.length === 0) await putFile(container, configDir(kind), path, content);
      else if (!onHost) await putFiles(container, configDir(kind), [...files, { path, content }]);
    } catch (err) {
      throw dockerError(err, `uploading ${kind} configuration ${fileName} into container ${containerId.slice(0, 12)}`);
    }
    written.set(containerId, { kind, generation, checksum: configChecksum(kind, generation, payload), payload });
    return generation;
  }

  return {
    serialized,
    writeNow,
    writeConfig: (deps, containerId, kind, payload, after = 0, files = []) => serialized(containerId, () => writeNow(deps, containerId, kind, payload, after, files)),
    lastWritten(containerId) {
      const w = written.get(containerId);
      return w ? { generation: w.generation, payload: w.payload } : undefined;
    },
    noteHostDir(containerId, hostDir) {
      if (hostDir === undefined) hostDirs.delete(containerId);
      else hostDirs.set(containerId, hostDir);
    },
    forgetContainer(containerId) {
      written.delete(containerId);
      hostDirs.delete(containerId);
    },
    appliedConfig(containerId, status, app) {
      const w = written.get(containerId);
      const edgeApp = status?.kind === 'edge' && app !== undefined ? status.apps[app] : undefined;
      const statusGen = status?.kind === 'edge' ? (edgeApp?.generation ?? 0) : (status?.generation ?? 0);
      if (w && w.generation > statusGen) return { generation: w.generation, checksum: w.checksum, serving: servingOf(w.payload) };
      if (w && w.generation <= statusGen) written.delete(containerId);
      const live = (e: { state: string }) => e.state === 'serving' || e.state === 'unreachable';
      const serving =
        status?.kind === 'proxy'
          ? status.endpoints.filter(live).map((e) => e.name)
          : status?.kind === 'edge'
            ? [...new Set(status.endpoints.filter((e) => e.app === app && live(e)).map((e) => e.name))]
            : [];
      return { generation: statusGen, checksum: (status?.kind === 'edge' ? edgeApp?.checksum : status?.checksum) ?? null, serving };
    },
  };
}

/**
 * The program's status.json; undefined before it first started (or when it is not there).
 * `hostDir`: where the container's config dir is on the engine's host (host-status.ts), read
 * directly when it can be; otherwise, or without it, through the archive API.
 */
export async function readStatus(docker: DockerClient, containerId: string, kind: DataplaneKind, hostDir?: string): Promise<DataplaneStatus | undefined> {
  const local = hostDir === undefined ? undefined : await readHostStatus(hostDir);
  let text: string | undefined;
  if (local === 'absent') return undefined;
  if (local !== undefined) text = local.text;
  else {
    try {
      text = await getFile(docker.api.getContainer(containerId), `${configDir(kind)}/${STATUS_FILE}`);
    } catch (err) {
      throw dockerError(err, `reading the status of ${kind} container ${containerId.slice(0, 12)}`);
    }
  }
  if (text === undefined) return undefined;
  const decoded = decodeStatus(text);
  return decoded.ok ? decoded.status : undefined;
}

/** The configuration file of a generation as the program keeps it (undefined when gone). */
export async function readConfig(docker: DockerClient, containerId: string, kind: DataplaneKind, generation: number, app?: string, hostDir?: string): Promise<Payload | undefined> {
  // From the host directory where it can be (as readStatus), files in the volume's root only.
  const local = hostDir === undefined || kind === 'edge' ? undefined : await readHostFile(hostDir, configFileName(generation));
  if (local === 'absent') return undefined;
  const text =
    local?.text ??
    (await getFile(docker.api.getContainer(containerId), `${configDir(kind)}/${configPath(kind, app, configFileName(generation))}`).catch((err: unknown) => {
      throw dockerError(err, `reading ${kind} configuration of container ${containerId.slice(0, 12)}`);
    }));
  if (text === undefined) return undefined;
  const decoded = decodeConfig(text, kind, generation);
  return decoded.ok ? decoded.config.payload : undefined;
}

function servingOf(p: Payload): string[] {
  if ('virtualHosts' in p) return [...new Set(p.backends.flatMap((b) => b.endpoints.filter((e) => e.ready).map((e) => e.name)))];
  return 'endpoints' in p && 'sessionAffinity' in p ? p.endpoints.filter((e) => e.ready).map((e) => e.name ?? e.ip) : [];
}

/** Polls status.json until `accept` says yes; false after `timeoutMs`. `hostDir`: as readStatus. */
export async function waitForStatus(
  deps: { docker: DockerClient; clock: Clock },
  containerId: string,
  kind: DataplaneKind,
  accept: (s: DataplaneStatus) => boolean,
  timeoutMs: number,
  options: { pollMs?: number; hostDir?: string } = {},
): Promise<DataplaneStatus | false> {
  const deadline = deps.clock.now() + timeoutMs;
  const pollMs = options.pollMs ?? 100;
  for (;;) {
    const s = await readStatus(deps.docker, containerId, kind, options.hostDir).catch((err: unknown) => {
      if (isBerthError(err, 'DOCKER_ERROR') && err.data.statusCode === 404) return undefined;
      throw err;
    });
    if (s && accept(s)) return s;
    if (deps.clock.now() >= deadline) return false;
    await deps.clock.sleep(pollMs);
  }
}
