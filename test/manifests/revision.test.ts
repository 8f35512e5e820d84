import { describe, expect, it } from 'vitest';
import type { Finding } from './support.js';
import { at, findings, validate, yaml } from './support.js';

const cm = (name: string, ns?: string, data = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}${data}`;

/** A Pod in namespace `ns` whose single container gets `container` appended and whose spec gets `spec`. */
const podUsing = (container: string, spec = '', ns = 'default') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ${ns}\n  labels: {app: p}\nspec:\n  containers:\n    - name: c\n      image: busybox:1.36\n${container}${spec}`;

describe('revision-wide checks', () => {
  it.each<{ name: string; files: Record<string, string>; want: Finding[] }>([
    {
      name: 'the same object twice: both locations reported',
      files: { 'a.yaml': cm('web'), 'b.yaml': `---\n${cm('web', 'default')}` },
      want: [at(4, 9, 'duplicate-resource', 'metadata.name', 'error', 'a.yaml'), at(5, 9, 'duplicate-resource', 'metadata.name', 'error', 'b.yaml')],
    },
    {
      name: 'same name in another namespace or of another kind is not a duplicate',
      files: {
        'a.yaml': `${cm('web')}---\n${cm('web', 'other')}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n`,
      },
      want: [],
    },
    {
      name: 'references to objects the revision does not define',
      files: {
        'pod.yaml': podUsing(
          '      envFrom:\n        - secretRef: {name: creds}\n        - configMapRef: {name: maybe, optional: true}\n',
          '  volumes:\n    - name: cfg\n      configMap: {name: settings}\n    - name: data\n      persistentVolumeClaim: {claimName: data}\n    - name: opt\n      secret: {secretName: extra, optional: true}\n',
        ),
      },
      want: [
        at(12, 29, 'missing-reference', 'spec.containers[0].envFrom[0].secretRef.name', 'error', 'pod.yaml'),
        at(16, 25, 'missing-reference', 'spec.volumes[0].configMap.name', 'error', 'pod.yaml'),
        at(18, 42, 'missing-reference', 'spec.volumes[1].persistentVolumeClaim.claimName', 'error', 'pod.yaml'),
      ],
    },
    {
      name: 'references resolve within the namespace',
      files: {
        'cm.yaml': cm('settings', 'other', 'data:\n  a: "1"\n'),
        'pod.yaml': podUsing('', '  volumes:\n    - name: cfg\n      configMap: {name: settings}\n'),
        'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n',
      },
      want: [at(13, 25, 'missing-reference', 'spec.volumes[0].configMap.name', 'error', 'pod.yaml')],
    },
    {
      name: "a Secret a Certificate (or an Ingress's cert-manager.io annotation) makes counts as defined; another namespace's does not",
      files: {
        'pod.yaml': podUsing('', '  volumes:\n    - name: a\n      secret: {secretName: api-tls}\n    - name: b\n      secret: {secretName: web-tls}\n    - name: c\n      secret: {secretName: other-tls}\n'),
        'certs.yaml':
          'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: le}\nspec:\n  acme: {server: "https://ca.test/dir", privateKeySecretRef: {name: le}, solvers: [{http01: {ingress: {}}}]}\n---\n' +
          'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: api}\nspec: {secretName: api-tls, dnsNames: [api.test], issuerRef: {name: le, kind: ClusterIssuer}}\n---\n' +
          'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: other, namespace: other}\nspec: {secretName: other-tls, dnsNames: [o.test], issuerRef: {name: le, kind: ClusterIssuer}}\n---\n' +
          'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, annotations: {cert-manager.io/cluster-issuer: le}}\nspec:\n  tls: [{hosts: [shop.test], secretName: web-tls}]\n  rules: [{host: shop.test, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]\n',
      },
      want: [
        at(14, 36, 'undeclared-namespace', 'metadata.namespace', 'warning', 'certs.yaml'),
        at(22, 98, 'edge-missing-reference', 'spec.rules[0].http.paths[0].backend.service.name', 'warning', 'certs.yaml'),
        at(17, 28, 'missing-reference', 'spec.volumes[2].secret.secretName', 'error', 'pod.yaml'),
      ],
    },
    {
      name: 'keys read from ConfigMaps and Secrets must exist',
      files: {
        'cm.yaml': cm('settings', undefined, 'data:\n  greeting: hi\nbinaryData:\n  logo: aGk=\n'),
        'secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  TOKEN: x\n',
        'pod.yaml': podUsing(
          [
            '      env:',
            '        - name: A',
            '          valueFrom: {configMapKeyRef: {name: settings, key: greting}}',
            '        - name: B',
            '          valueFrom: {secretKeyRef: {name: creds, key: TOKEN}}',
            '        - name: C',
            '          valueFrom: {secretKeyRef: {name: creds, key: PASSWORD, optional: true}}',
            '',
          ].join('\n'),
          '  volumes:\n    - name: cfg\n      configMap:\n        name: settings\n        items: [{key: logo, path: logo.png}, {key: missing, path: m}]\n',
        ),
      },
      want: [
        at(13, 62, 'missing-reference-key', 'spec.containers[0].env[0].valueFrom.configMapKeyRef.key', 'error', 'pod.yaml'),
        at(22, 52, 'missing-reference-key', 'spec.volumes[0].configMap.items[1].key', 'error', 'pod.yaml'),
      ],
    },
    {
      name: 'a namespace no Namespace declares: one warning at its first use',
      files: { 'a.yaml': `${cm('one', 'shop')}---\n${cm('two', 'shop')}` },
      want: [at(5, 14, 'undeclared-namespace', 'metadata.namespace', 'warning', 'a.yaml')],
    },
  ])('$name', ({ files, want }) => {
    expect(findings(files)).toEqual(want);
  });

  it('each duplicate names the location of the other', () => {
    const { problems } = validate({ 'a.yaml': cm('web'), 'b.yaml': `---\n${cm('web')}` });
    expect(problems.map((p) => [p.file, p.message.includes(p.file === 'a.yaml' ? 'b.yaml:2' : 'a.yaml:1')])).toEqual([
      ['a.yaml', true],
      ['b.yaml', true],
    ]);
  });
});

describe('services against the pods they select', () => {
  const deployment = (name: string, labels: string, ports: string) => yaml`
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ${name}
    spec:
      selector:
        matchLabels: ${labels}
      template:
        metadata:
          labels: ${labels}
        spec:
          containers:
            - name: c
              image: nginx:1.25
              ports: ${ports}
  `;
  const service = (name: string, selector: string, ports: string, type = 'ClusterIP') =>
    `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  type: ${type}\n  selector: ${selector}\n  ports: ${ports}\n`;
  const lb = (name: string, ports: string, ip?: string) => `${service(name, '{}', ports, 'LoadBalancer')}${ip ? `  loadBalancerIP: ${ip}\n` : ''}`;

  it.each<{ name: string; files: Record<string, string>; want: Finding[] }>([
    {
      name: 'named targetPort defined by the selected pods',
      files: { 'd.yaml': deployment('web', '{app: web}', '[{name: http, containerPort: 8080}]'), 's.yaml': service('web', '{app: web}', '[{port: 80, targetPort: http}]') },
      want: [],
    },
    {
      name: 'named targetPort the selected pods do not define: Kubernetes accepts it, a warning',
      files: {
        'd.yaml': deployment('web', '{app: web}', '[{name: http, containerPort: 8080}]'),
        'api.yaml': deployment('api', '{app: api}', '[{name: grpc, containerPort: 9090}]'),
        's.yaml': service('web', '{app: web}', '[{port: 80, targetPort: grpc}]'),
      },
      want: [at(8, 34, 'unknown-target-port', 'spec.ports[0].targetPort', 'warning', 's.yaml')],
    },
    {
      name: 'a selector that matches no pod template',
      files: { 'd.yaml': deployment('web', '{app: web}', '[]'), 's.yaml': service('web', '{app: webb}', '[{port: 80}]') },
      want: [at(7, 13, 'service-selects-nothing', 'spec.selector', 'warning', 's.yaml')],
    },
    {
      name: 'two Services claiming one nodePort',
      files: {
        'a.yaml': service('a', '{}', '[{port: 80, nodePort: 30080}]', 'NodePort'),
        'b.yaml': service('b', '{}', '[{port: 80, nodePort: 30080}]', 'NodePort'),
      },
      want: [at(8, 32, 'duplicate-node-port', 'spec.ports[0].nodePort', 'error', 'a.yaml'), at(8, 32, 'duplicate-node-port', 'spec.ports[0].nodePort', 'error', 'b.yaml')],
    },
    // Issue 11 F5: a host port published twice used to pass and half-apply (Docker refuses the second proxy).
    {
      name: 'two LoadBalancers on one port: the second is reported',
      files: { 'a.yaml': lb('a', '[{port: 8080}]'), 'b.yaml': lb('b', '[{port: 8080}]') },
      want: [at(8, 18, 'duplicate-host-port', 'spec.ports[0].port', 'error', 'b.yaml')],
    },
    {
      name: 'two LoadBalancers on one port and loadBalancerIP',
      files: { 'a.yaml': lb('a', '[{port: 8080}]', '127.0.0.1'), 'b.yaml': lb('b', '[{port: 8080}]', '127.0.0.1') },
      want: [at(8, 18, 'duplicate-host-port', 'spec.ports[0].port', 'error', 'b.yaml')],
    },
    {
      name: 'one on every address and one on loadBalancerIP overlap',
      files: { 'a.yaml': lb('a', '[{port: 8080}]', '127.0.0.1'), 'b.yaml': lb('b', '[{port: 8080}]') },
      want: [at(8, 18, 'duplicate-host-port', 'spec.ports[0].port', 'error', 'b.yaml')],
    },
    {
      name: 'the same port on two different loadBalancerIPs is fine',
      files: { 'a.yaml': lb('a', '[{port: 8080}]', '127.0.0.1'), 'b.yaml': lb('b', '[{port: 8080}]', '127.0.0.2') },
      want: [],
    },
    {
      name: 'the same port number with another protocol is fine',
      files: { 'a.yaml': lb('a', '[{port: 5353}]'), 'b.yaml': lb('b', '[{port: 5353, protocol: UDP}]') },
      want: [],
    },
    {
      name: "a LoadBalancer port another Service's nodePort publishes",
      files: { 'a.yaml': service('a', '{}', '[{port: 80, nodePort: 30080}]', 'NodePort'), 'b.yaml': lb('b', '[{port: 30080}]') },
      want: [at(8, 18, 'duplicate-host-port', 'spec.ports[0].port', 'error', 'b.yaml')],
    },
    // Issue 18: each use is compared with the earlier uses of its port and protocol only (an index, not every pair).
    {
      name: 'three on one port: the one on every address overlaps both, and names the first',
      files: {
        'a.yaml': lb('a', '[{port: 8080}]', '127.0.0.1'),
        'b.yaml': lb('b', '[{name: one, port: 8081}, {name: two, port: 8080}]', '127.0.0.2'),
        'c.yaml': lb('c', '[{port: 8080}]'),
      },
      want: [at(8, 18, 'duplicate-host-port', 'spec.ports[0].port', 'error', 'c.yaml')],
    },
    {
      name: 'two LoadBalancers with one explicit nodePort: duplicate-node-port only',
      files: { 'a.yaml': lb('a', '[{port: 8081, nodePort: 30080}]'), 'b.yaml': lb('b', '[{port: 8082, nodePort: 30080}]') },
      want: [at(8, 34, 'duplicate-node-port', 'spec.ports[0].nodePort', 'error', 'a.yaml'), at(8, 34, 'duplicate-node-port', 'spec.ports[0].nodePort', 'error', 'b.yaml')],
    },
  ])('$name', ({ files, want }) => {
    expect(findings(files)).toEqual(want);
  });

  it('a duplicate host port names the Service and file:line that publishes it first', () => {
    const messages = validate({ 'a.yaml': lb('a', '[{port: 8080}]'), 'b.yaml': lb('b', '[{port: 8080}]', '127.0.0.1') }).problems.map((p) => p.message);
    expect(messages).toEqual([
      'host port 8080/TCP of this port (LoadBalancer on 127.0.0.1) is already published by the port (LoadBalancer) of Service default/a at a.yaml:8; a host port can be published once: choose another port, or distinct loadBalancerIPs',
    ]);
  });
});
