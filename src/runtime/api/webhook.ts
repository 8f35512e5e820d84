import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type Forge = 'github' | 'gitea' | 'gitlab';

/**
 * What a delivery asks for once its signature checks out: a push (with the ref it moved), a
 * ping (the forge testing the hook), or another event berth does not act on.
 */
export type WebhookEvent = { kind: 'push'; ref?: string; after?: string } | { kind: 'ping' } | { kind: 'other'; name: string };

export type WebhookVerdict =
  | { ok: true; forge: Forge; event: WebhookEvent }
  | { ok: false; status: 400 | 401; reason: 'no-signature' | 'bad-signature' | 'malformed'; forge?: Forge };

/**
 * Verifies a webhook delivery (SPEC §8) in constant time and parses what it asks for.
 * - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, event in `X-GitHub-Event`.
 * - Gitea (and Forgejo): `X-Gitea-Signature: <hex HMAC-SHA256>`, event in `X-Gitea-Event`.
 * - GitLab: `X-Gitlab-Token: <the secret itself>`, event in `X-Gitlab-Event`.
 * The forge is told by its event header; a delivery with none of the signature headers is 401.
 */
export function verifyWebhook(headers: IncomingHttpHeaders, body: Buffer, secret: Buffer): WebhookVerdict {
  const forge = detectForge(headers);
  if (!forge) return { ok: false, status: 401, reason: 'no-signature' };
  const good = forge === 'gitlab' ? tokenMatches(header(headers, 'x-gitlab-token')!, secret) : signatureMatches(forge, headers, body, secret);
  if (!good) return { ok: false, status: 401, reason: 'bad-signature', forge };
  const event = parseEvent(forge, headers, body);
  if (!event) return { ok: false, status: 400, reason: 'malformed', forge };
  return { ok: true, forge, event };
}

function detectForge(headers: IncomingHttpHeaders): Forge | undefined {
  // Gitea also sends X-Hub-Signature-256 (GitHub-compatible); its own header is checked first.
  if (header(headers, 'x-gitea-signature') !== undefined) return 'gitea';
  if (header(headers, 'x-gitlab-token') !== undefined) return 'gitlab';
  if (header(headers, 'x-hub-signature-256') !== undefined) return 'github';
  return undefined;
}

function signatureMatches(forge: 'github' | 'gitea', headers: IncomingHttpHeaders, body: Buffer, secret: Buffer): boolean {
  const raw = forge === 'gitea' ? header(headers, 'x-gitea-signature')! : header(headers, 'x-hub-signature-256')!;
  const hex = forge === 'github' ? (raw.startsWith('sha256=') ? raw.slice('sha256='.length) : '') : raw;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(hex, 'hex');
  // Both are 32 bytes here (the format was checked above), as timingSafeEqual requires.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Equal-length, constant-time comparison of two secrets of any length: compare their SHA-256
 * digests, so neither the content nor the length of the expected secret leaks through timing.
 */
export function secretsEqual(given: string | Buffer, expected: string | Buffer): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function tokenMatches(given: string, secret: Buffer): boolean {
  return secretsEqual(Buffer.from(given, 'utf8'), secret);
}

function parseEvent(forge: Forge, headers: IncomingHttpHeaders, body: Buffer): WebhookEvent | undefined {
  const name = forge === 'github' ? header(headers, 'x-github-event') : forge === 'gitea' ? header(headers, 'x-gitea-event') : header(headers, 'x-gitlab-event');
  if (name === 'ping') return { kind: 'ping' };
  const isPush = forge === 'gitlab' ? name === 'Push Hook' || name === 'Tag Push Hook' : name === 'push';
  if (!isPush) return { kind: 'other', name: name ?? '' };
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as { ref?: unknown; after?: unknown };
  return { kind: 'push', ...(typeof p.ref === 'string' ? { ref: p.ref } : {}), ...(typeof p.after === 'string' ? { after: p.after } : {}) };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Whether a push moved the ref the daemon follows: `refs/heads/<branch>` for a branch,
 * `refs/tags/<tag>` for a tag. A pinned commit never moves; a push without a ref is taken as
 * relevant (a fetch is cheap, a missed change is not).
 */
export function pushConcernsRef(event: Extract<WebhookEvent, { kind: 'push' }>, tracked: { branch: string } | { tag: string } | { commit: string } | undefined): boolean {
  if (!tracked || event.ref === undefined) return true;
  if ('commit' in tracked) return false;
  if ('branch' in tracked) return event.ref === `refs/heads/${tracked.branch}`;
  return event.ref === `refs/tags/${tracked.tag}`;
}
