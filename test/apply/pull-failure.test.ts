import { describe, expect, it } from 'vitest';
import { PULL_REASON_MAX, pullFailureReason } from '../../src/apply/images/index.js';

const BODY = '<!DOCTYPE HTML>\n<html><body>SECRET-MARKER-42 admin token=abc</body></html>';

describe('pullFailureReason keeps Docker\'s reason and drops what the registry sent', () => {
  it.each([
    {
      name: 'an HTML body dockerd could not parse (what a loopback web service answers)',
      message: `(HTTP code 500) server error - error parsing HTTP 404 response body: invalid character '<' looking for beginning of value: ${JSON.stringify(BODY)} `,
      want: 'error parsing HTTP 404 response body (not shown)',
    },
    {
      name: 'the same from the progress stream, without dockerode\'s prefix',
      message: `error parsing HTTP 200 response body: unexpected end of JSON input: ${JSON.stringify('{"secret": 1')}`,
      want: 'error parsing HTTP 200 response body (not shown)',
    },
    {
      name: 'markup elsewhere in the message',
      message: 'unknown: <html><title>SECRET-MARKER-42</title>',
      want: 'unknown (response not shown)',
    },
    {
      name: 'a JSON document',
      message: 'received unexpected HTTP status: 500 {"token":"SECRET-MARKER-42"}',
      want: 'received unexpected HTTP status: 500 (response not shown)',
    },
    {
      name: 'only the first line',
      message: 'manifest unknown\nSECRET-MARKER-42',
      want: 'manifest unknown',
    },
    {
      name: 'a connection error keeps its URL, IPv6 brackets included',
      message: '(HTTP code 500) server error - Get "https://[::1]:5000/v2/": dial tcp [::1]:5000: connect: connection refused',
      want: 'Get "https://[::1]:5000/v2/": dial tcp [::1]:5000: connect: connection refused',
    },
    { name: 'terminal controls are escaped', message: 'pull access denied\u001b[31m', want: 'pull access denied\\u001b[31m' },
    { name: 'an empty message', message: '', want: 'no reason given' },
  ])('$name', ({ message, want }) => {
    expect(pullFailureReason(new Error(message))).toBe(want);
  });

  it('a long reason is clipped', () => {
    const reason = pullFailureReason(new Error(`pull access denied for ${'x'.repeat(500)}`));
    expect(reason.length).toBeLessThanOrEqual(PULL_REASON_MAX);
    expect(reason.endsWith('…')).toBe(true);
  });
});
