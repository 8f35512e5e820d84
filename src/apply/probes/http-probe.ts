import http from 'node:http';
import https from 'node:https';
import type { HttpGetProbeAction, ProbeOutcome } from './types.js';

/** kubelet sends `kube-probe/<version>`; berth identifies itself the same way. */
export const PROBE_USER_AGENT = 'berth-probe/1';
/** kubelet reads at most 10 KiB of a probe response body. */
const MAX_BODY_BYTES = 10 * 1024;
/** Go's http.Client default, which kubelet keeps for same-host redirects. */
const MAX_REQUESTS = 10;
const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

type Response = { status: number; location: string | undefined } | { error: string };

/**
 * kubelet's HTTP prober: GET scheme://host:port/path with the probe's headers (plus
 * User-Agent and Accept unless given), no keep-alive, TLS without certificate verification.
 * 200–399 passes. Redirects to the same host name are followed (up to 10 requests); a redirect
 * elsewhere is not followed and counts as success, as kubelet's "probe warning" does.
 * Aborting `signal` tears the request down; the caller owns the timeout.
 */
export async function httpGetProbe(action: HttpGetProbeAction, signal: AbortSignal): Promise<ProbeOutcome> {
  let url: URL;
  try {
    url = probeUrl(action);
  } catch {
    return { ok: false, message: `httpGet: invalid URL for host ${action.host}, port ${action.port}, path ${action.path}` };
  }
  const originalHost = url.hostname;
  const headers = probeHeaders(action.headers);
  for (let requests = 1; ; requests++) {
    const res = await getOnce(url, headers, signal);
    if ('error' in res) return { ok: false, message: `GET ${url.href}: ${res.error}` };
    const { status, location } = res;
    if (REDIRECT_CODES.has(status) && location !== undefined) {
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return { ok: false, message: `GET ${url.href}: invalid redirect location ${JSON.stringify(location)}` };
      }
      if (next.hostname !== originalHost) {
        return { ok: true, message: `HTTP probe succeeded with statuscode: ${status} (redirect to ${next.host} not followed)` };
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        return { ok: false, message: `GET ${url.href}: redirect to unsupported protocol ${next.protocol}` };
      }
      if (requests >= MAX_REQUESTS) return { ok: false, message: `GET ${url.href}: stopped after ${MAX_REQUESTS} redirects` };
      url = next;
      continue;
    }
    if (status >= 200 && status < 400) return { ok: true, message: `HTTP probe succeeded with statuscode: ${status}` };
    return { ok: false, message: `HTTP probe failed with statuscode: ${status}` };
  }
}

function probeUrl(action: HttpGetProbeAction): URL {
  const scheme = action.scheme === 'HTTPS' ? 'https' : 'http';
  const host = action.host.includes(':') && !action.host.startsWith('[') ? `[${action.host}]` : action.host;
  const path = action.path.startsWith('/') ? action.path : `/${action.path}`;
  return new URL(`${scheme}://${host}:${action.port}${path}`);
}

/** Node takes an array value as repeated header lines, which is what a repeated probe header means. */
function probeHeaders(list: HttpGetProbeAction['headers']): Record<string, string | string[]> {
  // Header names are the manifest's: no prototype to find `constructor` in or `__proto__` to replace.
  const headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const { name, value } of list) {
    const key = name.toLowerCase();
    const prev = headers[key];
    if (key === 'host' || prev === undefined) headers[key] = value;
    else headers[key] = [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  headers['user-agent'] ??= PROBE_USER_AGENT;
  headers.accept ??= '*/*';
  return headers;
}

function getOnce(url: URL, headers: Record<string, string | string[]>, signal: AbortSignal): Promise<Response> {
  return new Promise<Response>((resolve) => {
    let settled = false;
    const settle = (r: Response): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(r);
    };
    const onAbort = (): void => settle({ error: 'request cancelled (timeout)' });
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(
      url,
      { method: 'GET', headers, agent: false, rejectUnauthorized: false },
      (res) => {
        const answer = { status: res.statusCode ?? 0, location: res.headers.location };
        // Read (and drop) up to 10 KiB of body as kubelet does, so the server sees a normal exchange.
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= MAX_BODY_BYTES) settle(answer);
        });
        res.on('end', () => settle(answer));
        res.on('error', (err) => settle({ error: `reading body: ${err.message}` }));
        res.on('close', () => settle(res.complete ? answer : { error: 'connection closed while reading body' }));
      },
    );
    req.on('error', (err) => settle({ error: err.message }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}
