import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import type tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/daemon.js';
import type { EdgePorts } from './support/edge.js';
import { edgeGet, edgePorts, ingress, removeEdge, webApp, yamlDocs } from './support/edge.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * TLS at the edge (docs/ingress.md): an Ingress's `tls[]` Secret serves its hosts by SNI, plain
 * HTTP to them is redirected (308), and a changed Secret is served on new connections while an
 * open keep-alive TLS connection goes on answering.
 */
const app = yamlDocs(webApp({ grace: 1 }), ingress({ name: 'web', host: 'shop.test', tls: 'shop-tls' }));

async function selfSigned(dir: string, name: string): Promise<{ crt: string; key: string; fingerprint: string }> {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', key, '-out', crt]);
  const pem = await readFile(crt, 'utf8');
  const fingerprint = new (await import('node:crypto')).X509Certificate(pem).fingerprint256;
  return { crt: pem, key: await readFile(key, 'utf8'), fingerprint };
}

function secret(c: { crt: string; key: string }): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return `apiVersion: v1\nkind: Secret\nmetadata: {name: shop-tls}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${b64(c.crt)}\n  tls.key: ${b64(c.key)}\n`;
}

/** One HTTPS request to the edge for `servername` on `agent`: the status, the certificate served, and whether the connection was reused. */
function tlsGet(port: number, servername: string, agent: https.Agent | false = false): Promise<{ status: number; body: string; fingerprint: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', servername, headers: { host: servername }, agent, rejectUnauthorized: false, timeout: 5_000 }, (res) => {
      let body = '';
      const fingerprint = (res.socket as tls.TLSSocket).getPeerX509Certificate()?.fingerprint256 ?? '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, fingerprint, reused: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

describe('edge: TLS from Secrets (real Docker)', () => {
  let t: E2eApp;
  let edge: EdgePorts;
  let dir: string;

  beforeAll(async () => {
    t = await createE2eApp('edge-tls');
    edge = await edgePorts();
    dir = await mkdtemp(join(tmpdir(), 'berth-edge-tls-'));
  });
  afterAll(async () => {
    await removeEdge(t.docker, edge);
    await t.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the Secret by SNI, redirects plain HTTP, and serves a changed Secret on new connections only', async () => {
    const first = await selfSigned(dir, 'shop.test');
    await t.write({ 'app.yaml': app, 'secret.yaml': secret(first) });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s', ...edge.flags);
    expect(r.code, r.stderr).toBe(0);
    // One keep-alive connection, opened before the Secret changes.
    const open = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const before = await eventually('TLS for shop.test', async () => {
      const r = await tlsGet(edge.https, 'shop.test', open).catch(() => undefined);
      return r?.fingerprint === first.fingerprint && r.status === 200 ? r : undefined;
    }, 30_000);
    expect(before.body).toContain('"greeting":"hello"');
    const plain = await edgeGet(edge.http, 'shop.test', '/x?y=1');
    expect(plain.status).toBe(308);
    // No certificate for a name no host has: the handshake fails.
    await expect(tlsGet(edge.https, 'other.test')).rejects.toThrow();

    const second = await selfSigned(dir, 'shop.test');
    await t.write({ 'app.yaml': app, 'secret.yaml': secret(second) });
    const again = await t.berth('apply', '-f', t.dir, ...edge.flags);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('routes written');
    await eventually('the new certificate on a new connection', async () => ((await tlsGet(edge.https, 'shop.test').catch(() => undefined))?.fingerprint === second.fingerprint ? true : undefined), 30_000);
    // The connection opened before the change (a TLS session keeps the certificate it was made with) still answers.
    const kept = await tlsGet(edge.https, 'shop.test', open);
    expect([kept.status, kept.reused]).toEqual([200, true]);
    open.destroy();
  });
});
