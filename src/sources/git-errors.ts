import { BerthError } from '../model/errors.js';

/**
 * Why a remote could not be reached, in `data.reason` of SOURCE_UNREACHABLE:
 * - `network`: connection refused/reset, DNS, TLS, a stream cut mid-transfer
 * - `auth`: 401/403 (missing or wrong credentials)
 * - `not-found`: 404 (no such repository, or hidden from these credentials)
 * - `http`: any other HTTP status
 * - `not-git`: the server answered but does not speak Git's smart HTTP protocol
 * - `timeout`: no answer within the source's timeout
 * - SSH only (git-ssh.ts): `host-key-unknown` (the host is not in the known_hosts file, or
 *   there is none: never trusted on first use), `host-key-mismatch` (it is, with another key),
 *   `host-key-revoked` (an `@revoked` line lists the key it offered)
 */
export type UnreachableReason = 'network' | 'auth' | 'not-found' | 'http' | 'not-git' | 'timeout' | 'host-key-unknown' | 'host-key-mismatch' | 'host-key-revoked';

interface LibraryError {
  code?: unknown;
  data?: { statusCode?: unknown } & Record<string, unknown>;
  message?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPROTO',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'EmptyServerResponseError',
]);

/** The reason a failure is the remote's or the network's fault, or undefined when it is not. */
export function unreachableReason(err: unknown): UnreachableReason | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as LibraryError;
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === 'HttpError') {
    const status = Number(e.data?.statusCode);
    if (status === 401 || status === 403) return 'auth';
    if (status === 404) return 'not-found';
    return 'http';
  }
  if (code === 'UserCanceledError') return 'auth';
  if (code === 'SmartHttpError') return 'not-git';
  if (NETWORK_CODES.has(code) || /CERT|TLS|SSL/.test(code)) return 'network';
  // simple-get surfaces some socket failures as plain Errors ("socket hang up").
  if (typeof e.message === 'string' && /socket hang up/i.test(e.message)) return 'network';
  return undefined;
}

export function unreachableError(reason: UnreachableReason, url: string, attempt: number, cause: unknown): BerthError {
  const status = (cause as LibraryError | undefined)?.data?.statusCode;
  const data: Record<string, unknown> = { url, attempt, reason };
  if (typeof status === 'number') data.status = status;
  const why =
    reason === 'auth'
      ? 'authentication failed'
      : reason === 'timeout'
        ? 'timed out'
        : reason === 'not-found'
          ? 'repository not found'
          : reason === 'not-git'
            ? 'the server is not a Git smart-HTTP server'
            : typeof status === 'number'
              ? `HTTP ${status}`
              : 'the remote is unreachable';
  return new BerthError('SOURCE_UNREACHABLE', `cannot fetch ${url}: ${why}`, data, { cause });
}

/** An isomorphic-git error that means the object store itself is damaged or inconsistent. */
export function looksLikeCorruption(err: unknown): boolean {
  if (err instanceof BerthError) return false;
  if (unreachableReason(err) !== undefined) return false;
  if (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError') return false;
  return true;
}
