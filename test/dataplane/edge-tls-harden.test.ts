/**
 * TLS at the edge: TLS 1.2 at least, a client without SNI gets the catch-all app's first
 * certificate, and a request whose Host is served by another certificate than the one the
 * connection was made with is 421 Misdirected Request (no routing across certificates).
 */
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import type { EdgeConfig } from '../../src/dataplane/protocol.js';
import { backendOf, installSelfSigned, route, startHttpBackend, startTestEdge } from './edge-helpers.js';
import { freePort, useCleanup } from './helpers.js';

const defer = useCleanup();

function connect(port: number, o: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...o }, () => {
      const cn = s.getPeerCertificate().subject.CN;
      s.destroy();
      resolve(String(cn));
    });
    s.on('error', reject);
  });
}

/** `servername: ''` sends no SNI (Node would otherwise send the Host). */
function get(port: number, servername: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, servername, headers: { host }, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function tlsEdge() {
  const web = await startHttpBackend(defer, 'web');
  const httpsPort = await freePort();
  const edge = await startTestEdge(defer, { httpsPort });
  const [a, b, fallback] = [await installSelfSigned(defer, edge.dir, 'a.test'), await installSelfSigned(defer, edge.dir, 'b.test'), await installSelfSigned(defer, edge.dir, 'default.test')];
  const routes = (id: string) => [route(id, 'Prefix', '/', [{ backend: 'web', weight: 1 }])];
  const config: EdgeConfig = {
    app: 'shop',
    virtualHosts: [
      { host: 'a.test', listeners: ['https'], certificate: a.id, routes: routes('a') },
      { host: 'b.test', listeners: ['https'], certificate: b.id, routes: routes('b') },
    ],
    backends: [backendOf('web', [web])],
    certificates: [
      { id: fallback.id, source: 'Secret/shop/default' },
      { id: a.id, source: 'Secret/shop/a' },
      { id: b.id, source: 'Secret/shop/b' },
    ],
    catchAll: { routes: routes('all') },
  };
  await edge.configure(config, 1);
  return { edge, httpsPort, config };
}

describe('edge (TLS hardening)', () => {
  it('refuses TLS below 1.2', async () => {
    const { httpsPort } = await tlsEdge();
    expect(await connect(httpsPort, { servername: 'a.test', minVersion: 'TLSv1.2' })).toBe('a.test');
    await expect(connect(httpsPort, { servername: 'a.test', minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' })).rejects.toThrow();
  });

  it("answers a client without SNI with the catch-all app's first certificate", async () => {
    const { httpsPort } = await tlsEdge();
    expect(await connect(httpsPort, {})).toBe('default.test');
    expect(await get(httpsPort, '', 'anything.test')).toBe(200);
  });

  it('has no certificate for a client without SNI when no app holds the catch-all', async () => {
    const { edge, httpsPort, config } = await tlsEdge();
    delete config.catchAll;
    await edge.configure(config, 2);
    await expect(connect(httpsPort, {})).rejects.toThrow();
    expect(await connect(httpsPort, { servername: 'b.test' })).toBe('b.test');
  });

  it('answers 421 when Host is served by another certificate than the SNI name', async () => {
    const { httpsPort } = await tlsEdge();
    expect(await get(httpsPort, 'a.test', 'a.test')).toBe(200);
    expect(await get(httpsPort, 'a.test', 'b.test')).toBe(421);
    expect(await get(httpsPort, 'a.test', 'unknown.test')).toBe(421);
    expect(await get(httpsPort, '', 'a.test')).toBe(421);
  });

  it('closes a connection that never completes its TLS handshake', async () => {
    const httpsPort = await freePort();
    await startTestEdge(defer, { httpsPort, headersTimeoutMs: 300 });
    const s = net.connect({ host: '127.0.0.1', port: httpsPort });
    defer(() => s.destroy());
    s.on('error', () => {});
    await new Promise<void>((r) => s.on('close', () => r()));
    expect(s.bytesRead).toBe(0);
  });
});
