import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * Images from a registry on berth's host (issue 11 red-team, finding 1): root's dockerd pulls
 * from whatever an image names, from the host's network, and passed the answer of a loopback
 * service back into berth's output. Refused by the host policy; when the operator allows the
 * registry, a failed pull shows Docker's reason, never the body the service sent.
 */
const MARKER = 'SECRET-MARKER-7f3a';
let t: E2eApp;
let server: Server;
let port: number;
const requests: string[] = [];

beforeAll(async () => {
  t = await createE2eApp('registry');
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end(`<!DOCTYPE HTML>\n<html><body>${MARKER} admin-token=hunter2</body></html>\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.cleanup();
});

const manifest = () => `apiVersion: v1
kind: Pod
metadata: {name: pulled}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: 127.0.0.1:${port}/nothere:latest
    imagePullPolicy: Always
`;

describe('an image from a loopback registry', () => {
  it('is refused at validation with file:line and the flag; Docker sends the service nothing', async () => {
    await t.write({ 'pod.yaml': manifest() });
    const r = await t.berth('apply', '-f', t.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pod\.yaml:8:\d+: error: image "127\.0\.0\.1:\d+\/nothere:latest" names the registry/);
    expect(r.stderr).toContain(`--allow-registry 127.0.0.1:${port}`);
    expect(requests).toEqual([]);
    expect(await t.containers()).toEqual([]);
  });

  it('allowed by the operator, a failed pull shows Docker\'s reason and none of the body the service answered', async () => {
    const r = await t.berth('apply', '-f', t.dir, '--allow-registry', `127.0.0.1:${port}`);
    // Docker did ask the service: the pull happened.
    expect(requests).toContain('GET /v2/');
    const shown = [r.stdout, r.stderr];
    const events = await t.berth('get', 'events');
    const describe = await t.berth('describe', 'pod', 'pulled');
    shown.push(events.stdout, events.stderr, describe.stdout, describe.stderr);
    const all = shown.join('\n');
    expect(all).toContain('response body (not shown)');
    expect(all).not.toContain(MARKER);
    expect(all).not.toContain('hunter2');
    expect(all).not.toMatch(/DOCTYPE|<html/i);
  });
});
