import https from 'node:https';
import type tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonProcess } from './support/daemon.js';
import { eventually, freePort, killDaemons, startDaemon } from './support/daemon.js';
import type { EdgePorts } from './support/edge.js';
import { edgeGet, edgePorts, ingress, removeEdge, webApp } from './support/edge.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';
import type { Pebble } from './support/pebble.js';
import { startPebble } from './support/pebble.js';

/**
 * Automatic certificates end to end (SPEC §5, docs/ingress.md "Certificates"): a real ACME CA
 * (Debian's pebble, on loopback, resolving every name to 127.0.0.1 through pebble-challtestsrv)
 * validates HTTP-01 against the edge the daemon runs, through the objects cert-manager users
 * write: a ClusterIssuer and the Ingress annotation. The certificate is served by SNI and
 * verifies against pebble's root; it is renewed at two thirds of its 90 s life (cert-manager's
 * default) while a TLS connection opened before keeps answering; an issuer whose CA is down
 * records the failure and backs off.
 */
const manifests = (o: { server: string; caBundle: string; dead: string }) => `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: pebble}
spec:
  acme:
    server: ${o.server}
    email: ops@shop.test
    caBundle: ${o.caBundle}
    privateKeySecretRef: {name: pebble-account}
    solvers: [{http01: {ingress: {ingressClassName: berth}}}]
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: down}
spec:
  acme:
    server: ${o.dead}
    privateKeySecretRef: {name: down-account}
    solvers: [{http01: {ingress: {}}}]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: broken}
spec:
  secretName: broken-tls
  dnsNames: [broken.shop.test]
  issuerRef: {name: down, kind: ClusterIssuer}
---
${webApp({ grace: 1 })}---
${ingress({ name: 'web', host: 'shop.test', tls: 'shop-tls', annotations: { 'cert-manager.io/cluster-issuer': 'pebble' } })}`;

/** One HTTPS request for shop.test, verified against pebble's root: status, serial, whether the connection was reused. */
function verifiedGet(port: number, ca: string, agent: https.Agent | false = false): Promise<{ status: number; serial: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', servername: 'shop.test', headers: { host: 'shop.test' }, ca, agent, timeout: 5_000 }, (res) => {
      const serial = (res.socket as tls.TLSSocket).getPeerX509Certificate()?.serialNumber ?? '';
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, serial, reused: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

interface CertJson {
  status: { conditions?: Array<{ type: string; status: string; reason: string }>; failedIssuanceAttempts?: number; notAfter?: string; lastFailureTime?: string };
}

describe('edge: certificates from a real ACME CA through the daemon (pebble, real Docker)', () => {
  let t: E2eApp;
  let edge: EdgePorts;
  let pebble: Pebble;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    t = await createE2eApp('edge-acme');
    edge = await edgePorts();
    pebble = await startPebble({ httpPort: edge.http, validitySeconds: 90 });
    const dead = `https://127.0.0.1:${await freePort()}/dir`;
    await t.write({ 'app.yaml': manifests({ server: pebble.directoryUrl, caBundle: Buffer.from(pebble.caPem).toString('base64'), dead }) });
    daemon = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, ...edge.flags]);
  });
  afterAll(async () => {
    await killDaemons();
    await removeEdge(t.docker, edge);
    await pebble?.stop();
    await t.cleanup();
  });

  it('issues the Ingress\'s certificate over HTTP-01, serves it by SNI, and renews it while open connections keep answering', async () => {
    const root = await pebble.rootPem();
    const first = await eventually('a certificate pebble issued, served for shop.test', async () => {
      const r = await verifiedGet(edge.https, root).catch(() => undefined);
      return r?.status === 200 && r.serial !== '' ? r : undefined;
    }, 90_000, 500);
    // One keep-alive TLS connection, opened before the renewal.
    const open = new https.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await verifiedGet(edge.https, root, open)).status).toBe(200);
    const cert = JSON.parse((await t.berth('get', 'certificate', 'shop-tls', '-o', 'json')).stdout) as CertJson;
    expect(cert.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    // Plain HTTP to a TLS host redirects; the challenge path never did (pebble validated through it).
    expect((await edgeGet(edge.http, 'shop.test')).status).toBe(308);
    const secret = await t.berth('get', 'secret', 'shop-tls');
    expect(secret.stdout).toMatch(/shop-tls\s+kubernetes\.io\/tls/);

    // 90 s certificates are renewed at 60 s: a new serial on new connections.
    const issuedEvents = async () => ((await daemon.api('/api/v1/events?limit=1000')).body as { items: Array<{ reason: string; object: string; count: number; message: string }> }).items.filter((e) => e.reason === 'Issued' && e.object === 'Certificate/default/shop-tls');
    // Issued once, not again until its renewal time.
    const issuedCount = async () => (await issuedEvents()).reduce((n, e) => n + e.count, 0);
    expect(await issuedCount()).toBe(1);
    const renewed = await eventually('a renewed certificate', async () => {
      const r = await verifiedGet(edge.https, root).catch(() => undefined);
      return r && r.status === 200 && r.serial !== first.serial ? r : undefined;
    }, 120_000, 1_000);
    expect(await issuedCount()).toBe(2);
    expect(renewed.serial).not.toBe(first.serial);
    const kept = await verifiedGet(edge.https, root, open);
    expect([kept.status, kept.reused]).toEqual([200, true]);
    open.destroy();
  }, 240_000);

  it('a Certificate whose CA is down fails, says why, and backs off', async () => {
    const failed = await eventually('the broken Certificate failed once', async () => {
      const r = await t.berth('get', 'certificate', 'broken', '-o', 'json');
      const c = r.code === 0 ? (JSON.parse(r.stdout) as CertJson) : undefined;
      return c && (c.status.failedIssuanceAttempts ?? 0) >= 1 ? c : undefined;
    }, 60_000, 500);
    expect(failed.status.failedIssuanceAttempts).toBe(1);
    expect(failed.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    const events = ((await daemon.api('/api/v1/events?limit=1000')).body as { items: Array<{ type: string; reason: string; message: string; object: string }> }).items;
    const warning = events.find((e) => e.reason === 'Failed' && e.type === 'Warning' && e.object === 'Certificate/default/broken');
    expect(warning?.message ?? JSON.stringify(events)).toMatch(/will be retried at .*: cannot reach the ACME server https:\/\/127\.0\.0\.1:\d+\/dir: ECONNREFUSED/);
    // cert-manager's back-off: the first retry an hour later.
    const retryAt = Date.parse(/retried at (\S+):/.exec(warning!.message)![1]!);
    // (lastFailureTime is RFC 3339 in whole seconds, as Kubernetes writes it.)
    expect(Math.abs(retryAt - Date.parse(failed.status.lastFailureTime!) - 3_600_000)).toBeLessThan(1_000);
    const describe = await t.berth('describe', 'certificate', 'broken');
    expect(describe.stdout).toMatch(/Failed/);
  }, 90_000);
});
