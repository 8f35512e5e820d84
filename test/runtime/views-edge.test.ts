import { describe, expect, it } from 'vitest';
import { describeView } from '../../src/cli/output/describe-kinds.js';
import { fieldTitle } from '../../src/cli/output/describe-edge.js';
import { KIND_NOTES, kindNotes } from '../../src/cli/output/kind-notes.js';
import { formatColumns, tableRows } from '../../src/cli/output/table.js';
import type { Kind } from '../../src/model/types.js';
import type { InventoryEntry } from '../../src/runtime/store/index.js';
import { healthOf } from '../../src/runtime/api/health.js';
import { buildViews } from '../../src/runtime/views/index.js';
import { entry, liveState, NOW } from './views-support.js';

/** `get` and `describe` of the edge's kinds: stored and shown, nothing served yet (issue 16, step 1). */
const ING = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web' },
  spec: {
    ingressClassName: 'berth',
    tls: [{ hosts: ['shop.example.com'], secretName: 'web-tls' }],
    rules: [
      { host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } },
      { host: 'api.example.com', http: { paths: [{ path: '/v1', pathType: 'Exact', backend: { service: { name: 'api', port: { name: 'http' } } } }] } },
    ],
  },
};
const CATCH_ALL = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'all' }, spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } };
const ROUTE = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'api' },
  spec: { parentRefs: [{ name: 'edge', sectionName: 'http' }], hostnames: ['api.example.com'], rules: [{ backendRefs: [{ name: 'api', port: 80 }] }] },
};
const OTHER_ROUTE = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'other' }, spec: { parentRefs: [{ name: 'elsewhere' }] } };
const GW = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'edge' },
  spec: { gatewayClassName: 'berth', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }, { name: 'https', protocol: 'HTTPS', port: 443, tls: { certificateRefs: [{ name: 'web-tls' }] } }] },
};
const ISSUER = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'local' }, spec: { acme: { server: 'https://127.0.0.1:14000/dir', privateKeySecretRef: { name: 'acct' } } } };
const SELF = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'self' }, spec: { selfSigned: {} } };
const CERT = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'api' }, spec: { secretName: 'api-tls', dnsNames: ['api.example.com'], issuerRef: { name: 'le', kind: 'ClusterIssuer' } } };

function clusterEntry(obj: { kind: string; metadata: { name: string } }): InventoryEntry {
  const e = entry(obj);
  return { ...e, key: `${obj.kind}//${obj.metadata.name}`, namespace: '', object: { ...(e.object as object), metadata: { ...obj.metadata, labels: {}, annotations: {} } } };
}
const CLASS = clusterEntry({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'berth' }, spec: { controller: 'berth.dev/ingress-controller' } } as never);
const GW_CLASS = clusterEntry({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'berth' }, spec: { controllerName: 'berth.dev/gateway-controller' } } as never);
const NGINX_CLASS = clusterEntry({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'nginx' }, spec: { controllerName: 'gateway.nginx.org/nginx-gateway-controller', description: 'not here' } } as never);
const CLUSTER_ISSUER = clusterEntry({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'le' }, spec: { acme: { server: 'https://acme-v02.api.letsencrypt.org/directory', privateKeySecretRef: { name: 'le' } } } } as never);

const INVENTORY = [entry(ING), entry(CATCH_ALL), entry(ROUTE), entry(OTHER_ROUTE), entry(GW), entry(ISSUER), entry(SELF), entry(CERT), CLASS, GW_CLASS, NGINX_CLASS, CLUSTER_ISSUER];
// No daemon drives the app: nothing runs ACME orders (views-certificates.test.ts has the daemon's side).
const state = liveState({ inventory: INVENTORY, controller: null });

function table(kind: Kind, options: { wide?: boolean; allNamespaces?: boolean } = {}): string[] {
  return formatColumns(tableRows(kind, buildViews(state, [kind]), { now: NOW, ...options })).trimEnd().split('\n');
}

describe('get', () => {
  it.each<[string, Kind, Parameters<typeof table>[1], string[]]>([
    // kubectl: hosts of the rules, `*` without any; PORTS 80, 443 once there is a tls entry; no ADDRESS until served.
    ['ingress', 'Ingress', {}, ['NAME   CLASS    HOSTS                              ADDRESS   PORTS     AGE', 'all    <none>   *                                            80        120m', 'web    berth    shop.example.com,api.example.com             80, 443   120m']],
    ['ingress -A', 'Ingress', { allNamespaces: true }, ['NAMESPACE   NAME   CLASS    HOSTS                              ADDRESS   PORTS     AGE', 'default     all    <none>   *                                            80        120m', 'default     web    berth    shop.example.com,api.example.com             80, 443   120m']],
    ['ingressclass', 'IngressClass', {}, ['NAME    CONTROLLER                     PARAMETERS   AGE', 'berth   berth.dev/ingress-controller   <none>       120m']],
    ['gatewayclass -o wide', 'GatewayClass', { wide: true }, ['NAME    CONTROLLER                                   ACCEPTED   AGE    DESCRIPTION', 'berth   berth.dev/gateway-controller                 True       120m', 'nginx   gateway.nginx.org/nginx-gateway-controller   Unknown    120m   not here']],
    // Accepted by the compiler; not Programmed while no edge runs for the app's ports (this state has none).
    ['gateway', 'Gateway', {}, ['NAME   CLASS   ADDRESS   PROGRAMMED   AGE', 'edge   berth             False        120m']],
    ['httproute', 'HTTPRoute', {}, ['NAME    HOSTNAMES             AGE', 'api     ["api.example.com"]   120m', 'other                         120m']],
    ['issuer', 'Issuer', {}, ['NAME    READY     AGE', 'local   Unknown   120m', 'self    False     120m']],
    ['clusterissuer -A: no NAMESPACE column', 'ClusterIssuer', { allNamespaces: true }, ['NAME   READY     AGE', 'le     Unknown   120m']],
    ['certificate', 'Certificate', {}, ['NAME   READY   SECRET    AGE', 'api    False   api-tls   120m']],
  ])('%s', (_name, kind, options, want) => {
    expect(table(kind, options)).toEqual(want);
  });

  it('certificate -o wide says why it is not ready', () => {
    const row = table('Certificate', { wide: true })[1]!;
    expect(row).toMatch(/^api {4}False {3}api-tls {3}120m {3}le {7}Secret api-tls is not issued: only a berth daemon runs ACME orders, and none drives this app$/);
  });

  it('notes that cert-manager\'s kinds are run by a daemon only; Ingress and Gateway API kinds need no note', () => {
    const notes = kindNotes(['Ingress', 'IngressClass', 'GatewayClass', 'Gateway', 'HTTPRoute', 'Issuer', 'ClusterIssuer', 'Certificate']);
    expect(notes).toHaveLength(3);
    expect(notes.join('\n')).not.toMatch(/Ingress|Gateway|HTTPRoute/);
    for (const n of notes) expect(n).toMatch(/berth daemon/);
  });
});

describe('-o json: the API shapes, with honest status', () => {
  const one = (kind: Kind, name: string) => buildViews(state, [kind]).find((v) => v.name === name)!;
  it('an Ingress has an empty loadBalancer status until the edge serves it', () => {
    expect(one('Ingress', 'web').object).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default' }, spec: ING.spec, status: { loadBalancer: {} } });
  });
  it('a Gateway: the compiler\'s Accepted and attached routes; Programmed waits for a running edge', () => {
    const status = (one('Gateway', 'edge').object as { status: { conditions: Array<{ type: string; status: string; reason: string }>; listeners: Array<{ name: string; attachedRoutes: number; supportedKinds: unknown[] }> } }).status;
    expect(status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([['Accepted', 'True', 'Accepted'], ['Programmed', 'False', 'Pending']]);
    expect(status.listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([['http', 1], ['https', 0]]);
    expect(status.listeners[0]!.supportedKinds).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }]);
  });
  it('a GatewayClass of another controller says none runs here', () => {
    const c = (one('GatewayClass', 'nginx').object as { status: { conditions: Array<{ message: string }> } }).status.conditions[0]!;
    expect(c.message).toContain('no controller named gateway.nginx.org/nginx-gateway-controller');
  });
  it('an HTTPRoute has one parent status per parentRef, berth as the controller', () => {
    expect(one('HTTPRoute', 'api').object).toMatchObject({
      status: { parents: [{ parentRef: { name: 'edge', sectionName: 'http' }, controllerName: 'berth.dev/gateway-controller', conditions: [{ type: 'Accepted', status: 'True' }, { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound' }] }] },
    });
  });
  it.each<[Kind, string, string, string, string]>([
    ['Issuer', 'local', 'Unknown', 'NoController', 'no ACME account is registered at https://127.0.0.1:14000/dir'],
    ['Issuer', 'self', 'False', 'Unsupported', 'only ACME issuers'],
    ['ClusterIssuer', 'le', 'Unknown', 'NoController', 'no ACME account'],
    ['Certificate', 'api', 'False', 'NoController', 'Secret api-tls is not issued'],
  ])('%s %s: Ready %s (%s)', (kind, name, status, reason, message) => {
    const c = (one(kind, name).object as { status: { conditions: Array<{ type: string; status: string; reason: string; message: string }> } }).status.conditions[0]!;
    expect([c.type, c.status, c.reason]).toEqual(['Ready', status, reason]);
    expect(c.message).toContain(message);
  });
  it('health: Ingress and HTTPRoute are served; cert-manager kinds say they are not run yet', () => {
    expect(healthOf(one('Ingress', 'web'))).toEqual({ status: 'Healthy' });
    expect(healthOf(one('HTTPRoute', 'api'))).toEqual({ status: 'Healthy' });
    expect(healthOf(one('Certificate', 'api'))).toEqual({ status: 'Healthy', message: 'stored; no ACME orders are run yet' });
  });
});

describe('describe', () => {
  const describe1 = (kind: Kind, name: string) => describeView(buildViews(state, [kind]).find((v) => v.name === name)!, { events: [], now: NOW, pods: [], replicaSets: [] }).split('\n');
  it.each<[Kind, string, string[]]>([
    ['Ingress', 'web', ['Name:             web', 'Namespace:        default', 'Ingress Class:    berth', 'Default backend:  <default>', 'TLS:', '  web-tls terminates shop.example.com', 'Rules:', '  Host              Path         Backends', '  shop.example.com', '                    / (Prefix)   web:80', '  api.example.com', '                    /v1 (Exact)  api:http']],
    ['Ingress', 'all', ['Default backend:  web:80', '  *     *     web:80']],
    ['IngressClass', 'berth', ['Name:         berth', 'Controller:   berth.dev/ingress-controller']],
    ['Gateway', 'edge', ['API Version:  gateway.networking.k8s.io/v1', 'Kind:         Gateway', 'Spec:', '  Gateway Class Name:  berth', '  Listeners:', '    Name:      http', '    Protocol:  HTTP', 'Status:', '    Attached Routes:  1']],
    ['HTTPRoute', 'api', ['  Parent Refs:', '    Section Name:  http', '  Hostnames:       api.example.com', '  Parents:', '    Controller Name:  berth.dev/gateway-controller']],
    ['Certificate', 'api', ['  Secret Name:  api-tls', '  Dns Names:    api.example.com', '    Reason:                NoController']],
    ['ClusterIssuer', 'le', ['    Server:  https://acme-v02.api.letsencrypt.org/directory']],
  ])('%s %s', (kind, name, lines) => {
    const out = describe1(kind, name);
    for (const l of lines) expect(out).toContain(l);
    // A Note only where the kind's meaning on this host needs one (cert-manager's kinds); never an empty `Note:`.
    expect(out.filter((l) => l.startsWith('Note:'))).toHaveLength(KIND_NOTES[kind] ? 1 : 0);
    expect(out).not.toContain('Note:');
  });

  it.each([
    ['apiVersion', 'API Version'],
    ['gatewayClassName', 'Gateway Class Name'],
    ['privateKeySecretRef', 'Private Key Secret Ref'],
    ['skipTLSVerify', 'Skip TLS Verify'],
  ])('field %s reads %s', (field, title) => {
    expect(fieldTitle(field)).toBe(title);
  });
});

describe('ADDRESS: the edge runs and listens', () => {
  // The Gateway's listeners name 80 and 443: the edge's ports, so it is accepted.
  const EDGE_PORTS = { http: 80, https: 443 };
  const address = (edge: { running: boolean; listening?: boolean }) => {
    const s = { ...liveState({ inventory: INVENTORY, controller: null }), edge: { ports: EDGE_PORTS, ...edge } };
    const views = buildViews(s, ['Ingress', 'Gateway']);
    const ing = views.find((v) => v.kind === 'Ingress' && v.name === 'web')!.object as { status: { loadBalancer: { ingress?: unknown[] } } };
    const gw = views.find((v) => v.kind === 'Gateway')!.object as { status: { addresses?: unknown[]; conditions: Array<{ type: string; status: string; message: string }> } };
    return { ingress: ing.status.loadBalancer.ingress ?? [], gateway: gw.status.addresses ?? [], programmed: gw.status.conditions.find((c) => c.type === 'Programmed')! };
  };
  it.each<[string, { running: boolean; listening?: boolean }, unknown[], string]>([
    ['running and listening', { running: true, listening: true }, [{ hostname: 'localhost' }], 'True'],
    // A port taken after the edge was made: the container runs, nothing is served.
    ['running, cannot listen', { running: true, listening: false }, [], 'False'],
    ['not running', { running: false, listening: false }, [], 'False'],
  ])('%s', (_name, edge, want, programmed) => {
    const got = address(edge);
    expect(got.ingress).toEqual(want);
    expect(got.gateway).toEqual(want.length ? [{ type: 'Hostname', value: 'localhost' }] : []);
    expect(got.programmed.status).toBe(programmed);
    if (edge.running && edge.listening === false) expect(got.programmed.message).toContain('cannot listen');
  });
});

describe('the built-in IngressClass berth', () => {
  const NGINX_DEFAULT = clusterEntry({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'k8s.io/ingress-nginx' } } as never);
  const NGINX = clusterEntry({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } } as never);
  // clusterEntry drops the annotations: put the default mark back on the object.
  const nginxDefault = { ...NGINX_DEFAULT, object: { ...(NGINX_DEFAULT.object as object), metadata: { name: 'nginx', labels: {}, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } } };
  const views = (inventory: InventoryEntry[]) => buildViews(liveState({ inventory, controller: null }), ['IngressClass']);
  const annotationsOf = (inventory: InventoryEntry[], name: string) => (views(inventory).find((v) => v.name === name)?.object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
  it.each<[string, InventoryEntry[], string[], Record<string, string> | undefined]>([
    // What k3s users run to find the class name: berth's, as kubectl shows an IngressClass object.
    ['no IngressClass in the revision: berth, the default', [entry(ING)], ['NAME    CONTROLLER                     PARAMETERS   AGE', 'berth   berth.dev/ingress-controller   <none>       120m'], { 'berth.dev/builtin': 'true', 'ingressclass.kubernetes.io/is-default-class': 'true' }],
    ['an app with no objects: still there', [], ['NAME    CONTROLLER                     PARAMETERS   AGE', 'berth   berth.dev/ingress-controller   <none>       0s'], { 'berth.dev/builtin': 'true', 'ingressclass.kubernetes.io/is-default-class': 'true' }],
    ['another class not default: berth stays the default', [entry(ING), NGINX], ['NAME    CONTROLLER                     PARAMETERS   AGE', 'berth   berth.dev/ingress-controller   <none>       120m', 'nginx   k8s.io/ingress-nginx           <none>       120m'], { 'berth.dev/builtin': 'true', 'ingressclass.kubernetes.io/is-default-class': 'true' }],
    ['another class marked default: berth is not', [entry(ING), nginxDefault], ['NAME    CONTROLLER                     PARAMETERS   AGE', 'berth   berth.dev/ingress-controller   <none>       120m', 'nginx   k8s.io/ingress-nginx           <none>       120m'], { 'berth.dev/builtin': 'true' }],
    // The revision's own IngressClass named berth replaces the built-in one (no builtin mark).
    ['a revision IngressClass berth replaces it', [entry(ING), CLASS], ['NAME    CONTROLLER                     PARAMETERS   AGE', 'berth   berth.dev/ingress-controller   <none>       120m'], { 'berth.dev/source-revision': 'rev1' }],
  ])('%s', (_name, inventory, rows, annotations) => {
    expect(formatColumns(tableRows('IngressClass', views(inventory), { now: NOW })).trimEnd().split('\n')).toEqual(rows);
    expect(annotationsOf(inventory, 'berth')).toEqual(annotations);
  });
  it('-o yaml: the IngressClass object', () => {
    expect(views([]).map((v) => v.object)).toMatchObject([{ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'berth' }, spec: { controller: 'berth.dev/ingress-controller' } }]);
  });
});
