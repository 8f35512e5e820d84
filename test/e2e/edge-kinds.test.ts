import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';
import type { EdgePorts } from './support/edge.js';
import { edgePorts, removeEdge, webApp } from './support/edge.js';

/**
 * The edge's eight kinds (issue 16, step 1) in a folder shaped as real repositories write it:
 * applied beside the workload they route to, stored, shown by get/describe, pruned. Ingress and
 * Gateway API objects are served by the edge (on free ports here); cert-manager's are not run yet,
 * and their status says so.
 */
const web = webApp({ grace: 2, probe: false, namedPort: true });

const ingress = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: berth
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec:
  controller: berth.dev/ingress-controller
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations: {cert-manager.io/cluster-issuer: letsencrypt}
spec:
  ingressClassName: berth
  tls: [{hosts: [shop.example.com], secretName: web-tls}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
`;

const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: berth}
spec: {controllerName: berth.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec:
  gatewayClassName: berth
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api}
spec:
  parentRefs: [{name: edge}]
  hostnames: [api.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v1}}]
    backendRefs: [{name: web, port: 80, weight: 100}]
`;

/** The Gateway's listener on the edge's http port: the edge serves only its own ports. */
function gatewayOn(port: number): string {
  return gateway.replace('port: 80}', `port: ${port}}`);
}

const certificates = `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: letsencrypt}
spec:
  acme:
    server: https://acme-staging-v02.api.letsencrypt.org/directory
    email: ops@example.com
    privateKeySecretRef: {name: letsencrypt-account}
    solvers: [{http01: {ingress: {ingressClassName: berth}}}]
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: local}
spec:
  acme:
    server: https://127.0.0.1:14000/dir
    privateKeySecretRef: {name: local-account}
    skipTLSVerify: true
    solvers: [{http01: {gatewayHTTPRoute: {parentRefs: [{name: edge}]}}}]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: api}
spec:
  secretName: api-tls
  dnsNames: [api.example.com]
  issuerRef: {name: local}
`;

/** The rows of a `get` table, cells split on runs of spaces, without the header. */
function rows(stdout: string): string[][] {
  return stdout.trim().split('\n').slice(1).filter((l) => l !== '').map((l) => l.split(/\s{2,}/));
}

describe('the edge kinds: stored and shown (real Docker)', () => {
  let t: E2eApp;
  let edge: EdgePorts;
  // The Ingress is served: its edge listens on free ports, never 80/443, and goes with the test.
  const apply = (...args: string[]) => t.berth('apply', ...args, ...edge.flags);
  beforeAll(async () => {
    t = await createE2eApp('edgekinds');
    edge = await edgePorts();
  });
  afterAll(async () => {
    await removeEdge(t.docker, edge);
    await t.cleanup();
  });

  it('applies all eight beside the workload', async () => {
    await t.write({ 'web.yaml': web, 'ingress.yaml': ingress, 'gateway.yaml': gatewayOn(edge.http), 'certificates.yaml': certificates });
    const r = await apply('-f', t.dir, '--wait', '--timeout', '90s');
    expect(r.code).toBe(0);
    for (const name of [
      'ingressclass.networking.k8s.io/berth',
      'ingress.networking.k8s.io/web',
      'gatewayclass.gateway.networking.k8s.io/berth',
      'gateway.gateway.networking.k8s.io/edge',
      'httproute.gateway.networking.k8s.io/api',
      'clusterissuer.cert-manager.io/letsencrypt',
      'issuer.cert-manager.io/local',
      'certificate.cert-manager.io/api',
    ])
      expect(r.stdout).toContain(`${name} created`);
  });

  it('get shows each with its columns', async () => {
    const ing = await t.berth('get', 'ing');
    expect(ing.code).toBe(0);
    expect(ing.stdout.split('\n')[0]).toMatch(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/);
    expect(rows(ing.stdout).map((r) => r.slice(0, 5))).toEqual([['web', 'berth', 'shop.example.com', 'localhost', `${edge.http}, ${edge.https}`]]);
    // Ingresses are served (docs/ingress.md): no note says otherwise.
    expect(ing.stderr).not.toContain('berth does not serve them yet');
    expect(rows((await t.berth('get', 'ingressclass')).stdout).map((r) => r.slice(0, 3))).toEqual([['berth', 'berth.dev/ingress-controller', '<none>']]);
    expect(rows((await t.berth('get', 'gc')).stdout).map((r) => r.slice(0, 3))).toEqual([['berth', 'berth.dev/gateway-controller', 'True']]);
    const gtw = await t.berth('get', 'gtw');
    expect(gtw.stdout.split('\n')[0]).toMatch(/^NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE$/);
    expect(rows(gtw.stdout).map((r) => r.slice(0, 4))).toEqual([['edge', 'berth', 'localhost', 'True']]);
    expect(rows((await t.berth('get', 'httproute')).stdout).map((r) => r.slice(0, 2))).toEqual([['api', '["api.example.com"]']]);
    expect(rows((await t.berth('get', 'issuer')).stdout).map((r) => r.slice(0, 2))).toEqual([['local', 'Unknown']]);
    expect(rows((await t.berth('get', 'clusterissuer')).stdout).map((r) => r.slice(0, 2))).toEqual([['letsencrypt', 'Unknown']]);
    const cert = await t.berth('get', 'cert');
    expect(cert.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+SECRET\s+AGE$/);
    // The Ingress's cert-manager.io/cluster-issuer annotation implies a Certificate for its TLS Secret (ingress-shim).
    expect(rows(cert.stdout).map((r) => r.slice(0, 3))).toEqual([['api', 'False', 'api-tls'], ['web-tls', 'False', 'web-tls']]);
  });

  it('-o json and -o yaml are the API shapes', async () => {
    const ing = JSON.parse((await t.berth('get', 'ingress', 'web', '-o', 'json')).stdout) as { apiVersion: string; kind: string; spec: { rules: Array<{ host: string }> }; status: unknown };
    expect(ing).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', spec: { rules: [{ host: 'shop.example.com' }] }, status: { loadBalancer: { ingress: [{ hostname: 'localhost' }] } } });
    const route = JSON.parse((await t.berth('get', 'httproute', 'api', '-o', 'json')).stdout) as { status: { parents: Array<{ conditions: Array<{ type: string; status: string }> }> } };
    expect(route.status.parents[0]!.conditions[0]).toMatchObject({ type: 'Accepted', status: 'True', reason: 'Accepted' });
    const yaml = (await t.berth('get', 'certificate', 'api', '-o', 'yaml')).stdout;
    expect(yaml).toContain('apiVersion: cert-manager.io/v1');
    expect(yaml).toContain('secretName: api-tls');
    expect(yaml).toContain('reason: NoController');
  });

  it.each([
    ['ingress', 'web', /Rules:\n\s+Host\s+Path\s+Backends/],
    ['ingressclass', 'berth', /Controller:\s+berth\.dev\/ingress-controller/],
    ['gatewayclass', 'berth', /Controller Name:\s+berth\.dev\/gateway-controller/],
    ['gateway', 'edge', /Attached Routes:\s+1/],
    ['httproute', 'api', /Hostnames:\s+api\.example\.com/],
    ['issuer', 'local', /Skip TLS Verify:\s+true/],
    ['clusterissuer', 'letsencrypt', /Email:\s+ops@example\.com/],
    ['certificate', 'api', /Secret Name:\s+api-tls/],
  ])('describe %s %s', async (kind, name, pattern) => {
    const r = await t.berth('describe', kind, name);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(pattern);
    // A Note where the kind's meaning on this host needs one (cert-manager's: a daemon runs them); never an empty one.
    if (['issuer', 'clusterissuer', 'certificate'].includes(kind)) expect(r.stdout).toMatch(/\nNote:[ \t]+\S/);
    else expect(r.stdout).not.toMatch(/\nNote:/);
  });

  it('refuses an Ingress Kubernetes would refuse; nothing of the revision is applied', async () => {
    await t.write({ 'web.yaml': web, 'ingress.yaml': ingress.replace('pathType: Prefix, ', ''), 'gateway.yaml': gatewayOn(edge.http), 'certificates.yaml': certificates });
    const r = await apply('-f', t.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pathType is required');
    expect(rows((await t.berth('get', 'ing')).stdout).map((x) => x[0])).toEqual(['web']);
  });

  it('prunes them like any other object', async () => {
    await t.write({ 'web.yaml': web, 'ingress.yaml': ingress, 'gateway.yaml': gatewayOn(edge.http), 'certificates.yaml': certificates.slice(0, certificates.indexOf('---\napiVersion: cert-manager.io/v1\nkind: Certificate')) });
    const r = await apply('-f', t.dir, '--prune', '--all');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('certificate.cert-manager.io/api pruned');
    // Only the Certificate the Ingress's annotation implies is left.
    expect(rows((await t.berth('get', 'cert')).stdout).map((x) => x[0])).toEqual(['web-tls']);
    expect(rows((await t.berth('get', 'issuer')).stdout).map((x) => x[0])).toEqual(['local']);
  });
});
