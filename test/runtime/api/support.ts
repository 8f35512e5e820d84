import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type Dockerode from 'dockerode';
import type { DockerClient } from '../../../src/apply/docker.js';

/** Docker with nothing of the app on it; every list answers empty. */
export function emptyDocker(): DockerClient {
  const api = {
    listContainers: async () => [],
    listNetworks: async () => [],
    listVolumes: async () => ({ Volumes: [] }),
    listImages: async () => [],
    getContainer: () => ({ inspect: async () => ({}) }),
    getImage: () => ({ inspect: async () => Promise.reject(Object.assign(new Error('no such image'), { statusCode: 404 })) }),
    info: async () => ({ Name: 'test' }),
    ping: async () => 'OK',
  } as unknown as Dockerode;
  return { api, calls: { byOperation: new Map(), total: () => 0, mutating: () => 0, reset: () => undefined }, apiVersion: async () => '1.41' };
}

/**
 * node:http rather than fetch: fetch (undici) refuses to set Host, Origin and Sec-Fetch-*
 * itself as a browser would, and these tests must send them as a hostile page's browser does.
 * `headers.host` replaces the default `<host>:<port>`.
 */
export function raw(port: number, host: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: host.replace(/^\[|\]$/g, ''), port, method, path, headers: { host: `${host}:${port}`, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
