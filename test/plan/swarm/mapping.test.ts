import { describe, expect, it } from 'vitest';
import { validateRevision } from '../../../src/manifests/index.js';
import { buildDesiredState } from '../../../src/plan/desired.js';
import type { DesiredState } from '../../../src/plan/desired.js';
import { workloadServices, rolling } from '../../../src/plan/swarm/workloads.js';
import { serviceProxies, SWARM_PROXY_ENV } from '../../../src/plan/swarm/services.js';
import { swarmProblems } from '../../../src/plan/swarm/check.js';
import { swarmNames } from '../../../src/plan/swarm/names.js';
import { TEST_HASH_KEY } from '../../support/builders.js';
import { DEFAULT_HOST_POLICY } from '../../../src/model/policy.js';

function desired(yaml: string, allowedProbeHosts: string[] = []): DesiredState {
  // As a pass on a Swarm validates: placement runs, and the host policy allows what the case needs.
  const hostPolicy = { ...DEFAULT_HOST_POLICY, allowPrivileged: true, allowHostNetwork: true, allowedProbeHosts, hostPathPrefixes: ['/srv'] };
  const { resources, problems } = validateRevision([{ path: 'app.yaml', content: Buffer.from(yaml) }], { backend: 'swarm', hostPolicy });
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return buildDesiredState(resources, { hashKey: TEST_HASH_KEY });
}

const deployment = (extra: { spec?: string; container?: string; pod?: string; replicas?: number } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: ${extra.replicas ?? 3}
  selector: {matchLabels: {app: web}}
${extra.spec ?? ''}
  template:
    metadata: {labels: {app: web}}
    spec:
${extra.pod ?? ''}
      containers:
        - name: web
          image: registry.local:5000/web:1.0
          ports: [{name: http, containerPort: 8080}]
${extra.container ?? ''}
`;

const NS = 1e9;

describe('Swarm update config from a Deployment strategy', () => {
  it.each([
    // maxSurge, maxUnavailable → parallelism, order
    { surge: 1, unavailable: 0, parallelism: 1, order: 'start-first' },
    { surge: 2, unavailable: 0, parallelism: 2, order: 'start-first' },
    { surge: 0, unavailable: 1, parallelism: 1, order: 'stop-first' },
    { surge: 0, unavailable: 3, parallelism: 3, order: 'stop-first' },
    { surge: 1, unavailable: 1, parallelism: 1, order: 'start-first' },
  ])('maxSurge $surge, maxUnavailable $unavailable → $parallelism at a time, $order', ({ surge, unavailable, parallelism, order }) => {
    expect(rolling(surge, unavailable, 0)).toMatchObject({ Parallelism: parallelism, Order: order, FailureAction: 'rollback', MaxFailureRatio: 0 });
  });

  it.each([
    { minReady: 0, monitor: 1 * NS },
    { minReady: 10, monitor: 10 * NS },
  ])('monitor follows minReadySeconds $minReady', ({ minReady, monitor }) => {
    expect(rolling(1, 0, minReady).Monitor).toBe(monitor);
  });

  it('a Recreate Deployment stops every task first, all at once', () => {
    const w = workloadServices('a', desired(deployment({ spec: '  strategy: {type: Recreate}' })));
    expect(w.services[0]!.spec.UpdateConfig).toMatchObject({ Parallelism: 0, Order: 'stop-first' });
  });
});

describe('a Deployment as a replicated Swarm service', () => {
  const d = desired(
    deployment({
      container: `          command: [node]
          args: [server.js]
          env: [{name: MODE, value: prod}]
          resources: {limits: {cpu: 500m, memory: 64Mi}, requests: {cpu: 100m}}
          readinessProbe: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 2, failureThreshold: 4, initialDelaySeconds: 1}
          livenessProbe: {httpGet: {path: /healthz, port: http}}`,
    }),
  );
  const s = workloadServices('a', d).services[0]!;

  it('keeps image, command, args, env and resources', () => {
    const c = s.spec.TaskTemplate.ContainerSpec;
    expect(c).toMatchObject({ Image: 'registry.local:5000/web:1.0', Command: ['node'], Args: ['server.js'] });
    expect(c.Env).toContain('MODE=prod');
    expect(s.spec.TaskTemplate.Resources).toEqual({ Limits: { NanoCPUs: 0.5 * NS, MemoryBytes: 64 * 2 ** 20 }, Reservations: { NanoCPUs: 0.1 * NS } });
  });

  it('runs replicas with dnsrr endpoints on the namespace overlay, named by the pod template', () => {
    expect(s.spec.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(s.spec.EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(s.spec.Name).toBe('berth-a-shop-deploy-web');
    expect(s.spec.TaskTemplate.Networks).toEqual([{ Target: 'berth-a-shop', Aliases: [] }]);
    expect(s.spec.TaskTemplate.ContainerSpec.Hostname).toBe(`web-${s.templateHash}-{{.Task.Slot}}`);
    expect(s.spec.Labels).toMatchObject({ 'berth.managed': 'swarm', 'berth.app': 'a', 'berth.key': 'Deployment/shop/web', 'berth.template-hash': s.templateHash });
  });

  it.each([
    { value: 'plain', env: 'V=plain' },
    { value: '{{.Node.Hostname}}', env: 'V={{"{{"}}.Node.Hostname}}' },
    { value: 'a{{b}}c{{', env: 'a{{"{{"}}b}}c{{"{{"}}' },
  ])('passes env value $value to the task as written, not as a Swarm template', ({ value, env }) => {
    const e = workloadServices('a', desired(deployment({ container: `          env: [{name: V, value: '${value}'}]` }))).services[0]!.spec.TaskTemplate.ContainerSpec.Env!;
    expect(e).toContain(env.startsWith('V=') ? env : `V=${env}`);
  });

  it('names the pod in env through the task slot template', () => {
    const s2 = workloadServices('a', desired(deployment({ container: '          env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]' }))).services[0]!;
    expect(s2.spec.TaskTemplate.ContainerSpec.Env).toContain(`POD=web-${s2.templateHash}-{{.Task.Slot}}`);
  });

  it('makes the exec readiness probe the healthcheck', () => {
    expect(s.spec.TaskTemplate.ContainerSpec.Healthcheck).toEqual({ Test: ['CMD', 'test', '-f', '/tmp/ready'], Interval: 2 * NS, Timeout: 1 * NS, StartPeriod: 1 * NS, Retries: 4 });
  });

  it('changes its spec hash when the template changes, and only then', () => {
    const again = workloadServices('a', d).services[0]!;
    const other = workloadServices('a', desired(deployment({ container: '          env: [{name: MODE, value: dev}]' }))).services[0]!;
    expect(again.spec.Labels['berth.spec-hash']).toBe(s.spec.Labels['berth.spec-hash']);
    expect(other.spec.Labels['berth.spec-hash']).not.toBe(s.spec.Labels['berth.spec-hash']);
  });

  it('hands an httpGet readiness probe to the proxy', () => {
    const h = workloadServices('a', desired(deployment({ container: '          readinessProbe: {httpGet: {path: /ready, port: 8080}}' }))).services[0]!;
    expect(h.spec.TaskTemplate.ContainerSpec.Healthcheck).toBeUndefined();
    expect(h.readiness?.httpGet).toMatchObject({ path: '/ready', port: 8080 });
  });
});

describe('each kind as its Swarm mode', () => {
  it.each([
    {
      kind: 'DaemonSet',
      yaml: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: a, image: agent:1}]}`,
      names: ['berth-a-default-ds-agent'],
      mode: { Global: {} },
    },
    {
      kind: 'Job',
      yaml: `apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  completions: 4
  parallelism: 2
  template:
    spec: {restartPolicy: Never, containers: [{name: a, image: job:1}]}`,
      names: ['berth-a-default-job-once'],
      mode: { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 4 } },
    },
    {
      kind: 'Pod',
      yaml: `apiVersion: v1
kind: Pod
metadata: {name: solo}
spec: {containers: [{name: a, image: solo:1}]}`,
      names: ['berth-a-default-pod-solo'],
      mode: { Replicated: { Replicas: 1 } },
    },
    {
      kind: 'StatefulSet',
      yaml: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: a, image: db:1, volumeMounts: [{name: data, mountPath: /data}]}]}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}`,
      names: ['berth-a-default-sts-db-0', 'berth-a-default-sts-db-1'],
      mode: { Replicated: { Replicas: 1 } },
    },
  ])('$kind', ({ yaml, names, mode }) => {
    const w = workloadServices('a', desired(yaml));
    expect(w.problems).toEqual([]);
    expect(w.services.map((s) => s.spec.Name)).toEqual(names);
    for (const s of w.services) expect(s.spec.Mode).toEqual(mode);
  });

  it('gives each StatefulSet ordinal its own name, hostname and claim volume', () => {
    const w = workloadServices(
      'a',
      desired(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: a, image: db:1, volumeMounts: [{name: data, mountPath: /data}]}]}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}`),
    );
    const one = w.services[1]!.spec.TaskTemplate;
    expect(one.ContainerSpec.Hostname).toBe('db-1');
    expect(one.Networks[0]!.Aliases).toEqual(['db-1', 'db-1.db', 'db-1.db.default.svc.cluster.local']);
    expect(one.ContainerSpec.Mounts).toEqual([expect.objectContaining({ Type: 'volume', Source: 'berth-a-default-pvc-data-db-1', Target: '/data' })]);
  });

  it.each([
    { restart: 'Never', backoff: 3, policy: { Condition: 'on-failure', MaxAttempts: 3 } },
    { restart: 'OnFailure', backoff: 2, policy: { Condition: 'on-failure', MaxAttempts: 2 } },
    { restart: 'Never', backoff: 0, policy: { Condition: 'none' } },
  ])('a Job ($restart, backoffLimit $backoff) retries as Kubernetes would', ({ restart, backoff, policy }) => {
    const w = workloadServices('a', desired(`apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  backoffLimit: ${backoff}\n  template:\n    spec: {restartPolicy: ${restart}, containers: [{name: a, image: job:1}]}`));
    expect(w.services[0]!.spec.TaskTemplate.RestartPolicy).toEqual({ ...policy, Delay: 1e9 });
  });

  it.each([
    { drop: '[ALL]', add: '[net_bind_service]', dropped: ['ALL'], added: ['CAP_NET_BIND_SERVICE'] },
    { drop: '[NET_RAW, CAP_MKNOD]', add: '[]', dropped: ['CAP_NET_RAW', 'CAP_MKNOD'], added: undefined },
  ])('capabilities drop $drop add $add in Docker\'s spelling', ({ drop, add, dropped, added }) => {
    const s = workloadServices('a', desired(deployment({ container: `          securityContext: {capabilities: {drop: ${drop}, add: ${add}}}` }))).services[0]!;
    expect(s.spec.TaskTemplate.ContainerSpec.CapabilityDrop).toEqual(dropped);
    expect(s.spec.TaskTemplate.ContainerSpec.CapabilityAdd).toEqual(added);
  });

  it('a Job that must not restart has restart condition none, with its backoff as attempts otherwise', () => {
    const w = workloadServices('a', desired(`apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  backoffLimit: 3
  template:
    spec: {restartPolicy: OnFailure, containers: [{name: a, image: job:1}]}`));
    expect(w.services[0]!.spec.TaskTemplate.RestartPolicy).toMatchObject({ Condition: 'on-failure', MaxAttempts: 3 });
  });
});

describe('placement from nodeSelector and node affinity', () => {
  it.each([
    { pod: '      nodeSelector: {disk: ssd}', constraints: ['node.labels.disk==ssd'] },
    { pod: '      nodeSelector: {kubernetes.io/hostname: node-2}', constraints: ['node.hostname==node-2'] },
    {
      pod: `      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}, {key: tier, operator: NotIn, values: [x, z]}]}]`,
      constraints: ['node.labels.tier!=x', 'node.labels.tier!=z', 'node.labels.zone==a'],
    },
  ])('$constraints', ({ pod, constraints }) => {
    const s = workloadServices('a', desired(deployment({ pod }))).services[0]!;
    expect(s.spec.TaskTemplate.Placement).toEqual({ Constraints: constraints });
  });
});

describe('what Swarm cannot run is a problem at its document, with what to do', () => {
  it.each([
    { what: 'two containers', pod: '', container: '        - {name: side, image: side:1}', path: 'spec.template.spec.containers' },
    { what: 'init containers', pod: '      initContainers: [{name: init, image: init:1}]', container: '', path: 'spec.template.spec.initContainers' },
    { what: 'hostNetwork', pod: '      hostNetwork: true', container: '', path: 'spec.template.spec.hostNetwork' },
    { what: 'a pod IP fieldRef', pod: '', container: '          env: [{name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]', path: 'spec.template.spec.containers[0].env[0].valueFrom.fieldRef' },
    { what: 'privileged', pod: '', container: '          securityContext: {privileged: true}', path: 'spec.template.spec.containers[0].securityContext.privileged' },
    {
      what: 'an Exists affinity',
      pod: `      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: gpu, operator: Exists}]}]`,
      container: '',
      path: 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms',
    },
  ])('$what', ({ pod, container, path }) => {
    const problems = swarmProblems('a', desired(deployment({ pod, container })));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'app.yaml', line: 1, code: 'unsupported-on-swarm', severity: 'error', path });
    expect(problems[0]!.message).toMatch(/^Deployment\/shop\/web: /);
  });

  it('a hostPath, even under the policy\'s prefixes: Swarm binds node paths unchecked', () => {
    const problems = swarmProblems('a', desired(deployment({ pod: '      volumes: [{name: d, hostPath: {path: /srv/data}}]', container: '          volumeMounts: [{name: d, mountPath: /d}]' })));
    expect(problems.map((p) => [p.path, p.message.replace(/:.*/, '')])).toEqual([['spec.template.spec.volumes[0]', 'Deployment/shop/web']]);
    expect(problems[0]!.message).toMatch(/hostPath \/srv\/data: Swarm binds node paths unchecked/);
  });

  it.each([
    { what: 'runAsNonRoot without a uid', container: '          securityContext: {runAsNonRoot: true}', path: 'spec.template.spec.containers[0].securityContext.runAsNonRoot', severity: 'error', code: 'unsupported-on-swarm' },
    { what: 'no privilege escalation', container: '          securityContext: {allowPrivilegeEscalation: false}', path: 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation', severity: 'warning', code: 'weakened-on-swarm' },
    { what: 'an httpGet liveness probe', container: '          livenessProbe: {httpGet: {path: /, port: 8080}}', path: 'spec.template.spec.containers[0].livenessProbe', severity: 'warning', code: 'weakened-on-swarm' },
  ])('$what: $severity', ({ container, path, severity, code }) => {
    expect(swarmProblems('a', desired(deployment({ container }))).map((p) => [p.path, p.severity, p.code])).toEqual([[path, severity, code]]);
  });

  it('runAsNonRoot with a non-zero uid is kept', () => {
    expect(swarmProblems('a', desired(deployment({ container: '          securityContext: {runAsNonRoot: true, runAsUser: 1000}' })))).toEqual([]);
  });

  it('a CronJob\'s Job template is checked before any schedule fires', () => {
    const problems = swarmProblems('a', desired('apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: "* * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec: {restartPolicy: Never, containers: [{name: a, image: a}, {name: b, image: b}]}\n'));
    expect(problems.map((p) => [p.path, p.message.slice(0, 20)])).toEqual([['spec.jobTemplate.spec.template.spec.containers', 'CronJob/default/c: s']]);
  });

  it('a bare Pod\'s problems are at its own spec', () => {
    const problems = swarmProblems('a', desired('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {initContainers: [{name: i, image: i}], containers: [{name: a, image: a}]}\n'));
    expect(problems.map((p) => p.path)).toEqual(['spec.initContainers']);
  });

  it('an ExternalName Service and a Service without a selector', () => {
    const problems = swarmProblems(
      'a',
      desired(`apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: example.com}
---
apiVersion: v1
kind: Service
metadata: {name: manual}
spec: {ports: [{port: 80}]}`),
    );
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [1, 'spec.type'],
      [6, 'spec.selector'],
    ]);
  });

  it('none for a plain Deployment', () => {
    expect(swarmProblems('a', desired(deployment()))).toEqual([]);
  });
});

describe('ConfigMap and Secret volumes as Swarm configs and secrets', () => {
  const d = desired(`apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {app.conf: "x=1"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: shop}
stringData: {token: s3cret}
---
${deployment({
  pod: `      volumes:
        - {name: cfg, configMap: {name: cfg}}
        - {name: creds, secret: {secretName: creds}}`,
  container: `          volumeMounts:
            - {name: cfg, mountPath: /etc/app}
            - {name: creds, mountPath: /run/creds, readOnly: true}`,
})}`);
  const w = workloadServices('a', d);
  const c = w.services[0]!.spec.TaskTemplate.ContainerSpec;

  it('one immutable object per file, named by its content', () => {
    expect(w.files.map((f) => [f.type, f.data])).toEqual([
      ['config', Buffer.from('x=1').toString('base64')],
      ['secret', Buffer.from('s3cret').toString('base64')],
    ]);
    expect(w.files[0]!.name).toMatch(/^berth-a-shop-cm-cfg-app\.conf-[0-9a-f]{12}$/);
  });

  it('mounted at the file paths the pod would see', () => {
    expect(c.Configs).toEqual([{ File: { Name: '/etc/app/app.conf', UID: '0', GID: '0', Mode: 0o644 }, ConfigName: w.files[0]!.name }]);
    expect(c.Secrets?.[0]?.File.Name).toBe('/run/creds/token');
  });

  it('names by a hash keyed with the host\'s key: a short Secret cannot be guessed from its name', () => {
    const { resources } = validateRevision([{ path: 'app.yaml', content: Buffer.from(d.resources.map((r) => JSON.stringify(r.object)).join('\n---\n')) }], { backend: 'swarm' });
    const other = workloadServices('a', buildDesiredState(resources, { hashKey: new Uint8Array(32).fill(7) }));
    expect(other.files[1]!.name).not.toBe(w.files[1]!.name);
    expect(other.services[0]!.spec.Labels['berth.spec-hash']).not.toBe(w.services[0]!.spec.Labels['berth.spec-hash']);
  });

  it('a changed ConfigMap gets a new name, so the service rolls to it', () => {
    const changed = workloadServices('a', desired(`apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {app.conf: "x=2"}
---
${deployment({ pod: '      volumes: [{name: cfg, configMap: {name: cfg}}]', container: '          volumeMounts: [{name: cfg, mountPath: /etc/app}]' })}`));
    expect(changed.files[0]!.name).not.toBe(w.files[0]!.name);
  });
});

describe('Services as proxies on every node', () => {
  const d = desired(`${deployment()}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}]
---
apiVersion: v1
kind: Service
metadata: {name: inner, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 81, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: auto, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 82, targetPort: 8080}]`);
  const workloads = workloadServices('a', d).services;

  it('publishes a NodePort in host mode, resolving a named targetPort through the selected pods', () => {
    const { services } = serviceProxies('a', d.services, workloads, 'reg:5000/berth/dataplane:x', new Map());
    const web = services.find((s) => s.name === 'web')!;
    expect(web.spec.Mode).toEqual({ Global: {} });
    expect(web.spec.EndpointSpec).toEqual({ Mode: 'dnsrr', Ports: [{ Name: 'http', Protocol: 'tcp', TargetPort: 80, PublishedPort: 30080, PublishMode: 'host' }] });
    expect(web.spec.TaskTemplate.Networks).toEqual([{ Target: 'berth-a-shop', Aliases: ['web', 'web.shop', 'web.shop.svc', 'web.shop.svc.cluster.local'] }]);
    const env = web.spec.TaskTemplate.ContainerSpec.Env![0]!;
    expect(env).not.toContain('{{');
    expect(env.startsWith(`${SWARM_PROXY_ENV}=`)).toBe(true);
    expect(JSON.parse(env.slice(SWARM_PROXY_ENV.length + 1))).toEqual({
      service: { namespace: 'shop', name: 'web' },
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
      sessionAffinity: { type: 'None' },
      backends: ['tasks.berth-a-shop-deploy-web'],
    });
  });

  it("a probe path with {{ reaches the proxy as written, not as a Swarm template", () => {
    const h = desired(`${deployment({ container: "          readinessProbe: {httpGet: {path: '/ready{{.Node.Hostname}}', port: 8080}}" })}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}`);
    const w = workloadServices('a', h);
    const env = serviceProxies('a', h.services, w.services, 'img', new Map()).services[0]!.spec.TaskTemplate.ContainerSpec.Env![0]!;
    expect(env).toContain('/ready{{"{{"}}.Node.Hostname}}');
    expect(env.replaceAll('{{"{{"}}', '{{')).toContain('/ready{{.Node.Hostname}}');
  });

  it('a ClusterIP Service publishes nothing', () => {
    const { services } = serviceProxies('a', d.services, workloads, 'img', new Map());
    expect(services.find((s) => s.name === 'inner')!.spec.EndpointSpec).toEqual({ Mode: 'dnsrr' });
  });

  it.each([
    { held: new Map<string, number>(), port: 30000 },
    { held: new Map([['Service/shop/auto/82', 31234]]), port: 31234 },
  ])('an unset nodePort keeps the one it was given ($port)', ({ held, port }) => {
    const { services } = serviceProxies('a', d.services, workloads, 'img', held);
    expect(services.find((s) => s.name === 'auto')!.spec.EndpointSpec.Ports![0]!.PublishedPort).toBe(port);
  });

  it.each([
    { what: 'another app holds 30000: the next free port', foreign: [30000], held: new Map<string, number>(), port: 30001 },
    { what: 'a remembered port another Service now names is given up', foreign: [], held: new Map([['Service/shop/auto/82', 30080]]), port: 30000 },
  ])('$what', ({ foreign, held, port }) => {
    const { services } = serviceProxies('a', d.services, workloads, 'img', held, new Set(foreign));
    expect(services.find((s) => s.name === 'auto')!.spec.EndpointSpec.Ports![0]!.PublishedPort).toBe(port);
  });

  it('an explicit nodePort another service on the Swarm publishes is a problem', () => {
    const { problems } = serviceProxies('a', d.services, workloads, 'img', new Map(), new Set([30080]));
    expect(problems).toEqual([{ key: 'Service/shop/web', path: 'spec.ports[0].nodePort', message: expect.stringMatching(/^30080 is published on this Swarm by a service that is not this app's/) }]);
  });

  it('a headless Service gives its names to the pods it selects', () => {
    const h = desired(`${deployment()}
---
apiVersion: v1
kind: Service
metadata: {name: peers, namespace: shop}
spec: {clusterIP: None, selector: {app: web}}`);
    const w = workloadServices('a', h);
    expect(serviceProxies('a', h.services, w.services, 'img', new Map()).services).toEqual([]);
    expect(w.services[0]!.spec.TaskTemplate.Networks[0]!.Aliases).toEqual(['peers', 'peers.shop', 'peers.shop.svc', 'peers.shop.svc.cluster.local']);
    const twice = (order: string) => workloadServices('a', desired(`${deployment({ pod: `      nodeSelector: ${order}` })}`)).services[0]!.spec.Labels['berth.spec-hash'];
    expect(twice('{a: p, b: q}')).toBe(twice('{b: q, a: p}'));
  });
});

describe('readiness probes the proxy runs for a Service', () => {
  const service = `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}`;
  const proxySpec = (yaml: string) => {
    const d = desired(yaml);
    const w = workloadServices('a', d);
    const { services, problems } = serviceProxies('a', d.services, w.services, 'img', new Map());
    expect([...w.problems, ...problems]).toEqual([]);
    const env = services[0]!.spec.TaskTemplate.ContainerSpec.Env![0]!;
    return JSON.parse(env.slice(SWARM_PROXY_ENV.length + 1)) as Record<string, unknown>;
  };

  it('puts an httpGet probe on a named port into the spec, with the container port number, for the workload\'s tasks', () => {
    const spec = proxySpec(`${deployment({ container: '          readinessProbe: {httpGet: {path: healthz, port: http, httpHeaders: [{name: X-Probe, value: "1"}]}, periodSeconds: 2, failureThreshold: 2}' })}\n${service}`);
    expect(spec.readiness).toEqual([
      {
        backend: 'tasks.berth-a-shop-deploy-web',
        httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP', headers: [{ name: 'X-Probe', value: '1' }] },
        initialDelaySeconds: 0,
        periodSeconds: 2,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 2,
      },
    ]);
  });

  it.each([
    { what: 'a tcpSocket probe on a number', probe: '{tcpSocket: {port: 9090}, initialDelaySeconds: 5}', want: { tcpSocket: { port: 9090 }, initialDelaySeconds: 5 } },
    { what: 'an HTTPS path with a space', probe: '{httpGet: {path: "/ready now", port: 8443, scheme: HTTPS}}', want: { httpGet: { path: '/ready%20now', port: 8443, scheme: 'HTTPS' } } },
  ])('$what', ({ probe, want }) => {
    const spec = proxySpec(`${deployment({ container: `          readinessProbe: ${probe}` })}\n${service}`);
    expect(spec.readiness).toEqual([{ backend: 'tasks.berth-a-shop-deploy-web', initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, ...want }]);
  });

  it('leaves readiness out for workloads without such a probe, so their proxy spec is unchanged', () => {
    expect(proxySpec(`${deployment()}\n${service}`)).not.toHaveProperty('readiness');
    expect(proxySpec(`${deployment({ container: '          readinessProbe: {exec: {command: [cat, /tmp/ready]}}' })}\n${service}`)).not.toHaveProperty('readiness');
  });

  it.each([
    {
      what: 'a port name the container does not have',
      probe: '{httpGet: {path: /, port: admin}}',
      path: 'spec.template.spec.containers[0].readinessProbe.httpGet.port',
      message: '"admin" is not a port of the container (named ports: http; use one of them or a number)',
    },
    {
      what: 'a host',
      probe: '{tcpSocket: {port: 8080, host: db.example}}',
      path: 'spec.template.spec.containers[0].readinessProbe.tcpSocket.host',
      message: "berth's proxy probes each task at its own address on Swarm (remove host)",
    },
    {
      what: 'a header HTTP cannot send',
      probe: '{httpGet: {path: /, port: 8080, httpHeaders: [{name: "X Bad", value: v}]}}',
      path: 'spec.template.spec.containers[0].readinessProbe.httpGet.httpHeaders[0]',
      message: 'not a header HTTP can send (a token name, a value without line breaks)',
    },
    {
      what: 'a period over a day',
      probe: '{tcpSocket: {port: 8080}, periodSeconds: 100000}',
      path: 'spec.template.spec.containers[0].readinessProbe.periodSeconds',
      message: "more than 86400 is not run by berth's proxy (use at most a day)",
    },
  ])('refuses $what, at the field, with what to do', ({ probe, path, message }) => {
    // One host's policy allows the host here: Swarm refuses it all the same.
    const d = desired(`${deployment({ container: `          readinessProbe: ${probe}` })}\n${service}`, ['db.example']);
    const w = workloadServices('a', d);
    expect(w.problems).toEqual([{ key: 'Deployment/shop/web', path, message }]);
    expect(w.services[0]!.readiness).toBeUndefined();
    expect(swarmProblems('a', d).map((p) => [p.code, p.path])).toEqual([['unsupported-on-swarm', path]]);
  });
});

describe('Swarm names', () => {
  it.each([
    ['a', 'Deployment', 'default', 'web'],
    ['app', 'StatefulSet', 'a-very-long-namespace-name-indeed', 'a-very-long-statefulset-name-that-goes-on'],
  ])('%s %s %s/%s is a DNS label of at most 63 characters', (app, kind, ns, name) => {
    const n = swarmNames.workload(app, kind, ns, name, 0);
    expect(n.length).toBeLessThanOrEqual(63);
    expect(n).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
  });

  it('two long names that share a prefix stay apart', () => {
    const long = 'x'.repeat(60);
    expect(swarmNames.workload('a', 'Deployment', 'default', `${long}-one`)).not.toBe(swarmNames.workload('a', 'Deployment', 'default', `${long}-two`));
  });

  it('kinds of one name stay apart', () => {
    expect(swarmNames.workload('a', 'Deployment', 'ns', 'web')).not.toBe(swarmNames.workload('a', 'StatefulSet', 'ns', 'web'));
  });
});
