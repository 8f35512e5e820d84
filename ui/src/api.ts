import type { ApiAccessBody, ApiErrorBody, StatusResponse } from '../../src/runtime/api/contract.js';
import { paths } from './lib/api-paths.js';
import { displayable } from './lib/display.js';

/**
 * The daemon's API as the pages use it. The token is sent only as `Authorization: Bearer` on
 * same-origin requests, never in a URL or a cookie; it lives in sessionStorage so it leaves
 * with the tab. Any 401 ends the session: the app shows nothing but the login form again.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface Api {
  /** Whether a token is in use (a daemon without one lets loopback users in). */
  readonly hasToken: boolean;
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  /** For streams (logs, the live stream): the response as it arrives. */
  open(path: string, signal: AbortSignal, accept: string): Promise<Response>;
}

const TOKEN_KEY = 'berth.token';

export const tokenStore = {
  read: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  write: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

async function errorOf(res: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> = {};
  try {
    body = (await res.json()) as ApiErrorBody;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  return new ApiError(res.status, displayable(body.error ?? `${res.status} ${res.statusText}`), body.code);
}

export function createApi(token: string | null, onUnauthorized: () => void): Api {
  const headers = (accept: string, json = false): Headers => {
    const h = new Headers({ Accept: accept });
    if (token) h.set('Authorization', `Bearer ${token}`);
    // Writes say they are JSON: the daemon refuses form-like writes (cross-site protection).
    if (json) h.set('Content-Type', 'application/json');
    return h;
  };
  const send = async (path: string, init: RequestInit): Promise<Response> => {
    const res = await fetch(path, { ...init, credentials: 'omit', cache: 'no-store', redirect: 'error' });
    if (res.status === 401) {
      onUnauthorized();
      throw new ApiError(401, 'the daemon refused the token');
    }
    return res;
  };
  return {
    hasToken: token !== null,
    async get<T>(path: string, signal?: AbortSignal) {
      const res = await send(path, { headers: headers('application/json'), ...(signal ? { signal } : {}) });
      if (!res.ok) throw await errorOf(res);
      return displayable((await res.json()) as T);
    },
    async post<T>(path: string, body: unknown) {
      const res = await send(path, { method: 'POST', headers: headers('application/json', true), body: JSON.stringify(body) });
      if (!res.ok) throw await errorOf(res);
      return displayable((await res.json()) as T);
    },
    async open(path, signal, accept) {
      const res = await send(path, { headers: headers(accept), signal });
      if (!res.ok) throw await errorOf(res);
      return res;
    },
  };
}

export type TokenCheck = { ok: true; access: ApiAccessBody } | { ok: false; unauthorized: boolean; message: string };

/**
 * Whether the daemon lets this token (or no token) in: one read of /api/v1/status, the same
 * check every page's request gets; its `access` says what the pages may offer (no logs,
 * terminal or actions on a daemon without a token).
 */
export async function checkToken(token: string | null): Promise<TokenCheck> {
  try {
    const res = await fetch(paths.status, { headers: token ? { Authorization: `Bearer ${token}` } : {}, credentials: 'omit', cache: 'no-store', redirect: 'error' });
    if (res.ok) return { ok: true, access: ((await res.json()) as StatusResponse).access };
    if (res.status === 401) return { ok: false, unauthorized: true, message: token ? 'The daemon refused this token.' : 'This daemon needs a token.' };
    return { ok: false, unauthorized: false, message: (await errorOf(res)).message };
  } catch (err) {
    return { ok: false, unauthorized: false, message: `The daemon cannot be reached: ${(err as Error).message}` };
  }
}
