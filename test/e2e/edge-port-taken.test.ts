import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { EdgePorts } from './support/edge.js';
import { edgeObjects, edgePorts, ingress, removeEdge, webApp, yamlDocs } from './support/edge.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * A port the edge needs that something else holds is a CONFLICT before the pass's first action
 * (docs/ingress.md): nothing of the app is made (no network, pod, edge container or volume), the
 * host's process keeps its port, and a dry run says the same.
 */
const revision = yamlDocs(webApp({ probe: false }), ingress({ name: 'web', host: 'shop.test' }));

const HOST_REPLY = 'HOST-SERVICE';

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, agent: false, timeout: 3_000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('edge: a taken port (real Docker)', () => {
  let t: E2eApp;
  let edge: EdgePorts;
  let server: http.Server;
  let squatter: string | undefined;

  beforeAll(async () => {
    t = await createE2eApp('edge-taken');
    edge = await edgePorts();
    await t.write({ 'app.yaml': revision });
    server = http.createServer((_req, res) => res.end(HOST_REPLY));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(edge.http, '0.0.0.0', () => resolve());
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (squatter) await t.docker.getContainer(squatter).remove({ force: true }).catch(() => undefined);
    await removeEdge(t.docker, edge);
    await t.cleanup();
  });

  it('a host process on the http port: CONFLICT, nothing made, the host service keeps its port', async () => {
    for (const extra of [['--dry-run'], []]) {
      const r = await t.berth('apply', '-f', t.dir, ...edge.flags, ...extra);
      // CONFLICT: exit 2 by the exit-code contract (docs/errors.md), as a taken nodePort.
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`port ${edge.http}/TCP for the edge is in use on this host: a host process listens on 0.0.0.0:${edge.http}; nothing on the host was changed`);
      expect(r.stderr).toContain('hint: stop the host service that listens on it, or choose other edge ports with --edge-http-port/--edge-https-port, then apply again');
    }
    expect(await t.containers()).toEqual([]);
    expect((await t.docker.listNetworks({ filters: { label: [`berth.app=${t.app}`] } })).length).toBe(0);
    expect(await edgeObjects(t.docker, edge)).toEqual({ containers: [], volumes: [] });
    expect(await get(edge.http)).toBe(HOST_REPLY);
  });

  it('a port another container publishes: CONFLICT naming it, nothing made', async () => {
    const image = await ensureBusyboxImage(t.docker);
    const c = await t.docker.createContainer({
      name: `${t.app}-squatter`,
      Image: image,
      Cmd: ['sleep', '600'],
      ExposedPorts: { '8000/tcp': {} },
      HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(edge.https) }] } },
    });
    squatter = c.id;
    await c.start();
    // Another http port, free: only the https one is taken.
    const other = await edgePorts();
    const flags = ['--edge-http-port', String(other.http), '--edge-https-port', String(edge.https)];
    const r = await t.berth('apply', '-f', t.dir, ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${edge.https}/TCP for the edge is already published on this host by container ${t.app}-squatter; nothing on the host was changed`);
    expect(await t.containers()).toEqual([]);
    expect(await edgeObjects(t.docker, { ...other, name: `berth-edge-${other.http}-${edge.https}` })).toEqual({ containers: [], volumes: [] });
  });

  it('a volume of the edge\'s name that berth did not make: NOT_OWNED, left as it was', async () => {
    const other = await edgePorts();
    await t.docker.createVolume({ Name: other.name, Labels: { owner: 'someone-else' } });
    try {
      const r = await t.berth('apply', '-f', t.dir, ...other.flags);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`volume ${other.name} exists but is not an edge volume berth created`);
      expect(await edgeObjects(t.docker, other)).toEqual({ containers: [], volumes: [other.name] });
      expect((await t.docker.getVolume(other.name).inspect()).Labels).toEqual({ owner: 'someone-else' });
    } finally {
      await t.berth('delete', '-f', t.dir, ...other.flags);
      await removeEdge(t.docker, other);
    }
  });
});
