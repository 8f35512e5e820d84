/**
 * One error base for the whole project. Callers branch on `code` (stable, documented in
 * docs/errors.md) and read `data`; message text is for people and may change.
 * Library errors are wrapped with `cause` so the original stack survives.
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
  | 'INTERNAL';

export class BerthError<D extends Record<string, unknown> = Record<string, unknown>> extends Error {
  override readonly name = 'BerthError';
  readonly code: ErrorCode;
  readonly data: D;

  constructor(code: ErrorCode, message: string, data?: D, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.data = data ?? ({} as D);
  }
}

export function isBerthError(err: unknown, code?: ErrorCode): err is BerthError {
  return err instanceof BerthError && (code === undefined || err.code === code);
}

/** Exit code contract from SPEC §7: 0 ok, 1 "no", 2 usage/unprocessable input, 3 runtime. */
export function exitCodeFor(err: unknown): 1 | 2 | 3 {
  if (!(err instanceof BerthError)) return 3;
  switch (err.code) {
    case 'USAGE':
    case 'INPUT_UNREADABLE':
    case 'INVALID_CONFIG':
    case 'NOT_FOUND':
    case 'AMBIGUOUS':
    case 'CONFLICT':
    case 'POLICY_DENIED':
      return 2;
    case 'INVALID_MANIFESTS':
    case 'ROLLOUT_FAILED':
    case 'TIMEOUT':
      return 1;
    default:
      return 3;
  }
}
