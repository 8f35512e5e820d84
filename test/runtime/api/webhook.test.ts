import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pushConcernsRef, secretsEqual, verifyWebhook } from '../../../src/runtime/api/webhook.js';

const SECRET = Buffer.from('s3cret');
const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: 'abc' }));
const hmac = (b: Buffer, key = SECRET) => createHmac('sha256', key).update(b).digest('hex');

describe('webhook verification', () => {
  it.each([
    { forge: 'github', headers: { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(body)}` } },
    { forge: 'gitea', headers: { 'x-gitea-event': 'push', 'x-gitea-signature': hmac(body), 'x-hub-signature-256': `sha256=${hmac(body)}` } },
    { forge: 'gitlab', headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 's3cret' } },
  ])('accepts a $forge push with a good signature', ({ forge, headers }) => {
    expect(verifyWebhook(headers, body, SECRET)).toEqual({ ok: true, forge, event: { kind: 'push', ref: 'refs/heads/main', after: 'abc' } });
  });

  it.each([
    { name: 'no signature at all', headers: { 'x-github-event': 'push' }, want: { ok: false, status: 401, reason: 'no-signature' } },
    { name: 'github, wrong key', headers: { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(body, Buffer.from('other'))}` }, want: { ok: false, status: 401, reason: 'bad-signature', forge: 'github' } },
    { name: 'github, signature of another body', headers: { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(Buffer.from('{}'))}` }, want: { ok: false, status: 401, reason: 'bad-signature', forge: 'github' } },
    { name: 'github, sha1 prefix', headers: { 'x-github-event': 'push', 'x-hub-signature-256': `sha1=${hmac(body)}` }, want: { ok: false, status: 401, reason: 'bad-signature', forge: 'github' } },
    { name: 'github, truncated', headers: { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(body).slice(0, 40)}` }, want: { ok: false, status: 401, reason: 'bad-signature', forge: 'github' } },
    { name: 'gitea, not hex', headers: { 'x-gitea-event': 'push', 'x-gitea-signature': 'z'.repeat(64) }, want: { ok: false, status: 401, reason: 'bad-signature', forge: 'gitea' } },
    { name: 'gitlab, wrong token', headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 's3cre' }, want: { ok: false, status: 401, reason: 'bad-signature', forge: 'gitlab' } },
  ])('rejects $name', ({ headers, want }) => {
    expect(verifyWebhook(headers, body, SECRET)).toEqual(want);
  });

  it('answers pings and names other events; a push that is not JSON is malformed', () => {
    const ping = Buffer.from('{"zen":"Keep it logically awesome."}');
    expect(verifyWebhook({ 'x-github-event': 'ping', 'x-hub-signature-256': `sha256=${hmac(ping)}` }, ping, SECRET)).toMatchObject({ ok: true, event: { kind: 'ping' } });
    expect(verifyWebhook({ 'x-github-event': 'issues', 'x-hub-signature-256': `sha256=${hmac(ping)}` }, ping, SECRET)).toMatchObject({ ok: true, event: { kind: 'other', name: 'issues' } });
    const junk = Buffer.from('not json');
    expect(verifyWebhook({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(junk)}` }, junk, SECRET)).toEqual({ ok: false, status: 400, reason: 'malformed', forge: 'github' });
  });

  it('compares secrets of any length in constant time through digests', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abcd')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });

  it.each([
    { ref: 'refs/heads/main', tracked: { branch: 'main' }, want: true },
    { ref: 'refs/heads/dev', tracked: { branch: 'main' }, want: false },
    { ref: 'refs/tags/v1', tracked: { tag: 'v1' }, want: true },
    { ref: 'refs/heads/v1', tracked: { tag: 'v1' }, want: false },
    { ref: 'refs/heads/main', tracked: { commit: 'a'.repeat(40) }, want: false },
    { ref: undefined, tracked: { branch: 'main' }, want: true },
  ])('push to $ref concerns $tracked: $want', ({ ref, tracked, want }) => {
    expect(pushConcernsRef({ kind: 'push', ...(ref ? { ref } : {}) }, tracked)).toBe(want);
  });
});
