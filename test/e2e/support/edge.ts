import http from 'node:http';
import type Dockerode from 'dockerode';
import { freePort } from './daemon.js';

/**
 * The host's edge in e2e tests: never on 80/443 (free ports through --edge-http-port and
 * --edge-https-port), and removed with its config volume by the test that made it.
 */
export interface EdgePorts {
  http: number;
  https: number;
  /** The CLI flags for these ports. */
  flags: string[];
  /** `berth-edge-<http>-<https>`: the container and its volume. */
  name: string;
}

export async function edgePorts(): Promise<EdgePorts> {
  const http = await freePort();
  let https = await freePort();
  while (https === http) https = await freePort();
  return { http, https, flags: ['--edge-http-port', String(http), '--edge-https-port', String(https)], name: `berth-edge-${http}-${https}` };
}

/** Removes the edge of these ports and its volume, whatever state they are in. */
export async function removeEdge(docker: Dockerode, ports: EdgePorts): Promise<void> {
  await docker.getContainer(ports.name).remove({ force: true }).catch(() => undefined);
  await docker.getVolume(ports.name).remove().catch(() => undefined);
}

export async function edgeObjects(docker: Dockerode, ports: EdgePorts): Promise<{ containers: string[]; volumes: string[] }> {
  const containers = (await docker.listContainers({ all: true, filters: { name: [ports.name] } })).map((c) => c.Names[0]!.replace(/^\//, ''));
  const volumes = ((await docker.listVolumes({ filters: { name: [ports.name] } })).Volumes ?? []).map((v) => v.Name);
  return { containers, volumes };
}

export interface EdgeReply {
  status: number;
  body: string;
  /** The example web app's JSON reply (`pod`, `greeting`), when the body is one. */
  json?: { pod: string; version: string; greeting: string };
}

/** One request to the edge on loopback with a Host header; `agent` false: a new connection. */
export function edgeGet(port: number, host: string, path = '/', agent: http.Agent | false = false, timeoutMs = 3_000): Promise<EdgeReply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => {
        let json: EdgeReply['json'];
        try {
          json = JSON.parse(body) as EdgeReply['json'];
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body, ...(json ? { json } : {}) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

/**
 * The example web app (berth-examples/web) as a Deployment and its Service, the backend every
 * edge test routes to. The container is always `web` with the named port `http` (8080); the
 * Service answers on 80. Only what a test sets is written, so a test shows what makes its app
 * different (replicas, grace period, probe, version).
 */
export interface WebAppOptions {
  /** The Deployment's and Service's name and the `app` label (default `web`). */
  name?: string;
  /** The image tag of berth-examples/web (default `1.0`). */
  version?: string;
  /** Default 1. */
  replicas?: number;
  /** terminationGracePeriodSeconds; left out (Kubernetes' 30 s) when not given. */
  grace?: number;
  /** The readiness probe GET /healthz on `http` every second (default true). */
  probe?: boolean;
  /** The GREETING env the app answers with (who answered, in routing tests). */
  greeting?: string;
  /** The container's command instead of the image's. */
  command?: string[];
  /** spec.strategy as a YAML flow mapping. */
  strategy?: string;
  /** The Service's port named `http` (for backends that refer to it by name). */
  namedPort?: boolean;
}

export function webApp(o: WebAppOptions = {}): string {
  const name = o.name ?? 'web';
  const lines = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: ${name}}`,
    'spec:',
    `  replicas: ${o.replicas ?? 1}`,
    ...(o.strategy ? [`  strategy: ${o.strategy}`] : []),
    `  selector: {matchLabels: {app: ${name}}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    '    spec:',
    ...(o.grace === undefined ? [] : [`      terminationGracePeriodSeconds: ${o.grace}`]),
    '      containers:',
    '      - name: web',
    `        image: berth-examples/web:${o.version ?? '1.0'}`,
    ...(o.command ? [`        command: [${o.command.map((a) => JSON.stringify(a)).join(', ')}]`] : []),
    ...(o.greeting ? [`        env: [{name: GREETING, value: ${o.greeting}}]`] : []),
    '        ports: [{name: http, containerPort: 8080}]',
    ...(o.probe === false ? [] : ['        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}']),
    '---',
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${name}}`,
    'spec:',
    `  selector: {app: ${name}}`,
    `  ports: [{${o.namedPort ? 'name: http, ' : ''}port: 80, targetPort: http}]`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * An Ingress with one rule: `host`, path / (Prefix) to `backend` port 80; or, with
 * `defaultBackend`, no rules and that Service on port 80 for every host.
 */
export interface IngressOptions {
  name: string;
  host?: string;
  /** The Service the rule's path goes to (default `web`). */
  backend?: string;
  /** Serves every host with this Service instead of a rule. */
  defaultBackend?: string;
  /** tls: [{hosts: [host], secretName: tls}]. */
  tls?: string;
  annotations?: Record<string, string>;
}

export function ingress(o: IngressOptions): string {
  const annotations = Object.entries(o.annotations ?? {}).map(([k, v]) => `${k}: ${v}`);
  const lines = [
    'apiVersion: networking.k8s.io/v1',
    'kind: Ingress',
    ...(annotations.length > 0 ? ['metadata:', `  name: ${o.name}`, `  annotations: {${annotations.join(', ')}}`] : [`metadata: {name: ${o.name}}`]),
    'spec:',
    ...(o.defaultBackend ? [`  defaultBackend: {service: {name: ${o.defaultBackend}, port: {number: 80}}}`] : []),
    ...(o.tls ? [`  tls: [{hosts: [${o.host}], secretName: ${o.tls}}]`] : []),
    ...(o.host
      ? ['  rules:', `  - host: ${o.host}`, '    http:', '      paths:', `      - {path: /, pathType: Prefix, backend: {service: {name: ${o.backend ?? 'web'}, port: {number: 80}}}}`]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** Manifests joined into one multi-document YAML file. */
export function yamlDocs(...docs: string[]): string {
  return docs.join('---\n');
}
