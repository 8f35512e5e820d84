import http from 'node:http';
import type Dockerode from 'dockerode';
import { freePort } from './daemon.js';

/**
 * The host's edge in e2e tests: never on 80/443 (free ports through --edge-http-port and
 * --edge-https-port), and removed with its config volume by the test that made it.
 */
export interface EdgePorts {
  http: number;
  https: number;
  /** The CLI flags for these ports. */
  flags: string[];
  /** `berth-edge-<http>-<https>`: the container and its volume. */
  name: string;
}

export async function edgePorts(): Promise<EdgePorts> {
  const http = await freePort();
  let https = await freePort();
  while (https === http) https = await freePort();
  return { http, https, flags: ['--edge-http-port', String(http), '--edge-https-port', String(https)], name: `berth-edge-${http}-${https}` };
}

/** Removes the edge of these ports and its volume, whatever state they are in. */
export async function removeEdge(docker: Dockerode, ports: EdgePorts): Promise<void> {
  await docker.getContainer(ports.name).remove({ force: true }).catch(() => undefined);
  await docker.getVolume(ports.name).remove().catch(() => undefined);
}

export async function edgeObjects(docker: Dockerode, ports: EdgePorts): Promise<{ containers: string[]; volumes: string[] }> {
  const containers = (await docker.listContainers({ all: true, filters: { name: [ports.name] } })).map((c) => c.Names[0]!.replace(/^\//, ''));
  const volumes = ((await docker.listVolumes({ filters: { name: [ports.name] } })).Volumes ?? []).map((v) => v.Name);
  return { containers, volumes };
}

export interface EdgeReply {
  status: number;
  body: string;
  /** The example web app's JSON reply (`pod`, `greeting`), when the body is one. */
  json?: { pod: string; version: string; greeting: string };
}

/** One request to the edge on loopback with a Host header; `agent` false: a new connection. */
export function edgeGet(port: number, host: string, path = '/', agent: http.Agent | false = false, timeoutMs = 3_000): Promise<EdgeReply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => {
        let json: EdgeReply['json'];
        try {
          json = JSON.parse(body) as EdgeReply['json'];
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body, ...(json ? { json } : {}) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}
