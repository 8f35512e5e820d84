import { describe, expect, it } from 'vitest';
import { resolveKindAlias } from '../../src/model/kinds.js';
import { parseGoDuration } from '../../src/model/go-duration.js';
import type { Finding } from './support.js';
import { selfSigned } from '../support/tls.js';
import { at, findings as allFindings, validate } from './support.js';

const findings = (map: Record<string, string | Buffer>): Finding[] => allFindings(map);

// The edge's eight kinds (issue 16, step 1): validated as their API servers (Kubernetes, the
// Gateway API CRDs, cert-manager's webhook) validate them; references across the revision
// warned of as Kubernetes would accept them. Positions: f.yaml, 1-based line and column.

const SVC = ['apiVersion: v1', 'kind: Service', 'metadata: {name: web}', 'spec:', '  ports: [{name: http, port: 80}]'].join('\n');
const PAIR = selfSigned('shop.example.com');
const OTHER = selfSigned('other.example.com');
const block = (pem: string) => pem.trim().split('\n').map((l) => `    ${l}`).join('\n');
const tlsSecret = (crt: string, key: string) => ['apiVersion: v1', 'kind: Secret', 'metadata: {name: web-tls}', 'type: kubernetes.io/tls', 'stringData:', '  tls.crt: |', block(crt), '  tls.key: |', block(key)].join('\n');
const TLS_SECRET = tlsSecret(PAIR.crt, PAIR.key);

/** An Ingress `web`; `spec` lines are written at indentation 2 from line 5. */
function ingress(spec: string, meta = ''): string {
  return ['apiVersion: networking.k8s.io/v1', 'kind: Ingress', `metadata: {name: web${meta}}`, 'spec:', ...spec.split('\n').map((l) => `  ${l}`)].join('\n');
}

/** One rule for shop.example.com with one path (lines 5–8; the path entry on line 8). */
function rule(path: string, backend = '{service: {name: web, port: {number: 80}}}'): string {
  return ['rules:', '- host: shop.example.com', '  http:', `    paths: [{${path}backend: ${backend}}]`].join('\n');
}

/** An HTTPRoute `r` attached to Gateway `gw`; `rules` lines from line 7 at indentation 2. */
function route(rules: string, extra = ''): string {
  return ['apiVersion: gateway.networking.k8s.io/v1', 'kind: HTTPRoute', 'metadata: {name: r}', 'spec:', '  parentRefs: [{name: gw}]', `  hostnames: [api.example.com]${extra}`, ...rules.split('\n').map((l) => `  ${l}`)].join('\n');
}
const GATEWAY = ['apiVersion: gateway.networking.k8s.io/v1', 'kind: Gateway', 'metadata: {name: gw}', 'spec:', '  gatewayClassName: berth', '  listeners: [{name: http, protocol: HTTP, port: 80}]'].join('\n');
const GATEWAY_CLASS = ['apiVersion: gateway.networking.k8s.io/v1', 'kind: GatewayClass', 'metadata: {name: berth}', 'spec: {controllerName: berth.dev/gateway-controller}'].join('\n');

function revision(...docs: string[]): Record<string, string> {
  return { 'f.yaml': docs.join('\n---\n') };
}

describe('Ingress', () => {
  it.each([
    { name: 'a Prefix path to a Service port by number', docs: [ingress(rule('path: /, pathType: Prefix, ')), SVC], want: [] },
    { name: 'Exact, and a port by name', docs: [ingress(rule('path: /a/b, pathType: Exact, ', '{service: {name: web, port: {name: http}}}')), SVC], want: [] },
    { name: 'ImplementationSpecific without a path', docs: [ingress(rule('pathType: ImplementationSpecific, ')), SVC], want: [] },
    { name: 'a defaultBackend alone', docs: [ingress('defaultBackend: {service: {name: web, port: {number: 80}}}'), SVC], want: [] },
    { name: 'a one-label wildcard host', docs: [ingress(rule('path: /, pathType: Prefix, ').replace('shop.example.com', '"*.example.com"')), SVC], want: [] },
    { name: 'pathType is required in v1', docs: [ingress(rule('path: /, ')), SVC], want: [at(8, 16, 'missing-field', 'spec.rules[0].http.paths[0]')] },
    { name: 'pathType outside the enumeration', docs: [ingress(rule('path: /, pathType: Regex, ')), SVC], want: [at(8, 35, 'invalid-value', 'spec.rules[0].http.paths[0].pathType')] },
    { name: 'a path must start with /', docs: [ingress(rule('path: api, pathType: Prefix, ')), SVC], want: [at(8, 22, 'invalid-route-path', 'spec.rules[0].http.paths[0].path')] },
    { name: 'an ImplementationSpecific path must start with / too', docs: [ingress(rule('path: api, pathType: ImplementationSpecific, ')), SVC], want: [at(8, 22, 'invalid-route-path', 'spec.rules[0].http.paths[0].path')] },
    { name: 'no // in a Prefix path', docs: [ingress(rule('path: /a//b, pathType: Prefix, ')), SVC], want: [at(8, 22, 'invalid-route-path', 'spec.rules[0].http.paths[0].path')] },
    { name: 'an Exact path needs a path', docs: [ingress(rule('pathType: Exact, ')), SVC], want: [at(8, 16, 'missing-field', 'spec.rules[0].http.paths[0].pathType')] },
    { name: 'a wildcard only as the first label', docs: [ingress(rule('path: /, pathType: Prefix, ').replace('shop.example.com', '"shop.*.com"')), SVC], want: [at(6, 11, 'invalid-host', 'spec.rules[0].host')] },
    { name: 'a host is not an IP address', docs: [ingress(rule('path: /, pathType: Prefix, ').replace('shop.example.com', '10.0.0.1')), SVC], want: [at(6, 11, 'invalid-host', 'spec.rules[0].host')] },
    { name: 'a port needs a number or a name', docs: [ingress(rule('path: /, pathType: Prefix, ', '{service: {name: web}}')), SVC], want: [at(8, 53, 'missing-field', 'spec.rules[0].http.paths[0].backend.service')] },
    {
      name: 'a port is a number or a name, not both',
      docs: [ingress(rule('path: /, pathType: Prefix, ', '{service: {name: web, port: {name: http, number: 80}}}')), SVC],
      want: [at(8, 74, 'invalid-value', 'spec.rules[0].http.paths[0].backend.service.port')],
    },
    { name: 'a service name is a DNS-1035 label', docs: [ingress('defaultBackend: {service: {name: 1web, port: {number: 80}}}')], want: [at(5, 36, 'invalid-name', 'spec.defaultBackend.service.name'), at(5, 36, 'edge-missing-reference', 'spec.defaultBackend.service.name', 'warning')] },
    { name: 'rules or a defaultBackend', docs: [ingress('ingressClassName: berth')], want: [at(4, 1, 'missing-field', 'spec')] },
    { name: 'a missing Service is a warning: Kubernetes accepts it', docs: [ingress(rule('path: /, pathType: Prefix, '))], want: [at(8, 69, 'edge-missing-reference', 'spec.rules[0].http.paths[0].backend.service.name', 'warning')] },
    { name: 'a port the Service lacks', docs: [ingress(rule('path: /, pathType: Prefix, ', '{service: {name: web, port: {number: 8080}}}')), SVC], want: [at(8, 89, 'unknown-backend-port', 'spec.rules[0].http.paths[0].backend.service.port.number', 'warning')] },
    { name: 'a port name the Service lacks', docs: [ingress(rule('path: /, pathType: Prefix, ', '{service: {name: web, port: {name: grpc}}}')), SVC], want: [at(8, 87, 'unknown-backend-port', 'spec.rules[0].http.paths[0].backend.service.port.name', 'warning')] },
    {
      name: 'a TLS Secret the revision lacks',
      docs: [ingress(`tls: [{hosts: [shop.example.com], secretName: web-tls}]\n${rule('path: /, pathType: Prefix, ')}`), SVC],
      want: [at(5, 49, 'edge-missing-reference', 'spec.tls[0].secretName', 'warning')],
    },
    { name: 'a TLS Secret of the revision', docs: [ingress(`tls: [{hosts: [shop.example.com], secretName: web-tls}]\n${rule('path: /, pathType: Prefix, ')}`), SVC, TLS_SECRET], want: [] },
    {
      name: 'a TLS Secret whose key is another certificate\'s',
      docs: [ingress(`tls: [{hosts: [shop.example.com], secretName: web-tls}]\n${rule('path: /, pathType: Prefix, ')}`), SVC, tlsSecret(PAIR.crt, OTHER.key)],
      want: [at(5, 49, 'tls-secret-unusable', 'spec.tls[0].secretName', 'warning')],
    },
    {
      name: 'a TLS Secret an issuer annotation will make',
      docs: [ingress(`tls: [{hosts: [shop.example.com], secretName: web-tls}]\n${rule('path: /, pathType: Prefix, ')}`, ', annotations: {cert-manager.io/cluster-issuer: le}'), SVC],
      want: [],
    },
    { name: 'a TLS host is a host too', docs: [ingress(`tls: [{hosts: ["*"], secretName: web-tls}]\n${rule('path: /, pathType: Prefix, ')}`), SVC, TLS_SECRET], want: [at(5, 18, 'invalid-host', 'spec.tls[0].hosts[0]')] },
    { name: 'an IngressClass the revision lacks', docs: [ingress(`ingressClassName: nginx\n${rule('path: /, pathType: Prefix, ')}`), SVC], want: [at(5, 21, 'edge-missing-reference', 'spec.ingressClassName', 'warning')] },
    { name: 'class berth is built in', docs: [ingress(`ingressClassName: berth\n${rule('path: /, pathType: Prefix, ')}`), SVC], want: [] },
    {
      name: 'ingress-nginx annotations are named as not read',
      docs: [ingress(rule('path: /, pathType: Prefix, '), ', annotations: {nginx.ingress.kubernetes.io/rewrite-target: /, nginx.ingress.kubernetes.io/ssl-redirect: "false"}'), SVC],
      want: [at(3, 37, 'ingress-annotation-ignored', 'metadata.annotations["nginx.ingress.kubernetes.io/rewrite-target"]', 'warning')],
    },
    { name: 'an unknown field: did you mean', docs: [ingress(rule('path: /, pathTyp: Prefix, ')), SVC], want: [at(8, 16, 'missing-field', 'spec.rules[0].http.paths[0]'), at(8, 25, 'unknown-field', 'spec.rules[0].http.paths[0].pathTyp')] },
    { name: 'a resource backend is named as not routed', docs: [ingress('defaultBackend: {resource: {kind: Bucket, name: b}}')], want: [at(5, 20, 'unimplemented-field', 'spec.defaultBackend.resource', 'warning')] },
  ])('$name', ({ docs, want }) => {
    expect(findings(revision(...docs))).toEqual(want);
  });

  it('extensions/v1beta1 and networking.k8s.io/v1beta1 are converted as the API server did', () => {
    const legacy = (apiVersion: string) =>
      [`apiVersion: ${apiVersion}`, 'kind: Ingress', 'metadata: {name: web}', 'spec:', '  backend: {serviceName: web, servicePort: 80}', '  rules:', '  - host: shop.example.com', '    http:', '      paths: [{path: /api, backend: {serviceName: web, servicePort: http}}]'].join('\n');
    for (const apiVersion of ['extensions/v1beta1', 'networking.k8s.io/v1beta1']) {
      const result = validate(revision(legacy(apiVersion), SVC));
      expect(result.problems.map((p) => [p.line, p.column, p.code])).toEqual([[1, 13, 'deprecated-api-version']]);
      expect(result.resources.find((x) => x.object.kind === 'Ingress')?.object).toMatchObject({
        apiVersion: 'networking.k8s.io/v1',
        spec: {
          defaultBackend: { service: { name: 'web', port: { number: 80 } } },
          rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/api', pathType: 'ImplementationSpecific', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }],
        },
      });
    }
  });

  it('an unknown field says what was meant', () => {
    const p = validate(revision(ingress(rule('path: /, pathTyp: Prefix, ')), SVC)).problems.find((x) => x.code === 'unknown-field');
    expect(p?.message).toContain('pathType');
  });
});

describe('Gateway API', () => {
  const backend = (extra = '') => `backendRefs: [{name: web, port: 80${extra}}]`;
  it.each([
    { name: 'a class, a Gateway and a route to a Service', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- matches: [{path: {type: PathPrefix, value: /api}}]\n  ${backend(', weight: 90')}`), SVC], want: [] },
    { name: 'a match defaults to PathPrefix /', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- ${backend()}`), SVC], want: [] },
    {
      name: 'controllerName is a domain-prefixed path',
      docs: [GATEWAY_CLASS.replace('berth.dev/gateway-controller', 'berth'), GATEWAY],
      want: [at(4, 24, 'invalid-value', 'spec.controllerName')],
    },
    { name: 'a Gateway of a class the revision lacks', docs: [GATEWAY], want: [at(5, 21, 'edge-missing-reference', 'spec.gatewayClassName', 'warning')] },
    {
      name: 'listener names are unique',
      docs: [GATEWAY_CLASS, GATEWAY.replace('port: 80}]', 'port: 80}, {name: http, protocol: HTTP, port: 8080}]')],
      want: [at(11, 62, 'invalid-value', 'spec.listeners[1].name')],
    },
    {
      name: 'HTTPS needs tls; a TCP listener is not served',
      docs: [GATEWAY_CLASS, GATEWAY.replace('[{name: http, protocol: HTTP, port: 80}]', '[{name: https, protocol: HTTPS, port: 443}, {name: db, protocol: TCP, port: 5432}]')],
      want: [at(11, 29, 'missing-field', 'spec.listeners[0].protocol'), at(11, 79, 'unsupported-route-feature', 'spec.listeners[1].protocol', 'warning')],
    },
    {
      name: 'a TLS certificate Secret the revision lacks',
      docs: [GATEWAY_CLASS, GATEWAY.replace('[{name: http, protocol: HTTP, port: 80}]', '[{name: https, protocol: HTTPS, port: 443, tls: {certificateRefs: [{name: web-tls}]}}]')],
      want: [at(11, 88, 'edge-missing-reference', 'spec.listeners[0].tls.certificateRefs[0].name', 'warning')],
    },
    { name: 'a listener hostname wildcard in the middle', docs: [GATEWAY_CLASS, GATEWAY.replace('port: 80}', 'port: 80, hostname: "a.*.com"}')], want: [at(11, 64, 'invalid-host', 'spec.listeners[0].hostname')] },
    { name: 'a route to a missing Gateway', docs: [route(`rules:\n- ${backend()}`), SVC], want: [at(5, 23, 'edge-missing-reference', 'spec.parentRefs[0].name', 'warning')] },
    { name: 'a sectionName the Gateway lacks', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- ${backend()}`).replace('{name: gw}', '{name: gw, sectionName: https}'), SVC], want: [at(17, 40, 'edge-missing-reference', 'spec.parentRefs[0].sectionName', 'warning')] },
    { name: 'a hostname that is an IP address', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- ${backend()}`).replace('[api.example.com]', '[10.1.2.3]'), SVC], want: [at(18, 15, 'invalid-host', 'spec.hostnames[0]')] },
    { name: 'a path value must start with /', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- matches: [{path: {type: Exact, value: api}}]\n  ${backend()}`), SVC], want: [at(20, 43, 'invalid-route-path', 'spec.rules[0].matches[0].path.value')] },
    { name: 'a regular-expression match is not served', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- matches: [{path: {type: RegularExpression, value: "/a.*"}}]\n  ${backend()}`), SVC], want: [at(20, 29, 'unsupported-route-feature', 'spec.rules[0].matches[0].path.type', 'warning')] },
    {
      name: 'a header matched twice in one match',
      docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- matches: [{headers: [{name: X-A, value: "1"}, {name: x-a, value: "2"}]}]\n  ${backend()}`), SVC],
      want: [at(20, 58, 'invalid-value', 'spec.rules[0].matches[0].headers[1].name')],
    },
    { name: 'a backend weight above 1000000', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- ${backend(', weight: 1000001')}`), SVC], want: [at(20, 49, 'invalid-value', 'spec.rules[0].backendRefs[0].weight')] },
    { name: 'a Service backend needs a port', docs: [GATEWAY_CLASS, GATEWAY, route('rules:\n- backendRefs: [{name: web}]'), SVC], want: [at(20, 20, 'missing-field', 'spec.rules[0].backendRefs[0].name')] },
    { name: 'a backend to a missing Service', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- ${backend()}`)], want: [at(20, 26, 'edge-missing-reference', 'spec.rules[0].backendRefs[0].name', 'warning')] },
    { name: 'a backend in another namespace needs a ReferenceGrant', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- ${backend(', namespace: other')}`), SVC], want: [at(20, 52, 'unsupported-route-feature', 'spec.rules[0].backendRefs[0].namespace', 'warning')] },
    {
      name: 'a redirect beside backendRefs',
      docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]\n  ${backend()}`), SVC],
      want: [at(21, 5, 'invalid-value', 'spec.rules[0].backendRefs')],
    },
    {
      name: 'a redirect and a rewrite in one rule',
      docs: [GATEWAY_CLASS, GATEWAY, route('rules:\n- filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}, {type: URLRewrite, urlRewrite: {hostname: b.example.com}}]')],
      want: [at(20, 81, 'invalid-value', 'spec.rules[0].filters[1].type')],
    },
    { name: 'a filter needs the field of its type', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- filters: [{type: URLRewrite}]\n  ${backend()}`), SVC], want: [at(20, 16, 'missing-field', 'spec.rules[0].filters[0].type')] },
    {
      name: 'a filter must not set the field of another type',
      docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- filters: [{type: URLRewrite, urlRewrite: {hostname: a.example.com}, requestRedirect: {scheme: https}}]\n  ${backend()}`), SVC],
      want: [at(20, 73, 'invalid-value', 'spec.rules[0].filters[0].requestRedirect')],
    },
    { name: 'a mirror filter is not served', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- filters: [{type: RequestMirror, requestMirror: {backendRef: {name: web, port: 80}}}]\n  ${backend()}`), SVC], want: [at(20, 22, 'unsupported-route-feature', 'spec.rules[0].filters[0].type', 'warning')] },
    {
      name: 'ReplacePrefixMatch needs a PathPrefix match',
      docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- matches: [{path: {type: Exact, value: /a}}]\n  filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}}]\n  ${backend()}`), SVC],
      want: [at(21, 53, 'invalid-value', 'spec.rules[0].filters[0].urlRewrite.path')],
    },
    {
      name: 'a header modifier names each header once',
      docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-A, value: "1"}], remove: [x-a]}}]\n  ${backend()}`), SVC],
      want: [at(20, 110, 'invalid-value', 'spec.rules[0].filters[0].requestHeaderModifier.remove[0]')],
    },
    { name: 'timeouts in the Gateway API duration form', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- ${backend()}\n  timeouts: {request: 30s, backendRequest: 1m}`), SVC], want: [at(21, 46, 'invalid-value', 'spec.rules[0].timeouts.backendRequest')] },
    { name: 'a timeout not in that form', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- ${backend()}\n  timeouts: {request: 1.5s}`), SVC], want: [at(21, 25, 'invalid-value', 'spec.rules[0].timeouts.request')] },
    { name: 'a retry policy is named as not run', docs: [GATEWAY_CLASS, GATEWAY, route(`rules:\n- ${backend()}\n  retry: {attempts: 2}`), SVC], want: [at(21, 5, 'unimplemented-field', 'spec.rules[0].retry', 'warning')] },
    { name: 'gateway.networking.k8s.io/v1beta1 is read as v1', docs: [GATEWAY_CLASS.replace('/v1', '/v1beta1')], want: [at(1, 13, 'deprecated-api-version', 'apiVersion', 'warning')] },
  ])('$name', ({ docs, want }) => {
    expect(findings(revision(...docs))).toEqual(want);
  });
});

/** A ClusterIssuer `le`; `acme` lines at indentation 4 from line 6. */
function issuer(acme: string, kind = 'ClusterIssuer'): string {
  return ['apiVersion: cert-manager.io/v1', `kind: ${kind}`, 'metadata: {name: le}', 'spec:', '  acme:', ...acme.split('\n').map((l) => `    ${l}`)].join('\n');
}
const ACME = 'server: https://acme.example/dir\nemail: ops@example.com\nprivateKeySecretRef: {name: le-account}\nsolvers: [{http01: {ingress: {ingressClassName: berth}}}]';

/** A Certificate `api`; `spec` lines at indentation 2 from line 5. */
function certificate(spec: string): string {
  return ['apiVersion: cert-manager.io/v1', 'kind: Certificate', 'metadata: {name: api}', 'spec:', ...spec.split('\n').map((l) => `  ${l}`)].join('\n');
}
const CERT = 'secretName: api-tls\ndnsNames: [api.example.com]\nissuerRef: {name: le, kind: ClusterIssuer}';

describe('cert-manager', () => {
  const PEM = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
  it.each([
    { name: 'an ACME ClusterIssuer and a Certificate of it', docs: [issuer(ACME), certificate(CERT)], want: [] },
    { name: 'an Issuer of the namespace', docs: [issuer(ACME, 'Issuer'), certificate(CERT.replace(', kind: ClusterIssuer', ''))], want: [] },
    { name: 'caBundle is base64 PEM', docs: [issuer(`${ACME}\ncaBundle: ${PEM}`)], want: [] },
    { name: 'caBundle and skipTLSVerify are mutually exclusive', docs: [issuer(`${ACME}\ncaBundle: ${PEM}\nskipTLSVerify: true`)], want: [at(11, 5, 'invalid-value', 'spec.acme.skipTLSVerify')] },
    { name: 'caBundle must decode to PEM', docs: [issuer(`${ACME}\ncaBundle: bm90IGEgY2VydA==`)], want: [at(10, 15, 'invalid-value', 'spec.acme.caBundle')] },
    { name: 'server is required', docs: [issuer(ACME.replace('server: https://acme.example/dir\n', ''))], want: [at(5, 3, 'missing-field', 'spec.acme.server')] },
    { name: 'server is a URL', docs: [issuer(ACME.replace('https://acme.example/dir', 'acme.example'))], want: [at(6, 13, 'invalid-value', 'spec.acme.server')] },
    { name: 'email is an address', docs: [issuer(ACME.replace('ops@example.com', 'ops'))], want: [at(7, 12, 'invalid-value', 'spec.acme.email')] },
    { name: 'privateKeySecretRef is required', docs: [issuer(ACME.replace('privateKeySecretRef: {name: le-account}\n', ''))], want: [at(5, 3, 'missing-field', 'spec.acme.privateKeySecretRef')] },
    { name: 'a solver needs a type', docs: [issuer(ACME.replace('[{http01: {ingress: {ingressClassName: berth}}}]', '[{selector: {dnsNames: [a.example.com]}}]'))], want: [at(9, 15, 'missing-field', 'spec.acme.solvers[0]')] },
    {
      name: 'one of class, ingressClassName and name',
      docs: [issuer(ACME.replace('{ingressClassName: berth}', '{ingressClassName: berth, class: nginx}'))],
      want: [at(9, 35, 'invalid-value', 'spec.acme.solvers[0].http01.ingress.ingressClassName')],
    },
    { name: 'dns01 is named as not run', docs: [issuer(ACME.replace('[{http01: {ingress: {ingressClassName: berth}}}]', '[{dns01: {cloudflare: {}}}]'))], want: [at(9, 16, 'unimplemented-field', 'spec.acme.solvers[0].dns01', 'warning')] },
    { name: 'an issuer needs a type', docs: ['apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: x}\nspec: {}'], want: [at(4, 1, 'missing-field', 'spec')] },
    { name: 'a selfSigned issuer is named as not run', docs: ['apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: x}\nspec: {selfSigned: {}}'], want: [at(4, 8, 'unsupported-route-feature', 'spec.selfSigned', 'warning')] },
    { name: 'a Certificate needs secretName and issuerRef', docs: [certificate('dnsNames: [a.example.com]')], want: [at(4, 1, 'missing-field', 'spec.secretName'), at(4, 1, 'missing-field', 'spec.issuerRef')] },
    { name: 'a Certificate needs names', docs: [issuer(ACME), certificate(CERT.replace('dnsNames: [api.example.com]\n', ''))], want: [at(14, 1, 'missing-field', 'spec')] },
    { name: 'a wildcard name needs DNS-01', docs: [issuer(ACME), certificate(CERT.replace('api.example.com', '"*.example.com"'))], want: [at(16, 14, 'unsupported-route-feature', 'spec.dnsNames[0]', 'warning')] },
    { name: 'an invalid DNS name', docs: [issuer(ACME), certificate(CERT.replace('api.example.com', 'api_x.example.com'))], want: [at(16, 14, 'invalid-host', 'spec.dnsNames[0]')] },
    { name: 'an Issuer the revision lacks', docs: [certificate(CERT)], want: [at(7, 21, 'edge-missing-reference', 'spec.issuerRef.name', 'warning')] },
    { name: 'an Issuer lives in the namespace: a ClusterIssuer of that name does not count', docs: [issuer(ACME), certificate(CERT.replace(', kind: ClusterIssuer', ''))], want: [at(17, 21, 'edge-missing-reference', 'spec.issuerRef.name', 'warning')] },
    { name: 'issuerRef.kind is Issuer or ClusterIssuer', docs: [issuer(ACME), certificate(CERT.replace('ClusterIssuer', 'Issuers'))], want: [at(17, 31, 'invalid-value', 'spec.issuerRef.kind')] },
    { name: 'duration is a Go duration', docs: [issuer(ACME), certificate(`${CERT}\nduration: 90d`)], want: [at(18, 13, 'invalid-value', 'spec.duration')] },
    { name: 'duration at least 1h', docs: [issuer(ACME), certificate(`${CERT}\nduration: 30m`)], want: [at(18, 13, 'invalid-value', 'spec.duration')] },
    { name: 'renewBefore below duration', docs: [issuer(ACME), certificate(`${CERT}\nduration: 24h\nrenewBefore: 48h`)], want: [at(19, 16, 'invalid-value', 'spec.renewBefore')] },
    { name: 'renewBefore or renewBeforePercentage', docs: [issuer(ACME), certificate(`${CERT}\nrenewBefore: 360h\nrenewBeforePercentage: 30`)], want: [at(19, 3, 'invalid-value', 'spec.renewBeforePercentage')] },
    { name: 'an ECDSA key size', docs: [issuer(ACME), certificate(`${CERT}\nprivateKey: {algorithm: ECDSA, size: 2048}`)], want: [at(18, 40, 'invalid-value', 'spec.privateKey.size')] },
    { name: 'ipAddresses is named as not run', docs: [issuer(ACME), certificate(`${CERT}\nipAddresses: [10.0.0.1]`)], want: [at(18, 3, 'unimplemented-field', 'spec.ipAddresses', 'warning')] },
    {
      name: 'a Certificate makes the Secret an Ingress names',
      docs: [issuer(ACME), certificate(CERT.replace('api-tls', 'web-tls')), ingress(`tls: [{hosts: [shop.example.com], secretName: web-tls}]\n${rule('path: /, pathType: Prefix, ')}`), SVC],
      want: [],
    },
  ])('$name', ({ docs, want }) => {
    expect(findings(revision(...docs))).toEqual(want);
  });
});

describe('kinds', () => {
  it.each([
    ['ing', 'Ingress'],
    ['ingresses.networking.k8s.io', 'Ingress'],
    ['ingressclass', 'IngressClass'],
    ['gc', 'GatewayClass'],
    ['gtw', 'Gateway'],
    ['gateways.gateway.networking.k8s.io', 'Gateway'],
    ['httproutes', 'HTTPRoute'],
    ['issuer', 'Issuer'],
    ['clusterissuers', 'ClusterIssuer'],
    ['cert', 'Certificate'],
    ['certs', 'Certificate'],
    ['certificates.cert-manager.io', 'Certificate'],
  ])('%s is %s', (alias, kind) => {
    expect(resolveKindAlias(alias)?.kind).toBe(kind);
  });

  it.each([
    ['2160h', 2160 * 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['0', 0],
    ['90d', undefined],
    ['', undefined],
    ['h', undefined],
  ])('Go duration %j', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});

