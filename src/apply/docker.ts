import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Dockerode from 'dockerode';
import type { Clock } from '../model/clock.js';
import { BerthError } from '../model/errors.js';

/**
 * The only way berth reaches Docker: a dockerode client. Wrapped so every API call is
 * counted by operation (the apply benchmark reports calls by kind, and the "nothing changed
 * → zero mutating calls" promise is checked against these counts).
 */
export interface DockerClient {
  api: Dockerode;
  calls: CallCounter;
  /** Docker engine API version the daemon speaks, e.g. '1.41'. */
  apiVersion(): Promise<string>;
}

export interface CallCounter {
  /** Operation → count, e.g. `POST /containers/create` → 100. */
  readonly byOperation: ReadonlyMap<string, number>;
  /** Operation → milliseconds from sending to Docker's answer, summed over its calls (bench:apply). */
  readonly msByOperation?: ReadonlyMap<string, number>;
  total(): number;
  mutating(): number;
  reset(): void;
}

export interface DockerOptions {
  /** DOCKER_HOST-style address: unix:///var/run/docker.sock, tcp://host:2375. */
  host?: string;
  /**
   * Deadline for one ordinary API call. dockerd can wedge (Docker 20.10's network controller
   * has deadlocked here under concurrent network and container churn); a deadline turns that
   * into a DOCKER_UNREACHABLE error the caller retries, instead of a pass that hangs forever.
   */
  requestTimeoutMs?: number;
  /**
   * Called as each API call is sent (the daemon logs the first mutating call of a pass: the
   * latency its benchmark measures). `mutating` is false for GET, HEAD and exec (isMutating); `name` is the name a
   * `POST /containers/create` asks for (the daemon knows its own containers' create events).
   */
  onCall?: (operation: string, mutating: boolean, name?: string) => void;
  /** Where call deadlines come from (the composition root's clock). */
  clock: Pick<Clock, 'timeout' | 'now'>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/**
 * dockerode requires gRPC, protobufjs (BuildKit sessions) and ssh2 (ssh:// hosts) when it is
 * loaded: ~480 modules and a third of a no-op apply's time, for features berth never uses on
 * most runs. Their two entry modules are replaced in the require cache by stand-ins that load
 * the real module on first call, so they cost nothing until needed.
 */
function loadDockerode(): typeof Dockerode {
  const require = createRequire(import.meta.url);
  const dockerodeMain = require.resolve('dockerode');
  // docker-modem as dockerode itself resolves it; its ssh module sits next to its main file.
  const modemMain = createRequire(dockerodeMain).resolve('docker-modem');
  for (const path of [join(dirname(dockerodeMain), 'session.js'), join(dirname(modemMain), 'ssh.js')]) {
    if (require.cache[path]) continue;
    let real: ((...args: unknown[]) => unknown) | undefined;
    const lazy = function (this: unknown, ...args: unknown[]): unknown {
      if (!real) {
        delete require.cache[path];
        real = require(path) as (...args: unknown[]) => unknown;
      }
      return real.apply(this, args);
    };
    require.cache[path] = { id: path, filename: path, loaded: true, exports: lazy } as unknown as NodeJS.Module;
  }
  return require('dockerode') as typeof Dockerode;
}

let DockerodeClass: typeof Dockerode | undefined;

export function createDockerClient(options: DockerOptions): DockerClient {
  DockerodeClass ??= loadDockerode();
  const api = new DockerodeClass(dockerodeOptions(options.host));
  const counts = new Map<string, number>();
  const ms = new Map<string, number>();
  const modem = (api as unknown as { modem: { dial: (o: DialOptions, cb: unknown) => unknown } }).modem;
  const dial = modem.dial.bind(modem);
  const defaultLimit = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  modem.dial = (o: DialOptions, cb: unknown) => {
    const op = operationName(o.method, o.path);
    counts.set(op, (counts.get(op) ?? 0) + 1);
    const name = op === 'POST /containers/create' ? o.options?.name : undefined;
    options.onCall?.(op, isMutating(op), typeof name === 'string' ? name : undefined);
    const limit = callDeadline(op, o, defaultLimit);
    if (typeof cb !== 'function') return dial(o, cb);
    const sent = options.clock.now();
    const answered = cb as (err: unknown, data: unknown) => void;
    const done = (err: unknown, data: unknown) => {
      ms.set(op, (ms.get(op) ?? 0) + options.clock.now() - sent);
      answered(err, data);
    };
    if (limit === undefined || o.abortSignal) return dial(o, done);
    const signal = options.clock.timeout(limit);
    return dial({ ...o, abortSignal: signal }, (err: unknown, data: unknown) => {
      if (err && signal.aborted) {
        const timeout = Object.assign(new Error(`Docker did not answer ${op} within ${Math.round(limit / 1000)} s`), { code: 'ETIMEDOUT', cause: err });
        return done(timeout, data);
      }
      return done(err, data);
    });
  };
  let version: Promise<string> | undefined;
  return {
    api,
    calls: {
      byOperation: counts,
      msByOperation: ms,
      total: () => [...counts.values()].reduce((a, b) => a + b, 0),
      mutating: () => [...counts.entries()].filter(([op]) => isMutating(op)).reduce((a, [, n]) => a + n, 0),
      reset: () => {
        counts.clear();
        ms.clear();
      },
    },
    apiVersion: () =>
      (version ??= api
        .version()
        .then((v) => v.ApiVersion)
        .catch((err: unknown) => {
          version = undefined;
          throw dockerError(err, 'reading the Docker version');
        })),
  };
}

/**
 * Running a command in a container (a person's `exec` or web terminal, an exec probe) is a POST
 * to Docker but changes nothing berth manages: counted as a change, a terminal opened during a
 * pass was logged and measured as the pass's first Docker change (the daemon's latency metric).
 */
const EXEC_OPERATIONS = ['POST /containers/{id}/exec', 'POST /exec/{id}/start', 'POST /exec/{id}/resize'];

/** Whether an operation changes the host: not a read (GET, HEAD), not an exec. */
export function isMutating(op: string): boolean {
  return !op.startsWith('GET ') && !op.startsWith('HEAD ') && !EXEC_OPERATIONS.includes(op);
}

interface DialOptions {
  method: string;
  path: string;
  options?: Record<string, unknown>;
  abortSignal?: AbortSignal;
  isStream?: boolean;
  hijack?: boolean;
  openStdin?: boolean;
}

/**
 * How long one call may take: none for calls that legitimately block (waiting for a
 * container to exit, streams, attached exec), the stop timeout plus a margin for stop and
 * restart, the default for everything else.
 */
function callDeadline(op: string, o: DialOptions, defaultLimit: number): number | undefined {
  if (o.isStream || o.hijack || o.openStdin) return undefined;
  if (op.endsWith('/wait') || op.endsWith('/attach') || op.endsWith('/logs') || op.startsWith('GET /events')) return undefined;
  if (op.endsWith('/stop') || op.endsWith('/restart')) {
    const t = Number((o.options as { t?: unknown } | undefined)?.t ?? 10);
    return (Number.isFinite(t) ? t : 10) * 1000 + defaultLimit;
  }
  return defaultLimit;
}

function dockerodeOptions(host: string | undefined): Dockerode.DockerOptions {
  if (!host) return {};
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const u = new URL(host.replace(/^tcp:/, 'http:'));
  return { host: u.hostname, port: Number(u.port || 2375), protocol: u.protocol === 'https:' ? 'https' : 'http' };
}

const COLLECTIONS = new Set(['containers', 'networks', 'volumes', 'exec', 'plugins', 'secrets', 'services', 'nodes', 'tasks']);
const COLLECTION_VERBS = new Set(['json', 'create', 'prune', 'load', 'search']);

/** `/v1.41/containers/3f2a…/start?` → `POST /containers/{id}/start`. */
export function operationName(method: string, rawPath: string): string {
  const path = rawPath.split('?')[0]!.replace(/^\/v\d+\.\d+/, '');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'images') {
    if (parts.length >= 2 && COLLECTION_VERBS.has(parts[1]!) && parts.length === 2) return `${method} /images/${parts[1]}`;
    const tail = parts[parts.length - 1]!;
    return parts.length > 2 && ['json', 'history', 'push', 'tag', 'get'].includes(tail)
      ? `${method} /images/{name}/${tail}`
      : `${method} /images/{name}`;
  }
  if (parts[0] && COLLECTIONS.has(parts[0]) && parts[1] && !COLLECTION_VERBS.has(parts[1])) parts[1] = '{id}';
  return `${method} /${parts.join('/')}`;
}

/**
 * Turn a dockerode failure into a BerthError: DOCKER_UNREACHABLE when there is no engine to
 * talk to (exit 3, retry later), DOCKER_ERROR with the engine's status and message otherwise.
 */
export function dockerError(err: unknown, doing: string): BerthError {
  if (err instanceof BerthError) return err;
  const e = err as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'ECONNRESET' || e.code === 'EHOSTUNREACH' || e.code === 'ETIMEDOUT') {
    return new BerthError(
      'DOCKER_UNREACHABLE',
      `cannot reach the Docker engine while ${doing}: ${e.code === 'ETIMEDOUT' && e.message ? e.message : e.code}`,
      { hint: 'is dockerd running? set DOCKER_HOST to its address (e.g. unix:///var/run/docker.sock)', errno: e.code },
      { cause: err },
    );
  }
  return new BerthError('DOCKER_ERROR', `Docker failed while ${doing}: ${dockerMessage(err)}`, { statusCode: e.statusCode, doing }, { cause: err });
}

/** The engine's own words for a failure (its JSON `message`), else the error's message. */
export function dockerMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string } | undefined;
  return e?.json?.message ?? e?.message ?? String(err);
}

/**
 * The address a container's endpoint on a network was asked for (`IPAMConfig.IPv4Address`, a
 * single pod's claimed address): Docker keeps it while the container is stopped, when the
 * endpoint's IPAddress is empty. Undefined when none was asked for.
 */
export function endpointIpamAddress(c: Pick<Dockerode.ContainerInfo, 'NetworkSettings'>, network: string): string | undefined {
  const ep = c.NetworkSettings?.Networks?.[network] as { IPAMConfig?: { IPv4Address?: string } | null } | undefined;
  return ep?.IPAMConfig?.IPv4Address || undefined;
}

export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}

export function isConflict(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 409;
}

export function isNotModified(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 304;
}
