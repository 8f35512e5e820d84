/**
 * `npm run bench:validate`: how much slower `berth validate` is than just parsing the same
 * YAML. Generates 10,000 documents (Deployments and Services, the size real ones are) in 200
 * files, then times, as child processes started the same way, `./bin/berth validate DIR` and a
 * node process that only reads the files and runs js-yaml's loadAll on them. Prints the median
 * wall time of each over several runs and the ratio. Goal (issue 2): validate ≤ 2× parse-only
 * and under 3 s.
 *
 * Builds first (`npm run build`) unless --no-build is given.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = 200;
const DOCS_PER_FILE = 50;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function deployment(app: string, i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  labels:
    app.kubernetes.io/name: ${app}
    app.kubernetes.io/part-of: bench
    tier: backend
  annotations:
    bench.berth.dev/generated: "true"
spec:
  replicas: ${1 + (i % 3)}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${app}
        tier: backend
    spec:
      terminationGracePeriodSeconds: 20
      containers:
        - name: app
          image: registry.example.com/team/${app}:1.${i % 10}.0
          args: ["--port=8080", "--log-format=json"]
          ports:
            - name: http
              containerPort: 8080
            - name: metrics
              containerPort: 9090
          env:
            - name: APP_NAME
              value: ${app}
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: LOG_LEVEL
              value: info
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: "1"
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /ready
              port: http
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 10
          volumeMounts:
            - name: cache
              mountPath: /var/cache/app
      volumes:
        - name: cache
          emptyDir: {}
`;
}

function service(app: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${app}
  labels:
    app.kubernetes.io/name: ${app}
spec:
  selector:
    app.kubernetes.io/name: ${app}
  ports:
    - name: http
      port: 80
      targetPort: http
    - name: metrics
      port: 9090
      targetPort: metrics
`;
}

async function generate(dir: string): Promise<number> {
  let bytes = 0;
  for (let f = 0; f < FILES; f++) {
    const docs: string[] = [];
    for (let d = 0; d < DOCS_PER_FILE / 2; d++) {
      const i = f * (DOCS_PER_FILE / 2) + d;
      const app = `svc-${i}`;
      docs.push(deployment(app, i), service(app));
    }
    const text = docs.join('---\n');
    bytes += Buffer.byteLength(text);
    const sub = join(dir, `team-${f % 10}`);
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `app-${f}.yaml`), text);
  }
  return bytes;
}

/** The baseline: the same files, read and parsed with js-yaml, nothing else. */
const PARSE_ONLY = `
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
const dir = process.argv[1];
let docs = 0;
for (const rel of readdirSync(dir, { recursive: true })) {
  if (!String(rel).endsWith('.yaml')) continue;
  docs += loadAll(readFileSync(join(dir, String(rel)), 'utf8')).length;
}
if (docs !== ${FILES * DOCS_PER_FILE}) throw new Error('parsed ' + docs + ' documents');
`;

function timeChild(args: string[]): number {
  const start = process.hrtime.bigint();
  const res = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}:\n${res.stdout.slice(0, 2000)}${res.stderr.slice(0, 2000)}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) console.warn(`warning: npm run build exited ${build.status}; timing dist/ as it is\n${build.stdout.slice(-1500)}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-validate-'));
  try {
    const bytes = await generate(dir);
    console.log(`${FILES * DOCS_PER_FILE} documents in ${FILES} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB; ${RUNS} runs each`);
    const validate: number[] = [];
    const parse: number[] = [];
    // Warm the file cache, and check the generated revision is valid (the bench times the happy path).
    timeChild([join(ROOT, 'bin', 'berth'), 'validate', dir]);
    for (let run = 0; run < RUNS; run++) {
      validate.push(timeChild([join(ROOT, 'bin', 'berth'), 'validate', dir]));
      parse.push(timeChild(['--input-type=module', '-e', PARSE_ONLY, dir]));
    }
    const v = median(validate);
    const p = median(parse);
    const ratio = v / p;
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    console.log(`berth validate   median ${v.toFixed(0)} ms   (runs: ${fmt(validate)})`);
    console.log(`js-yaml loadAll  median ${p.toFixed(0)} ms   (runs: ${fmt(parse)})`);
    console.log(`ratio ${ratio.toFixed(2)}x   goal ≤ 2.00x: ${ratio <= 2 ? 'met' : 'MISSED'}   goal < 3000 ms: ${v < 3000 ? 'met' : 'MISSED'}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
