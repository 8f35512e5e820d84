import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EdgeConfig } from '../../src/dataplane/edge-types.js';
import { configChecksum } from '../../src/dataplane/protocol.js';
import type { Action } from '../../src/plan/actions.js';
import { ACTION_PHASE } from '../../src/plan/actions.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import { bindEndpoints } from '../../src/plan/edge/bind.js';
import { bindCertificates } from '../../src/plan/edge/certificates.js';
import type { CompiledEdge, CompileResult } from '../../src/plan/edge/compiled.js';
import { EDGE_LAYOUT, edgeName, edgeSpecHash, emptyFragment, planEdge } from '../../src/plan/edge/plan.js';
import type { ObservedEdge, ObservedPod } from '../../src/plan/observed.js';
import { endpointContext } from '../../src/plan/services.js';
import type { Resource, Service } from '../../src/model/types.js';
import { deployment, observedFrom, observedState, res, TEST_HASH_KEY } from '../support/builders.js';
import { selfSigned } from '../support/tls.js';
import { compileRoutes } from '../../src/plan/edge/compile.js';
import { ingress, ingressClass, ipath, rule } from './edge-support.js';

const EDGE = { httpPort: 18080, httpsPort: 18443 };
const web = deployment('web', { replicas: 3 });

function service(spec: Record<string, unknown> = {}): Resource {
  return res({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec } });
}

function pods(n: number, over: (i: number) => Partial<ObservedPod> = () => ({})): ObservedPod[] {
  const w = buildDesiredState([web], { hashKey: TEST_HASH_KEY }).workloads.find((x) => x.key === 'Deployment/default/web')!;
  return Array.from({ length: n }, (_, i) => {
    const p = observedFrom(w.template.build(`web-p${i}`));
    return { ...p, sandbox: { ...p.sandbox!, ip: `10.0.0.${10 + i}` }, ...over(i) };
  });
}

function withNamedPort(p: ObservedPod, containerPort: number): ObservedPod {
  return { ...p, containers: p.containers.map((c) => ({ ...c, ports: [{ name: 'web', containerPort, protocol: 'TCP' as const }] })) };
}

function table(port: { number: number } | { name: string } = { number: 80 }, extra: Partial<CompiledEdge> = {}): CompiledEdge {
  return {
    virtualHosts: [{ host: 'shop.test', listeners: ['http'], certificate: 'Secret/default/tls', routes: [{ id: 'Ingress/default/shop/r0/p0', path: { type: 'Prefix', value: '/' }, backends: [{ backend: 'default/web:x', weight: 1 }] }] }],
    backends: [{ id: 'default/web:x', service: { namespace: 'default', name: 'web', port } }],
    certificates: [],
    ...extra,
  };
}

function bind(resources: Resource[], observedPods: ObservedPod[], compiled: CompiledEdge, pending: Action[] = [], serving?: string[]): EdgeConfig {
  const desired = buildDesiredState(resources, { hashKey: TEST_HASH_KEY });
  const ctx = endpointContext(desired, observedState(observedPods), pending);
  return bindEndpoints(compiled, { app: 't', endpoints: ctx, services: desired.services as Resource<Service>[], ...(serving ? { serving } : {}) });
}

describe('bindEndpoints', () => {
  const ps = pods(3, (i) => ({ ready: i !== 2 }));
  it.each([
    { name: 'ready pods by number, an unready one listed not ready', svc: service(), port: { number: 80 }, pods: ps, pending: [] as Action[], want: [['web-p0', 8080, true], ['web-p1', 8080, true], ['web-p2', 8080, false]] },
    { name: 'a Service port by name', svc: service(), port: { name: 'http' }, pods: ps, pending: [], want: [['web-p0', 8080, true], ['web-p1', 8080, true], ['web-p2', 8080, false]] },
    {
      name: 'a named targetPort per pod; a pod without it is no endpoint',
      svc: service({ ports: [{ name: 'http', port: 80, targetPort: 'web' }] }),
      port: { number: 80 },
      pods: [withNamedPort(ps[0]!, 8080), withNamedPort(ps[1]!, 9090), ps[2]!],
      pending: [],
      want: [['web-p0', 8080, true], ['web-p1', 9090, true]],
    },
    {
      name: 'a pod this plan deletes is out already (it drains before it stops)',
      svc: service(),
      port: { number: 80 },
      pods: ps,
      pending: [{ type: 'delete-pod', key: 'Deployment/default/web', namespace: 'default', name: 'web-p0', reason: 'scale down' }] as Action[],
      want: [['web-p1', 8080, true], ['web-p2', 8080, false]],
    },
    {
      name: 'publishNotReadyAddresses: every pod ready',
      svc: service({ publishNotReadyAddresses: true }),
      port: { number: 80 },
      pods: ps,
      pending: [],
      want: [['web-p0', 8080, true], ['web-p1', 8080, true], ['web-p2', 8080, true]],
    },
  ])('$name', ({ svc, port, pods: observed, pending, want }) => {
    const config = bind([web, svc], observed, table(port), pending);
    expect(config.backends).toHaveLength(1);
    expect(config.backends[0]!.invalid).toBeUndefined();
    expect(config.backends[0]!.service).toEqual({ namespace: 'default', name: 'web', port: 80 });
    expect(config.backends[0]!.endpoints.map((e) => [e.name, e.port, e.ready])).toEqual(want);
  });

  it.each([
    { name: 'no such Service', resources: [web], port: { number: 80 }, invalid: 'service default/web does not exist' },
    { name: 'no such port number', resources: [web, service()], port: { number: 81 }, invalid: 'service default/web has no TCP port 81' },
    { name: 'no such port name', resources: [web, service()], port: { name: 'grpc' }, invalid: 'service default/web has no TCP port grpc' },
    { name: 'an ExternalName Service', resources: [web, service({ type: 'ExternalName', externalName: 'example.com', selector: undefined })], port: { number: 80 }, invalid: 'service default/web is an ExternalName service; the edge routes to pods' },
  ])('an unresolvable backend stays, invalid: $name', ({ resources, port, invalid }) => {
    const b = bind(resources, ps, table(port)).backends[0]!;
    expect([b.invalid, b.endpoints]).toEqual([invalid, []]);
  });

  it('keeps hosts, routes and the catch-all; leaves certificates for the TLS step', () => {
    const catchAll = { routes: [{ id: 'Ingress/default/shop/default', path: { type: 'Prefix' as const, value: '/' }, backends: [{ backend: 'default/web:x', weight: 1 }] }] };
    const config = bind([web, service()], ps, table({ number: 80 }, { catchAll }));
    expect(config.app).toBe('t');
    expect(config.certificates).toEqual([]);
    expect(config.virtualHosts).toEqual([{ host: 'shop.test', listeners: ['http'], routes: table().virtualHosts[0]!.routes }]);
    expect(config.catchAll).toEqual(catchAll);
  });
});

// ---------------------------------------------------------------- planEdge

const NAME = edgeName(EDGE);

function compiled(edge: CompiledEdge | undefined, hosts: string[] = ['shop.test']): CompileResult {
  return {
    edge: edge ?? { virtualHosts: [], backends: [], certificates: [] },
    statuses: [{ object: 'Ingress/default/shop', ours: true, conditions: [], hosts }],
    notes: [],
  };
}

function applied(config: EdgeConfig, generation = 7) {
  const serving = [...new Set(config.backends.flatMap((b) => b.endpoints.filter((e) => e.ready).map((e) => e.name)))];
  return { generation, checksum: configChecksum('edge', generation, config), serving };
}

function observedEdge(over: Partial<ObservedEdge> = {}): ObservedEdge {
  return { containerId: 'edge-1', name: NAME, state: 'running', specHash: edgeSpecHash(EDGE), ports: { http: EDGE.httpPort, https: EDGE.httpsPort }, apps: {}, ...over };
}

function summary(actions: Action[]): string[] {
  return actions.flatMap((a) => {
    switch (a.type) {
      case 'create-edge':
        return [`create-edge ${a.edge.name}`];
      case 'write-edge':
        return [`write-edge ${a.name} after ${a.after} (${a.reason})${a.config.virtualHosts.length === 0 ? ' empty' : ''}`];
      case 'delete-edge':
        return [`delete-edge ${a.name}${a.volume ? ' +volume' : ''} (${a.reason})`];
      default:
        return [];
    }
  });
}

describe('planEdge', () => {
  const resources = [web, service()];
  const ps = pods(2);
  const current = bind(resources, ps, table());
  const stale = bind(resources, ps.slice(0, 1), table());

  it.each([
    { name: 'routes and no edge: create it', table: table(), edges: [] as ObservedEdge[], want: [`create-edge ${NAME}`] },
    { name: 'the edge runs this fragment: nothing', table: table(), edges: [observedEdge({ config: applied(current) })], want: [] },
    { name: 'an endpoint joined: the fragment is written after the applied generation', table: table(), edges: [observedEdge({ config: applied(stale) })], want: [`write-edge ${NAME} after 7 (web-p1 ready)`] },
    { name: 'a first fragment for an edge another app made', table: table(), edges: [observedEdge({ config: { generation: 0, checksum: null, serving: [] } })], want: [`write-edge ${NAME} after 0 (first configuration)`] },
    { name: 'a stopped edge is replaced (the volume stays)', table: table(), edges: [observedEdge({ state: 'exited' })], want: [`delete-edge ${NAME} (its container is exited; replacing it)`] },
    { name: 'a changed layout replaces it (the volume stays)', table: table(), edges: [observedEdge({ specHash: 'old', config: applied(current) })], want: [`delete-edge ${NAME} (its layout changed; replacing it)`] },
    { name: 'an edge of an older layout (label) is replaced', table: table(), edges: [observedEdge({ specHash: 'old', layout: EDGE_LAYOUT - 1, config: applied(current) })], want: [`delete-edge ${NAME} (its layout changed; replacing it)`] },
    {
      name: "a newer berth's edge is kept (no replace war between versions); this app's changed fragment is written into it",
      table: table(),
      edges: [observedEdge({ specHash: 'newer', layout: EDGE_LAYOUT + 1, config: applied(stale) })],
      want: [`write-edge ${NAME} after 7 (web-p1 ready)`],
    },
    {
      name: 'routes gone, no other app holds a host: the edge and its volume go',
      table: undefined,
      edges: [observedEdge({ config: applied(current), apps: { t: { hosts: ['shop.test'], conflicts: [] }, other: { hosts: [], conflicts: [] } } })],
      want: [`delete-edge ${NAME} +volume (no app routes through it any more)`],
    },
    {
      name: 'routes gone, another app still holds a host: this app empties its fragment',
      table: undefined,
      edges: [observedEdge({ config: applied(current), apps: { t: { hosts: ['shop.test'], conflicts: [] }, other: { hosts: ['b.test'], conflicts: [] } } })],
      want: [`write-edge ${NAME} after 7 (this app routes through it no more) empty`],
    },
    {
      // Removing the edge would drop that app's fragment too: the host it waits for would go unserved until its next pass.
      name: 'routes gone, another app waits for a host this app held: this app empties its fragment, the edge stays',
      table: undefined,
      edges: [observedEdge({ config: applied(current), apps: { t: { hosts: ['shop.test'], conflicts: [] }, other: { hosts: [], conflicts: [{ host: 'shop.test', heldBy: 't' }] } } })],
      want: [`write-edge ${NAME} after 7 (this app routes through it no more) empty`],
    },
    {
      name: 'routes gone, fragment already empty, others hold hosts: nothing',
      table: undefined,
      edges: [observedEdge({ config: applied(emptyFragment('t')), apps: { other: { hosts: ['b.test'], conflicts: [] } } })],
      want: [],
    },
    { name: 'no routes and no fragment in an edge: nothing', table: undefined, edges: [observedEdge({ config: { generation: 0, checksum: null, serving: [] }, apps: { other: { hosts: ['b.test'], conflicts: [] } } })], want: [] },
    { name: 'status unreadable: the edge is not removed, only emptied', table: undefined, edges: [observedEdge({ config: applied(current), apps: undefined })], want: [`write-edge ${NAME} after 7 (this app routes through it no more) empty`] },
    {
      name: 'the ports changed: a new edge, and this app leaves the old one (others still there)',
      table: table(),
      edges: [observedEdge({ name: 'berth-edge-80-443', containerId: 'old', config: applied(current), apps: { t: { hosts: ['shop.test'], conflicts: [] }, other: { hosts: ['b.test'], conflicts: [] } } })],
      want: [`create-edge ${NAME}`, 'write-edge berth-edge-80-443 after 7 (this app routes through it no more) empty'],
    },
  ])('$name', ({ table: t, edges, want }) => {
    const desired = buildDesiredState(resources, { hashKey: TEST_HASH_KEY });
    const step = planEdge(desired, observedState(ps, { edges }), [], { edge: EDGE, compiled: compiled(t) });
    expect(summary(step.actions)).toEqual(want);
  });

  it("a newer berth's edge: a warning says to upgrade this app's berth", () => {
    const desired = buildDesiredState(resources, { hashKey: TEST_HASH_KEY });
    const step = planEdge(desired, observedState(ps, { edges: [observedEdge({ specHash: 'newer', layout: EDGE_LAYOUT + 1, config: applied(current) })] }), [], { edge: EDGE, compiled: compiled(table()) });
    expect(step.actions).toEqual([]);
    expect(step.events.map((e) => `${e.reason}: ${e.message}`)).toEqual([
      `EdgeNewer: edge ${NAME} was made by a newer berth (edge layout ${EDGE_LAYOUT + 1}, this berth's ${EDGE_LAYOUT}); it is kept and this app's routes are written into it: upgrade this app's berth`,
    ]);
  });

  it('creates the edge with this fragment, named after its ports', () => {
    const desired = buildDesiredState(resources, { hashKey: TEST_HASH_KEY });
    const a = planEdge(desired, observedState(ps, { edges: [] }), [], { edge: EDGE, compiled: compiled(table()) }).actions[0]!;
    expect(a.type === 'create-edge' && { name: a.edge.name, ports: a.edge.ports, hosts: a.edge.config.virtualHosts.map((v) => v.host) }).toEqual({ name: 'berth-edge-18080-18443', ports: { http: 18080, https: 18443 }, hosts: ['shop.test'] });
  });

  it('a host another app holds is reported on the objects that asked for it', () => {
    const desired = buildDesiredState(resources, { hashKey: TEST_HASH_KEY });
    const edges = [observedEdge({ config: applied(current), apps: { t: { hosts: [], conflicts: [{ host: 'shop.test', heldBy: 'other' }] } } })];
    const step = planEdge(desired, observedState(ps, { edges }), [], { edge: EDGE, compiled: compiled(table()) });
    expect(step.events).toEqual([{ key: 'Ingress/default/shop', type: 'Warning', reason: 'HostConflict', message: `host shop.test is held by app other on edge ${NAME}; this app's routes for it are not served` }]);
  });

  it('fragment writes run before pod deletions, creation before pods, removal after', () => {
    expect(ACTION_PHASE['write-edge']).toBeLessThan(ACTION_PHASE['delete-pod']);
    expect(ACTION_PHASE['create-edge']).toBeLessThan(ACTION_PHASE['create-pod']);
    expect(ACTION_PHASE['delete-edge']).toBeGreaterThan(ACTION_PHASE['delete-pod']);
  });
});

// ---------------------------------------------------------------- TLS certificates

describe('bindCertificates', () => {
  const first = selfSigned('shop.test');
  const second = selfSigned('shop.test');
  const KEY = first.key;
  const CRT = first.crt;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const tlsSecret = (name: string, data: Record<string, string>) => res({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, type: 'kubernetes.io/tls', data });
  const withTls = (secret = 'tls'): CompiledEdge => ({
    ...table(),
    virtualHosts: [{ ...table().virtualHosts[0]!, listeners: ['http', 'https'], certificate: `Secret/default/${secret}`, redirectToHttps: true }],
    certificates: [{ id: `Secret/default/${secret}`, secret: { namespace: 'default', name: secret } }],
  });
  const pem = `${KEY.trim()}\n${CRT.trim()}\n`;
  const id = `sha256:${createHash('sha256').update(pem).digest('hex')}`;

  it.each([
    { name: 'a tls Secret: key then chain, named by its hash, mode 0600', secrets: [tlsSecret('tls', { 'tls.crt': b64(CRT), 'tls.key': b64(KEY) })], cert: id, files: [[`certs/sha256-${id.slice(7)}.pem`, pem, 0o600]], missing: [] },
    { name: 'no such Secret: the host gets no certificate', secrets: [], cert: undefined, files: [], missing: [{ source: 'Secret/default/tls', why: 'no such Secret in the revision' }] },
    { name: 'a Secret without tls.key', secrets: [tlsSecret('tls', { 'tls.crt': b64(CRT) })], cert: undefined, files: [], missing: [{ source: 'Secret/default/tls', why: 'it needs both tls.crt and tls.key' }] },
    { name: 'a key of another certificate', secrets: [tlsSecret('tls', { 'tls.crt': b64(CRT), 'tls.key': b64(second.key) })], cert: undefined, files: [], missing: [{ source: 'Secret/default/tls', why: "tls.key is not the private key of tls.crt's first certificate" }] },
  ])('$name', ({ secrets, cert, files, missing }) => {
    const desired = buildDesiredState([web, service(), ...secrets], { hashKey: TEST_HASH_KEY });
    const bound = bindCertificates(withTls(), desired.configs.secrets);
    expect(bound.files.map((f) => [f.path, f.content, f.mode])).toEqual(files);
    expect(bound.missing).toEqual(missing);
    const config = bindEndpoints(withTls(), { app: 't', endpoints: endpointContext(desired, observedState([]), []), services: desired.services as Resource<Service>[], certificates: bound });
    expect(config.virtualHosts[0]!.certificate).toBe(cert);
    expect(config.certificates).toEqual(cert ? [{ id: cert, source: 'Secret/default/tls' }] : []);
  });

  it('a changed Secret is a new file and a new id: the fragment changes, so it is written again', () => {
    const ps = pods(1);
    const at = (crt: string) => {
      const desired = buildDesiredState([web, service(), tlsSecret('tls', { 'tls.crt': b64(crt), 'tls.key': b64(KEY) })], { hashKey: TEST_HASH_KEY });
      return { desired, step: (edges: ObservedEdge[]) => planEdge(desired, observedState(ps, { edges }), [], { edge: EDGE, compiled: compiled(withTls()) }) };
    };
    const created = at(CRT).step([]).actions[0]!;
    if (created.type !== 'create-edge') throw new Error('expected create-edge');
    expect(created.edge.files).toHaveLength(1);
    const running = [observedEdge({ config: applied(created.edge.config) })];
    expect(at(CRT).step(running).actions).toEqual([]);
    const renewedPair = selfSigned('shop.test');
    const renewed = planEdge(
      buildDesiredState([web, service(), tlsSecret('tls', { 'tls.crt': b64(renewedPair.crt), 'tls.key': b64(renewedPair.key) })], { hashKey: TEST_HASH_KEY }),
      observedState(ps, { edges: running }),
      [],
      { edge: EDGE, compiled: compiled(withTls()) },
    ).actions[0]!;
    expect(renewed.type === 'write-edge' && [renewed.files.length, renewed.config.virtualHosts[0]!.certificate !== created.edge.config.virtualHosts[0]!.certificate]).toEqual([1, true]);
  });
});

describe('planEdge: what the edge reports', () => {
  const inUse = 'EADDRINUSE: listen EADDRINUSE: address already in use :::18080';
  const listenText = 'the edge cannot listen on TCP/18080: EADDRINUSE; free the port or choose --edge-http-port';
  it.each<{ name: string; edge: Partial<ObservedEdge>; written?: boolean; want: string[][]; waits: string[] }>([
    {
      name: 'a refused fragment',
      edge: { apps: { t: { hosts: [], conflicts: [], errors: [{ code: 'INVALID', message: 'payload.app: must be a DNS-1123 label' }] } } },
      want: [[`Edge//${NAME}`, 'EdgeRejected', `edge ${NAME} refused this app's routes (INVALID): payload.app: must be a DNS-1123 label; it serves the last ones it accepted`]],
      waits: [],
    },
    {
      // On the route objects (describe ingress shows it) and a wait (--wait fails with the port and the fix).
      name: 'a port it cannot listen on',
      edge: { apps: {}, errors: [{ code: 'LISTEN_FAILED', message: `cannot listen on TCP/18080: ${inUse}` }], listening: [{ name: 'http', port: 18080, state: 'failed', error: inUse }, { name: 'https', port: 18443, state: 'listening' }] },
      want: [['Ingress/default/shop', 'EdgeListenFailed', `edge ${NAME}: ${listenText}; this app's routes are not served until it listens (it retries every 2 s)`]],
      waits: [`Edge//${NAME} edge ${listenText} (it retries every 2 s)`],
    },
    {
      name: 'the https port, with an error without a code',
      edge: { listening: [{ name: 'https', port: 18443, state: 'failed', error: 'listen failed' }] },
      want: [['Ingress/default/shop', 'EdgeListenFailed', `edge ${NAME}: the edge cannot listen on TCP/18443: listen failed; free the port or choose --edge-https-port; this app's routes are not served until it listens (it retries every 2 s)`]],
      waits: [`Edge//${NAME} edge the edge cannot listen on TCP/18443: listen failed; free the port or choose --edge-https-port (it retries every 2 s)`],
    },
    { name: 'before the first attempt', edge: { listening: [{ name: 'http', port: 18080, state: 'failed', error: 'not started' }] }, want: [], waits: [] },
    { name: 'a stopped edge reports nothing to wait on here (it is replaced)', edge: { state: 'exited', listening: [{ name: 'http', port: 18080, state: 'failed', error: inUse }] }, want: [], waits: [] },
    {
      name: 'written, not applied yet',
      edge: { acknowledged: 7 },
      written: true,
      want: [],
      waits: [`Edge//${NAME} edge the edge has not applied this app's routes yet (generation 9, it runs 7)`],
    },
    { name: 'nothing wrong', edge: { apps: { t: { hosts: ['shop.test'], conflicts: [], errors: [] } }, errors: [], listening: [{ name: 'http', port: 18080, state: 'listening' }], acknowledged: 0 }, want: [], waits: [] },
  ])('$name', ({ edge, written, want, waits }) => {
    const desired = buildDesiredState([web, service()], { hashKey: TEST_HASH_KEY });
    const at = (edges: ObservedEdge[]) => planEdge(desired, observedState(pods(1), { edges }), [], { edge: EDGE, compiled: compiled(table()) });
    const made = at([]).actions[0]!;
    if (made.type !== 'create-edge') throw new Error('expected create-edge');
    // This process wrote generation 9 (the same fragment): the edge has yet to apply it.
    const step = at([observedEdge({ ...edge, ...(written ? { config: applied(made.edge.config, 9) } : {}) })]);
    const edgeActions = step.actions.filter((a) => a.key === `Edge//${NAME}`);
    expect(step.events.map((e) => [e.key, e.reason, e.message])).toEqual(want);
    expect(step.events.every((e) => e.type === 'Warning')).toBe(true);
    // A pending write settles first: the waits are for an edge with nothing left to do.
    expect(edgeActions.length ? [] : step.waits.map((w) => `${w.key} ${w.kind} ${w.message}`)).toEqual(waits);
    expect(step.waits.every((w) => !w.blocking)).toBe(true);
  });
});

describe('planEdge: what the route compiler noticed becomes events on the objects', () => {
  it.each<{ name: string; docs: Resource[]; want: string[] }>([
    {
      name: 'an Ingress of another controller\'s class',
      docs: [ingressClass('nginx', 'k8s.io/ingress-nginx'), ingress('web', { ingressClassName: 'nginx', rules: [rule('shop.test', ipath('/', 'Prefix', 'web'))] })],
      want: [expect.stringMatching(/^Ingress\/default\/web Normal NotOurs not served by berth: /) as unknown as string],
    },
    {
      name: 'a route another Ingress shadows, and a backend that does not resolve',
      docs: [
        ingress('a', { rules: [rule('shop.test', ipath('/', 'Prefix', 'web'))] }),
        ingress('b', { rules: [rule('shop.test', ipath('/', 'Prefix', 'web'), ipath('/x', 'Prefix', 'nope'))] }),
      ],
      want: [
        'Ingress/default/b Warning BackendNotFound spec.rules[0].http.paths[1]: Service default/nope is not defined in this revision; requests routed to it answer 500',
        'Ingress/default/b Warning RouteShadowed on host shop.test, Prefix path / is also routed by Ingress/default/a, which takes precedence (older, or first by namespace/name); this route is never used',
      ],
    },
    { name: 'nothing to say', docs: [ingress('a', { rules: [rule('shop.test', ipath('/', 'Prefix', 'web'))] })], want: [] },
  ])('$name', ({ docs, want }) => {
    const resources = [web, service(), ...docs];
    const desired = buildDesiredState(resources, { hashKey: TEST_HASH_KEY });
    const step = planEdge(desired, observedState(pods(1)), [], { edge: EDGE, compiled: compileRoutes(resources, { ports: { http: EDGE.httpPort, https: EDGE.httpsPort } }) });
    expect(step.events.map((e) => `${e.key} ${e.type} ${e.reason} ${e.message}`)).toEqual(want);
  });
});
