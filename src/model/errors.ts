import type { StoreFault } from './store-fault.js';
import type { Problem } from './problem.js';
import type { LeaseHolder } from './state.js';

/**
 * One error base for the whole project. Callers branch on `code` (stable, documented in
 * docs/errors.md) and read `data`, whose shape each code fixes (ErrorDataMap); message text is
 * for people and may change. Library errors are wrapped with `cause` so the original stack survives.
 */
export type ErrorCode =
  // usage and input (exit 2)
  | 'USAGE'
  | 'INPUT_UNREADABLE'
  | 'INVALID_MANIFESTS'
  | 'INVALID_CONFIG'
  | 'NOT_FOUND'
  | 'AMBIGUOUS'
  /** The input asks for something another object already holds (e.g. a nodePort). */
  | 'CONFLICT'
  // the answer is "no" (exit 1)
  | 'ROLLOUT_FAILED'
  | 'TIMEOUT'
  // runtime (exit 3)
  | 'DOCKER_UNREACHABLE'
  | 'DOCKER_ERROR'
  | 'SOURCE_UNREACHABLE'
  | 'SOURCE_ERROR'
  | 'STORE_ERROR'
  | 'LEASE_HELD'
  | 'POLICY_DENIED'
  | 'NOT_OWNED'
  | 'IMAGE_UNAVAILABLE'
  /** A volume cannot be mounted as asked: a subPath or hostPath leads out of its root, is missing or of the wrong type. */
  | 'VOLUME_ERROR'
  | 'INTERNAL'
  /** A local port a command must listen on (port-forward) is taken: exit 1, as kubectl's. */
  | 'PORT_IN_USE';

/** Why a path named on the command line could not be read (INPUT_UNREADABLE `data.reason`). */
export type InputUnreadableReason =
  | 'not-found'
  | 'permission-denied'
  | 'not-a-file'
  | 'not-a-directory'
  | 'read-failed'
  | 'changed-while-reading'
  // a directory named with -k (or to `berth kustomize`) holds no kustomization file
  | 'no-kustomization'
  // a path named as a repository
  | 'not-a-repository'
  | 'invalid-gitdir'
  | 'bare-not-named'
  | 'bare-in-work-tree'
  | 'submodule';

/** Why a Git source was reached but not read as a revision (SOURCE_ERROR `data.reason`). */
export type SourceErrorReason =
  | 'invalid-url'
  | 'unsupported-protocol'
  | 'invalid-path'
  | 'invalid-ref'
  | 'ambiguous'
  | 'not-found'
  | 'ref-not-found'
  | 'commit-not-found'
  | 'path-not-found'
  | 'not-a-commit'
  | 'corrupt'
  | 'ssh-key-missing'
  | 'ssh-key-encrypted'
  | 'ssh-key-invalid'
  | 'known-hosts-invalid';

/**
 * Why a remote could not be reached (SOURCE_UNREACHABLE `data.reason`):
 * - `network`: connection refused/reset, DNS, TLS, a stream cut mid-transfer
 * - `auth`: 401/403 (missing or wrong credentials)
 * - `not-found`: 404 (no such repository, or hidden from these credentials)
 * - `http`: any other HTTP status
 * - `not-git`: the server answered but does not speak Git's smart HTTP protocol
 * - `timeout`: no answer within the source's timeout
 * - SSH only (sources/git-ssh.ts): `host-key-unknown` (the host is not in the known_hosts file,
 *   or there is none: never trusted on first use), `host-key-mismatch` (it is, with another
 *   key), `host-key-revoked` (an `@revoked` line lists the key it offered)
 */
export type UnreachableReason = 'network' | 'auth' | 'not-found' | 'http' | 'not-git' | 'timeout' | 'host-key-unknown' | 'host-key-mismatch' | 'host-key-revoked';

/** Why a path inside a volume or below a hostPath prefix was refused while it was resolved. */
export type VolumePathReason = 'escapes-root' | 'not-found' | 'not-a-directory' | 'too-many-links' | 'symlink-refused' | 'wrong-type' | 'unreadable';

/** Why a volume could not be mounted (VOLUME_ERROR `data.reason`). */
export type VolumeErrorReason = VolumePathReason | 'outside-prefixes' | 'invalid-subpath' | 'mount-failed';

/** Fields every code's data may carry. */
interface CommonData {
  /** What the user can do about it, one line; the CLI prints it under the message. */
  hint?: string;
}

type SourceErrorData = CommonData & {
  reason: SourceErrorReason;
  /** The ref or revision expression that was being read. */
  ref?: string;
  /** A remote's URL as it may be shown (credentials removed). */
  url?: string;
  /** A sub-path of the repository. */
  path?: string;
  commit?: string;
  /** The commits a short SHA matches (reason `ambiguous`). */
  candidates?: unknown[];
  /** Consecutive failed fetches of a remote so far. */
  attempt?: number;
  /** Whether the remote's local cache was wiped and cloned again before this failure. */
  cacheReset?: boolean;
  /** The lines of a known_hosts file berth cannot read (reason `known-hosts-invalid`). */
  problems?: unknown[];
};

/**
 * The shape of `data` for each error code. Each shape lists every field some `new BerthError`
 * of that code sets; a field only some of them set is optional. docs/errors.md lists them
 * (test/model/errors.test.ts keeps the two in step).
 */
export interface ErrorDataMap {
  /** The offending argument or flag, under a name saying what it is. */
  USAGE: CommonData & {
    app?: string;
    arg?: string;
    flag?: string;
    flags?: string[];
    value?: string;
    output?: string;
    resource?: string;
    target?: string;
    selector?: string;
    /** Offset of a selector's syntax error. */
    position?: number;
    registry?: string;
    listen?: string | { host: string; port: number };
    apiHost?: string;
    path?: string;
    directory?: string;
    repo?: string;
    refExists?: boolean;
    key?: string;
    revision?: number;
    pod?: string;
    container?: string;
    containers?: string[];
    state?: string;
    service?: string;
    serviceKey?: string;
    portName?: string;
    address?: string;
    port?: number;
  };
  /**
   * A path that could not be read, or (from `berth diff --from/--to`) a ref the repository does
   * not have: then the SOURCE_ERROR's data, since such a ref is input, not a runtime failure.
   */
  INPUT_UNREADABLE:
    | (CommonData & {
        path: string;
        reason: InputUnreadableReason;
        /** The `.git` file of a repository path (reason `invalid-gitdir`). */
        dotgit?: string;
        /** The work tree that holds the bare repository or submodule. */
        workTree?: string;
      })
    | SourceErrorData;
  /** Only errors outside validation carry data; validation reports problems as data instead. */
  INVALID_MANIFESTS: CommonData & { schedule?: string };
  INVALID_CONFIG: CommonData & { path: string; problems?: Problem[] };
  /** What was looked for: an inventory key, or a pod, service, container or revision by name. */
  NOT_FOUND: CommonData & {
    app?: string;
    key?: string;
    namespace?: string;
    pod?: string;
    container?: string;
    service?: string;
    deployment?: string;
    /** A port name or number as given. */
    port?: string;
    revision?: number | string;
    /** A resource type berth does not know, as typed (`get deploymnt`). */
    resource?: string;
  };
  AMBIGUOUS: CommonData;
  /** What was asked for, and (`heldBy`) who holds it. */
  CONFLICT: CommonData & {
    app?: string;
    serviceKey?: string;
    portName?: string;
    service?: string;
    port?: number;
    protocol?: string;
    /** The host process's address and port that holds the port. */
    listener?: string;
    heldBy?: { app: string; serviceKey: string; portName: string };
  };
  ROLLOUT_FAILED: CommonData;
  /** The app whose change was not taken in time, and the daemon that holds it (intents, runtime/control.ts). */
  TIMEOUT: CommonData & { app?: string; heldBy?: LeaseHolder };
  DOCKER_UNREACHABLE: CommonData & { errno?: string };
  DOCKER_ERROR: CommonData & {
    /** What berth was doing, e.g. `inspecting volume x`. */
    doing?: string;
    /** The Docker API's HTTP status. */
    statusCode?: number;
    /** An init container that failed (`pod` is namespace/name). */
    pod?: string;
    container?: string;
    exitCode?: number;
  };
  SOURCE_UNREACHABLE: CommonData & {
    reason: UnreachableReason;
    url: string;
    attempt: number;
    /** The HTTP status, when the remote answered with one. */
    status?: number;
    /** SSH: the SHA256 fingerprint of the host key the server offered, and the known_hosts file it was checked against. */
    hostKey?: string;
    knownHostsFile?: string;
  };
  SOURCE_ERROR: SourceErrorData;
  STORE_ERROR: CommonData & {
    /** The store operation that failed (a method name, `open`, `transaction`). */
    op?: string;
    sqliteCode?: string;
    dir?: string;
    file?: string;
    journalMode?: unknown;
    schemaVersion?: unknown;
    supportedVersion?: number;
    key?: string;
    /** What is wrong with the store (model/store-fault.ts): `corrupt`, `full`, `readonly`, `io`, `error`. */
    fault?: StoreFault;
    /** What SQLite's integrity check found, first lines only. */
    integrity?: string[];
  };
  LEASE_HELD: CommonData & { app: string; heldBy?: LeaseHolder; expiresAt?: number };
  /** What was refused, one line per refusal (`refused`): an app's stored objects, or one Deployment's revision. */
  POLICY_DENIED: CommonData & { refused: string[]; app?: string; key?: string; revision?: number };
  NOT_OWNED: CommonData & { container?: string; network?: string; volume?: string };
  /** `invalidReference`: Docker's parse error of an image that is not a reference at all (the kubelet's InvalidImageName). */
  IMAGE_UNAVAILABLE: CommonData & { image: string; registry?: string; invalidReference?: string };
  VOLUME_ERROR: CommonData & {
    reason: VolumeErrorReason;
    /** Which volume mount of which container, as messages name it. */
    mount?: string;
    path?: string;
    root?: string;
    subPathExpr?: string;
    /** A hostPath `type` and what was found there (reason `wrong-type`). */
    type?: string;
    found?: string;
  };
  /** The local address and port asked for. */
  PORT_IN_USE: CommonData & { address: string; port: number };
  INTERNAL: CommonData & {
    app?: string;
    /** An intent the pass did not act on. */
    id?: number;
    key?: string;
    part?: string;
    file?: string;
    dir?: string;
    binaryPath?: string;
    arch?: string;
  };
}

/** The data of an error of code C (of any of the codes, when C is a union). */
export type ErrorData<C extends ErrorCode> = ErrorDataMap[C];

/** A code whose data has no required field, so `new BerthError(code, message)` may leave it out. */
type DataArgs<C extends ErrorCode> = {} extends ErrorDataMap[C]
  ? [data?: ErrorDataMap[C], options?: { cause?: unknown }]
  : [data: ErrorDataMap[C], options?: { cause?: unknown }];

export class BerthError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'BerthError';
  readonly code: C;
  readonly data: ErrorDataMap[C];

  constructor(code: C, message: string, ...[data, options]: DataArgs<C>) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.data = data ?? ({} as ErrorDataMap[C]);
  }

  /**
   * `instanceof` as usual. Declared so the check narrows to AnyBerthError: TypeScript otherwise
   * narrows to BerthError<any>, whose `code` is `any`, and a later `err.code === '...'` would
   * neither be checked nor narrow `data`.
   */
  static override [Symbol.hasInstance](value: unknown): value is AnyBerthError {
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** A BerthError of some code: a union on `code`, so checking the code narrows `data`. */
export type AnyBerthError = { [C in ErrorCode]: BerthError<C> }[ErrorCode];

/** Whether `err` is a BerthError (of `code`, when given); narrows `data` to that code's shape. */
export function isBerthError(err: unknown): err is AnyBerthError;
export function isBerthError<C extends ErrorCode>(err: unknown, code: C): err is BerthError<C>;
export function isBerthError(err: unknown, code?: ErrorCode): boolean {
  return err instanceof BerthError && (code === undefined || err.code === code);
}

/** Exit code contract from SPEC §7: 0 ok, 1 "no", 2 usage/unprocessable input, 3 runtime. */
export function exitCodeFor(err: unknown): 1 | 2 | 3 {
  if (!(err instanceof BerthError)) return 3;
  switch (err.code) {
    case 'USAGE':
    case 'INPUT_UNREADABLE':
    case 'INVALID_CONFIG':
    case 'AMBIGUOUS':
    case 'CONFLICT':
    case 'POLICY_DENIED':
      return 2;
    case 'INVALID_MANIFESTS':
    // A missing object exits 1 as kubectl's NotFound does (docs/cli.md).
    case 'NOT_FOUND':
    case 'ROLLOUT_FAILED':
    case 'TIMEOUT':
    // kubectl exits 1 for every error; berth keeps 2 for a wrong command line, and a busy
    // port is no usage error.
    case 'PORT_IN_USE':
      return 1;
    default:
      return 3;
  }
}
