import http from 'node:http';
import { networkInterfaces } from 'node:os';
import type Dockerode from 'dockerode';
import { execIn } from './harness.js';

/** What the example web app answers on `/`. */
export interface WebReply {
  pod: string;
  version: string;
}

/**
 * One HTTP/1.0 request from inside a pod with busybox `nc` (busybox's wget crashes in these
 * images; nc resolves names through the pod's resolver like any client). Undefined on failure.
 */
export async function getFromPod(docker: Dockerode, containerId: string, host: string, port: number): Promise<WebReply | undefined> {
  const r = await execIn(docker, containerId, ['sh', '-c', `printf 'GET / HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n' | nc -w 3 ${host} ${port}`]);
  const body = r.output.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(body) as WebReply;
  } catch {
    return undefined;
  }
}

/** `nslookup NAME` in a pod: the addresses of the answer (after the resolver's own lines). */
export async function lookup(docker: Dockerode, containerId: string, name: string): Promise<{ addresses: string[]; cname?: string; output: string }> {
  const r = await execIn(docker, containerId, ['nslookup', name]);
  const answer = r.output.split('\n\n').filter((block) => /^Name:|canonical name/m.test(block) && !/server can't find/.test(block));
  const addresses = [...new Set(answer.flatMap((b) => [...b.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]!)))].sort();
  const cname = /canonical name = (\S+)/.exec(r.output)?.[1];
  return { addresses, ...(cname ? { cname } : {}), output: r.output };
}

/** GET from the host; `agent` false opens a new connection per request. */
export function hostGet(url: string, agent: http.Agent | false = false, timeoutMs = 3_000): Promise<WebReply> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${body}`));
        try {
          resolve(JSON.parse(body) as WebReply);
        } catch (err) {
          reject(err as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

/** The host's own non-loopback IPv4 address (a NodePort's kernel fast path serves it; 127.0.0.1 goes through docker-proxy). */
export function hostAddress(): string {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (/^(docker|br-|veth|lo)/.test(name)) continue;
    const v4 = addrs?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return v4.address;
  }
  throw new Error('no non-loopback IPv4 address on this host');
}

/** The `-o json` object of `berth get svc NAME`. */
export interface SvcJson {
  spec: { clusterIP: string; type: string; ports: Array<{ name?: string; port: number; nodePort?: number }> };
}

/**
 * Stops the app's data-plane containers the way berth removes them (SIGTERM, so the host fast
 * path deletes its kernel rules), before the harness force-removes everything.
 */
export async function stopDataplane(t: { containers(): Promise<Dockerode.ContainerInfo[]>; docker: Dockerode }): Promise<void> {
  const dataplane = (await t.containers()).filter((c) => c.Labels['berth.role'] === 'proxy' && c.State === 'running');
  await Promise.all(dataplane.map((c) => t.docker.getContainer(c.Id).stop({ t: 10 }).catch(() => undefined)));
}
