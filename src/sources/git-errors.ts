import { BerthError, type ErrorData, type UnreachableReason } from '../model/errors.js';

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
  // simple-get surfaces some socket failures as plain Errors ("socket hang up"), and a socket
  // that went quiet as "Request timed out": the remote hung, its data is not damaged (classed
  // as corruption it would wipe a good cache, issue 13 chaos suite).
  if (typeof e.message === 'string' && /socket hang up/i.test(e.message)) return 'network';
  if (typeof e.message === 'string' && /^Request timed out$/i.test(e.message)) return 'timeout';
  return undefined;
}

export function unreachableError(reason: UnreachableReason, url: string, attempt: number, cause: unknown): BerthError {
  const status = (cause as LibraryError | undefined)?.data?.statusCode;
  const data: ErrorData<'SOURCE_UNREACHABLE'> = { url, attempt, reason };
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
