import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
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

/**
 * A registry named by this host's own name or address (issue 11, F2): validation reads the name
 * alone and passes it, but dockerd resolves it on this host (/etc/hosts first) and connected to
 * the host's own service. berth resolves it right before the pull and refuses: no connection
 * reaches the listener, and the pod's events say why and name the flag.
 */
describe('an image from a registry named by the host itself', () => {
  /** A listener on `address` counting every connection (dockerd may speak TLS: no HTTP request then). */
  async function listener(address: string): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
    let connections = 0;
    const s = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(`<html>${MARKER}</html>`);
    });
    s.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => s.listen(0, address, resolve));
    return { port: (s.address() as AddressInfo).port, connections: () => connections, close: () => new Promise<void>((resolve) => s.close(() => resolve())) };
  }

  /** The host's own name when /etc/hosts maps it to loopback; else its first non-loopback IPv4 address. */
  async function ownName(): Promise<{ host: string; address: string }> {
    const name = hostname();
    const local = (await lookup(name, { all: true }).catch(() => [])).find((a) => a.family === 4 && a.address.startsWith('127.'));
    if (local) return { host: name, address: local.address };
    return ownInterfaceAddress();
  }

  function ownInterfaceAddress(): { host: string; address: string } {
    const i = Object.values(networkInterfaces()).flat().find((x) => x !== undefined && x.family === 'IPv4' && !x.internal);
    if (!i) throw new Error('this host has no non-loopback IPv4 interface address');
    return { host: i.address, address: i.address };
  }

  const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: ${image}
        imagePullPolicy: Always
`;

  it.each([
    ['the host\'s name (via /etc/hosts)', 'by-name', ownName],
    ['one of the host\'s interface addresses', 'by-address', async () => ownInterfaceAddress()],
  ])('%s: passes validation, then the pull is refused before Docker connects', async (_what, name, pick) => {
    const { host, address } = await pick();
    const l = await listener(address);
    try {
      const registry = `${host}:${l.port}`;
      await t.write({ 'app.yaml': deployment(name, `${registry}/nothere:latest`) });
      const r = await t.berth('apply', '-f', t.dir, '--timeout', '20s');
      // Not refused at validation (exit 2): the name alone is not the host's.
      expect(r.code).not.toBe(2);
      // Nothing reached the host's service: dockerd was never asked to pull.
      expect(l.connections()).toBe(0);
      // The refusal is the pod's failed pull, as the kubelet reports one (ErrImagePull: the pod
      // stands with the reason, retried with back-off), said with the flag that would allow it.
      const pods = await t.berth('get', 'pods', '-l', `app=${name}`);
      expect(pods.stdout).toMatch(new RegExp(`^${name}-[a-z0-9]+-[a-z0-9]{5}\\s+0/1\\s+(ErrImagePull|ImagePullBackOff)\\s`, 'm'));
      const pod = pods.stdout.split('\n')[1]!.split(/\s+/)[0]!;
      const d = await t.berth('describe', 'pod', pod);
      const registryRe = registry.replace(/\./g, '\\.');
      expect(d.stdout).toMatch(new RegExp(`Warning\\s+Failed\\s.*Failed to pull image "${registryRe}/nothere:latest": .*berth refused to pull it: its registry ${registryRe} (resolves to|is) [0-9.]+, .*--allow-registry ${registryRe} \\(host policy allowedRegistries\\)`));
      expect([r.stdout, r.stderr, pods.stdout, d.stdout].join('\n')).not.toContain(MARKER);
      // Nothing of the image ever ran: the pod's stand-in is never started.
      const running = (await t.docker.listContainers({ filters: { label: [`berth.app=${t.app}`] } })).filter((c) => c.Labels['berth.image-pull'] !== undefined);
      expect(running).toEqual([]);
      // And still nothing reached the host's service.
      expect(l.connections()).toBe(0);
    } finally {
      await l.close();
    }
  });
});
