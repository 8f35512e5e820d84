import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

/** The offline diff shows the edge's kinds as the resources they are (issue 16, step 1): created, changed, deleted. */
async function berth(argv: string[]): Promise<{ code: number; stdout: string }> {
  const stdout = Object.assign(new PassThrough(), { isTTY: false });
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await run(argv, { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: process.cwd(), interrupted: new AbortController().signal });
  return { code, stdout: Buffer.concat(chunks).toString('utf8') };
}

const INGRESS = (host: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
  rules: [{host: ${host}, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n';
const CERT = 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: web}\nspec: {secretName: web-tls, dnsNames: [shop.example.com], issuerRef: {name: le, kind: ClusterIssuer}}\n';
const ISSUER = 'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: le}\nspec: {acme: {server: "https://acme.example/dir", privateKeySecretRef: {name: le}}}\n';
const ROUTE = 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: api}\nspec: {hostnames: [api.example.com], rules: [{backendRefs: [{name: web, port: 80}]}]}\n';

describe('berth diff --from --to with the edge kinds (offline)', () => {
  let root = '';
  beforeAll(async () => {
    root = join(tmpdir(), `berth-diff-edge-${process.pid}`);
    await mkdir(join(root, 'from'), { recursive: true });
    await mkdir(join(root, 'to'), { recursive: true });
    await writeFile(join(root, 'from', 'all.yaml'), [SERVICE, INGRESS('shop.example.com'), ISSUER, CERT].join('---\n'));
    await writeFile(join(root, 'to', 'all.yaml'), [SERVICE, INGRESS('www.example.com'), ISSUER, ROUTE].join('---\n'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reports each as a resource: the Ingress changed, the HTTPRoute created, the Certificate deleted', async () => {
    const r = await berth(['diff', '--from', join(root, 'from'), '--to', join(root, 'to'), '-o', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { changes: Array<{ key: string; action: string }> };
    expect(report.changes.map((c) => [c.key, c.action]).sort()).toEqual([
      ['Certificate/default/web', 'delete'],
      ['HTTPRoute/default/api', 'create'],
      ['Ingress/default/web', 'update'],
    ]);
  });
});
