import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/daemon.js';
import type { EdgePorts } from './support/edge.js';
import { edgeGet, edgePorts, ingress, removeEdge, webApp, yamlDocs } from './support/edge.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, podNames } from './support/harness.js';

/**
 * The edge serves with no berth process (docs/ingress.md): `berth apply` exits and requests go
 * on flowing; a restarted edge applies the fragment kept on its volume and serves again.
 */
const revision = yamlDocs(webApp({ replicas: 2, grace: 1 }), ingress({ name: 'web', host: 'shop.test' }));

describe('edge: serving with no berth process (real Docker)', () => {
  let t: E2eApp;
  let edge: EdgePorts;
  let pods: string[] = [];

  beforeAll(async () => {
    t = await createE2eApp('edge-noberth');
    edge = await edgePorts();
    await t.write({ 'app.yaml': revision });
  });
  afterAll(async () => {
    await removeEdge(t.docker, edge);
    await t.cleanup();
  });

  /** `n` requests, half on one keep-alive connection, half on new ones: the pods that answered, and every failure. */
  async function burst(n: number): Promise<{ answered: Set<string>; failures: string[] }> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const answered = new Set<string>();
    const failures: string[] = [];
    try {
      for (let i = 0; i < n; i++) {
        try {
          const r = await edgeGet(edge.http, 'shop.test', '/', i % 2 === 0 ? agent : false);
          if (r.status === 200 && r.json) answered.add(r.json.pod);
          else failures.push(`HTTP ${r.status} ${r.body.slice(0, 80)}`);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    } finally {
      agent.destroy();
    }
    return { answered, failures };
  }

  it('serves once berth apply has exited', async () => {
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s', ...edge.flags);
    expect(r.code, r.stderr).toBe(0);
    pods = podNames(await t.containers(), 'Deployment/default/web');
    expect(pods).toHaveLength(2);
    // The last write of the pass may still be on its way into the edge (its poll interval).
    await eventually('both pods in rotation', async () => ((await burst(6)).answered.size === 2 ? true : undefined), 30_000);
    const { answered, failures } = await burst(40);
    expect(failures).toEqual([]);
    expect([...answered].sort()).toEqual(pods);
  });

  it('a restarted edge serves again from the fragment on its volume', async () => {
    const before = await t.docker.getContainer(edge.name).inspect();
    await t.docker.getContainer(edge.name).restart({ t: 10 });
    const after = await t.docker.getContainer(edge.name).inspect();
    expect(after.Id).toBe(before.Id);
    expect(after.State.StartedAt).not.toBe(before.State.StartedAt);
    await eventually('the edge listens again', async () => ((await edgeGet(edge.http, 'shop.test').catch(() => undefined))?.status === 200 ? true : undefined), 30_000);
    const { answered, failures } = await burst(40);
    expect(failures).toEqual([]);
    expect([...answered].sort()).toEqual(pods);
    expect((await edgeGet(edge.http, 'unknown.test')).status).toBe(404);
  });
});
