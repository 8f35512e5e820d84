import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import type { EdgeConfig } from '../../src/dataplane/protocol.js';
import { backendOf, request, route, startHttpBackend, startTestEdge } from './edge-helpers.js';
import type { Defer } from './helpers.js';
import { freePort, tempDir, useCleanup, waitFor } from './helpers.js';

const defer = useCleanup();

interface Cert {
  pem: string;
  cert: string;
  id: string;
}

/** A self-signed certificate for `name` (key + certificate in one PEM, as the edge reads them). */
async function selfSigned(defer: Defer, name: string): Promise<Cert> {
  const dir = await tempDir(defer, 'berth-cert-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
  const key = await readFile(join(dir, 'k.pem'), 'utf8');
  const cert = await readFile(join(dir, 'c.pem'), 'utf8');
  const pem = `${key}${cert}`;
  return { pem, cert, id: `sha256:${createHash('sha256').update(pem).digest('hex')}` };
}

async function install(configDir: string, c: Cert): Promise<void> {
  await mkdir(join(configDir, 'certs'), { recursive: true });
  await writeFile(join(configDir, 'certs', `sha256-${c.id.slice(7)}.pem`), c.pem, { mode: 0o600 });
}

function config(certs: Record<string, Cert>, backend: ReturnType<typeof backendOf>, redirect = true): EdgeConfig {
  return {
    app: 'shop',
    virtualHosts: Object.entries(certs).map(([host, c]) => ({ host, listeners: ['http', 'https'], certificate: c.id, redirectToHttps: redirect, routes: [route(`r-${host}`, 'Prefix', '/', [{ backend: 'web', weight: 1 }])] })),
    backends: [backend],
    certificates: [...new Set(Object.values(certs))].map((c) => ({ id: c.id, source: 'Secret/shop/tls' })),
  };
}

function handshake(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername, ca, ALPNProtocols: ['http/1.1'] }, () => {
      const cn = s.getPeerCertificate().subject.CN;
      s.destroy();
      resolve(String(cn));
    });
    s.on('error', reject);
  });
}

function get(port: number, host: string, ca: string, agent: https.Agent): Promise<{ body: string; reused: boolean; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, servername: host, headers: { host }, ca, agent }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ body, reused: req.reusedSocket, res }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('edge (TLS)', () => {
  it('serves the certificate of each host by SNI, refuses an unknown name, and redirects plain HTTP with 308', async () => {
    const web = await startHttpBackend(defer, 'web');
    const [a, b] = await Promise.all([selfSigned(defer, 'a.test'), selfSigned(defer, 'b.test')]);
    const httpsPort = await freePort();
    const edge = await startTestEdge(defer, { httpsPort });
    await install(edge.dir, a);
    await install(edge.dir, b);
    const status = await edge.configure(config({ 'a.test': a, 'b.test': b }, backendOf('web', [web])), 1);
    expect(status.certificates.map((c) => [c.state, c.hosts])).toEqual([
      ['loaded', ['a.test']],
      ['loaded', ['b.test']],
    ]);
    expect(status.listening.map((l) => [l.name, l.state])).toEqual([
      ['http', 'listening'],
      ['https', 'listening'],
    ]);
    expect(await handshake(httpsPort, 'a.test', a.cert)).toBe('a.test');
    expect(await handshake(httpsPort, 'B.Test', b.cert)).toBe('b.test');
    await expect(handshake(httpsPort, 'c.test', a.cert)).rejects.toThrow();
    const agent = new https.Agent({ keepAlive: true });
    defer(() => agent.destroy());
    const served = await get(httpsPort, 'a.test', a.cert, agent);
    expect(served.body).toBe('web GET /');
    expect(web.requests.at(-1)!.headers['x-forwarded-proto']).toBe('https');
    const plain = await request(edge.port, { host: 'a.test', path: '/x?y=1' });
    expect([plain.status, plain.headers.location]).toEqual([308, `https://a.test:${httpsPort}/x?y=1`]);
  });

  it('serves plain HTTP when the host turns the redirect off, and reports a file whose hash does not match', async () => {
    const web = await startHttpBackend(defer, 'web');
    const [a, forged] = await Promise.all([selfSigned(defer, 'a.test'), selfSigned(defer, 'b.test')]);
    const httpsPort = await freePort();
    const edge = await startTestEdge(defer, { httpsPort });
    await install(edge.dir, a);
    await mkdir(join(edge.dir, 'certs'), { recursive: true });
    await writeFile(join(edge.dir, 'certs', `sha256-${forged.id.slice(7)}.pem`), `${forged.pem}tampered`);
    const status = await edge.configure(config({ 'a.test': a, 'b.test': forged }, backendOf('web', [web]), false), 1);
    expect((await request(edge.port, { host: 'a.test' })).status).toBe(200);
    expect(status.certificates.find((c) => c.id === forged.id)).toMatchObject({ state: 'invalid' });
    await expect(handshake(httpsPort, 'b.test', forged.cert)).rejects.toThrow();
  });

  it('swaps a changed certificate for new connections while an open keep-alive TLS connection keeps answering', async () => {
    const web = await startHttpBackend(defer, 'web');
    const [first, second] = await Promise.all([selfSigned(defer, 'a.test'), selfSigned(defer, 'a.test')]);
    const httpsPort = await freePort();
    const edge = await startTestEdge(defer, { httpsPort });
    await install(edge.dir, first);
    await edge.configure(config({ 'a.test': first }, backendOf('web', [web])), 1);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    defer(() => agent.destroy());
    expect((await get(httpsPort, 'a.test', first.cert, agent)).body).toBe('web GET /');
    await install(edge.dir, second);
    await edge.configure(config({ 'a.test': second }, backendOf('web', [web])), 2);
    const again = await get(httpsPort, 'a.test', first.cert, agent);
    expect([again.body, again.reused]).toEqual(['web GET /', true]);
    // A new connection gets the new certificate (trusted only with the new one as CA).
    const fresh = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: httpsPort, servername: 'a.test', ca: second.cert }, () => {
        resolve(s.getPeerCertificate().fingerprint256);
        s.destroy();
      });
      s.on('error', reject);
    });
    expect(fresh).toBe(new X509Certificate(second.cert).fingerprint256);
    await waitFor(async () => (await edge.readStatus()).certificates.map((c) => c.id).join() === second.id, 'old certificate dropped from status');
  });

  it('deletes certificate files no fragment names once they are old, and keeps recent ones', async () => {
    const web = await startHttpBackend(defer, 'web');
    const [used, stale, recent] = await Promise.all([selfSigned(defer, 'a.test'), selfSigned(defer, 'b.test'), selfSigned(defer, 'c.test')]);
    const edge = await startTestEdge(defer, { httpsPort: await freePort() });
    for (const c of [used, stale, recent]) await install(edge.dir, c);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(edge.dir, 'certs', `sha256-${stale.id.slice(7)}.pem`), hourAgo, hourAgo);
    await utimes(join(edge.dir, 'certs', `sha256-${used.id.slice(7)}.pem`), hourAgo, hourAgo);
    await edge.configure(config({ 'a.test': used }, backendOf('web', [web])), 1);
    expect((await readdir(join(edge.dir, 'certs'))).sort()).toEqual([`sha256-${used.id.slice(7)}.pem`, `sha256-${recent.id.slice(7)}.pem`].sort());
  });
});
