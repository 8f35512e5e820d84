import { mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import type { AcmeToken } from '../../dataplane/edge-acme.js';
import type { Clock } from '../../model/clock.js';

/**
 * Where HTTP-01 key authorizations are published for the CA to fetch. The edge answers
 * `GET /.well-known/acme-challenge/<token>` for the host it names from `acme/<token>.json` in its volume
 * (dataplane/edge-acme.ts); the edge wiring implements this over that volume, tests over a
 * directory a loopback server reads.
 */
export interface ChallengePublisher {
  publish(token: string, keyAuthorization: string, identifier: string): Promise<void>;
  unpublish(token: string): Promise<void>;
}

/** A token is answered this long at most: the edge deletes it afterwards even if berth never does. */
export const TOKEN_TTL_MS = 10 * 60_000;

/** The file the edge reads for a token, byte for byte what dataplane/edge-acme.ts `readToken` parses. */
export function tokenFile(keyAuthorization: string, now: number, identifier?: string): string {
  const doc: AcmeToken = { keyAuthorization, notAfter: new Date(now + TOKEN_TTL_MS).toISOString(), ...(identifier !== undefined ? { identifier } : {}) };
  return JSON.stringify(doc);
}

/** RFC 8555 §8.3: base64url; the same set the edge answers (dataplane/edge-acme.ts). */
const TOKEN = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * The token file's path relative to the edge's config dir. The token is the ACME server's, and
 * the server is whatever a manifest's Issuer names: anything but base64url is refused here, so
 * `../apps/<other app>/…` never reaches the shared edge's volume (or the host, as root).
 */
export function tokenPath(token: string): string {
  if (!TOKEN.test(token)) throw new Error(`the ACME server sent an HTTP-01 token that is not base64url (${JSON.stringify(token.slice(0, 40))}${token.length > 40 ? '…' : ''}); berth refuses to use it as a file name`);
  return `acme/${token}.json`;
}

/** Publishes into `<dir>/acme/` on this host's filesystem (a directory the edge, or a test server, reads). */
export function directoryPublisher(dir: string, clock: Clock): ChallengePublisher {
  return {
    async publish(token, keyAuthorization, identifier) {
      const path = join(dir, tokenPath(token));
      await mkdir(join(dir, 'acme'), { recursive: true, mode: 0o700 });
      await writeFile(path, tokenFile(keyAuthorization, clock.now(), identifier), { mode: 0o600 });
    },
    async unpublish(token) {
      await rm(join(dir, tokenPath(token)), { force: true });
    },
  };
}

/**
 * berth's own check before it tells the CA to validate: the token must be answered through the
 * edge on this host (`Host: <identifier>`), so a CA attempt is never spent on a token the edge
 * has not picked up. acme-client's own check resolves the name in public DNS, which a loopback
 * or private setup does not have; this one asks the edge directly.
 */
export async function checkChallengeServed(
  o: { host: string; port: number; identifier: string; token: string; keyAuthorization: string; clock: Clock; withinMs?: number },
): Promise<void> {
  const until = o.clock.now() + (o.withinMs ?? 5_000);
  let last = 'no answer';
  for (;;) {
    const got = await get(o.host, o.port, o.identifier, `/.well-known/acme-challenge/${o.token}`).catch((e: Error) => ({ status: 0, body: e.message }));
    if (got.status === 200 && got.body.trim() === o.keyAuthorization) return;
    last = got.status === 0 ? got.body : `HTTP ${got.status}`;
    if (o.clock.now() >= until) break;
    await o.clock.sleep(200);
  }
  throw new Error(`the edge at ${o.host}:${o.port} does not answer the HTTP-01 challenge for ${o.identifier} (${last}); the CA was not asked to validate`);
}

function get(host: string, port: number, hostHeader: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, headers: { host: hostHeader }, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 4096) body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}
