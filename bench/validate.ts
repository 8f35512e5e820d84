/**
 * `npm run bench:validate`: how much slower `berth validate` is than just parsing the same
 * YAML. Generates 10,000 documents (Deployments and Services, the size real ones are) in 200
 * files, then times, as child processes started the same way, `./bin/berth validate DIR` and a
 * node process that only reads the files and runs js-yaml's loadAll on them. Prints the median
 * wall time of each over several runs and the ratio. Goal (issue 2): validate ≤ 2× parse-only
 * and under 3 s. Issue 18 adds a second set in the same run, 1,000 files of one small document
 * (ConfigMap, Pod or Service), where process start-up and per-file work weigh more than parsing:
 * the goal (≤ 2×, start-up counted on both sides) holds on both sets.
 *
 * --baseline DIR: also time DIR/bin/berth (another built checkout) in the same run.
 * Builds first (`npm run build`) unless --no-build is given.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = 200;
const DOCS_PER_FILE = 50;
const SMALL_FILES = 1000;
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

/** The bench's documents: FILES files of DOCS_PER_FILE documents, a Deployment and its Service per app. */
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

function configMap(app: string, i: number): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app}-config
  labels:
    app.kubernetes.io/name: ${app}
data:
  LOG_LEVEL: info
  FEATURE_${i % 7}: "on"
`;
}

function pod(app: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${app}
  labels:
    app.kubernetes.io/name: ${app}
spec:
  containers:
    - name: app
      image: registry.example.com/team/${app}:1.0.0
      ports:
        - name: http
          containerPort: 8080
        - name: metrics
          containerPort: 9090
`;
}

/**
 * The small set: SMALL_FILES files of one small document each, as a repository of many small
 * files is: a ConfigMap, a Pod, and the Service that selects it, per app.
 */
async function generateSmall(dir: string): Promise<number> {
  let bytes = 0;
  for (let f = 0; f < SMALL_FILES; f++) {
    const app = `small-${Math.floor(f / 3)}`;
    const [kind, text] = f % 3 === 0 ? ['cm', configMap(app, f)] : f % 3 === 1 ? ['pod', pod(app)] : ['svc', service(app)];
    bytes += Buffer.byteLength(text);
    const sub = join(dir, `team-${f % 10}`);
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `${kind}-${f}.yaml`), text);
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
if (docs !== Number(process.argv[2])) throw new Error('parsed ' + docs + ' documents');
`;

/** GNU time, when the machine has it: the child's CPU time (user + system), which other load on the machine disturbs far less than wall time. */
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Timing {
  wall: number;
  cpu?: number;
}

function timeChild(args: string[]): Timing {
  const [cmd, argv] = TIME ? [TIME, ['-f', '%U %S', process.execPath, ...args]] : [process.execPath, args];
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}:\n${res.stdout.slice(0, 2000)}${res.stderr.slice(0, 2000)}`);
  const times = TIME ? /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(res.stderr) : null;
  return times ? { wall, cpu: (Number(times[1]) + Number(times[2])) * 1000 } : { wall };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface SetResult {
  name: string;
  validate: number;
  parse: number;
}

/** Times `berth validate DIR` against the parse-only baseline on one generated set, interleaved run by run. */
/** --baseline DIR: another built checkout whose `berth validate` is timed in the same run, beside this one. */
const BASELINE = process.argv.includes('--baseline') ? process.argv[process.argv.indexOf('--baseline') + 1] : undefined;

/** Times `berth validate DIR` against the parse-only baseline on one generated set, interleaved run by run. */
function measure(name: string, dir: string, docs: number): SetResult {
  const validate: Timing[] = [];
  const parse: Timing[] = [];
  const before: Timing[] = [];
  // Warm the file cache, and check the generated revision is valid (the bench times the happy path).
  timeChild([join(ROOT, 'bin', 'berth'), 'validate', dir]);
  for (let run = 0; run < RUNS; run++) {
    validate.push(timeChild([join(ROOT, 'bin', 'berth'), 'validate', dir]));
    parse.push(timeChild(['--input-type=module', '-e', PARSE_ONLY, dir, String(docs)]));
    if (BASELINE) before.push(timeChild([join(BASELINE, 'bin', 'berth'), 'validate', dir]));
  }
  const v = median(validate.map((t) => t.wall));
  const p = median(parse.map((t) => t.wall));
  const fmt = (xs: Timing[]) => xs.map((x) => x.wall.toFixed(0)).join(', ');
  const cpu = (xs: Timing[]) => (xs.every((x) => x.cpu !== undefined) ? median(xs.map((x) => x.cpu!)) : undefined);
  const [vc, pc] = [cpu(validate), cpu(parse)];
  const cpuText = (c: number | undefined) => (c === undefined ? '' : `   cpu ${c.toFixed(0)} ms`);
  const cpuRatio = (c: number | undefined) => (c !== undefined && pc !== undefined ? `   (cpu ratio ${(c / pc).toFixed(2)}x)` : '');
  console.log(`${name}`);
  console.log(`  berth validate   median ${v.toFixed(0)} ms${cpuText(vc)}   (runs: ${fmt(validate)})`);
  console.log(`  js-yaml loadAll  median ${p.toFixed(0)} ms${cpuText(pc)}   (runs: ${fmt(parse)})`);
  const ratio = v / p;
  console.log(`  ratio ${ratio.toFixed(2)}x   goal ≤ 2.00x: ${ratio <= 2 ? 'met' : 'MISSED'}${cpuRatio(vc)}`);
  if (BASELINE) {
    const b = median(before.map((t) => t.wall));
    console.log(`  baseline         median ${b.toFixed(0)} ms${cpuText(cpu(before))}   ratio ${(b / p).toFixed(2)}x${cpuRatio(cpu(before))}   (runs: ${fmt(before)})`);
  }
  return { name, validate: v, parse: p };
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) console.warn(`warning: npm run build exited ${build.status}; timing dist/ as it is\n${build.stdout.slice(-1500)}`);
  }
  // --keep DIR: generate into DIR and leave the sets there (to profile berth validate on them).
  const keep = process.argv.indexOf('--keep');
  const root = keep >= 0 ? process.argv[keep + 1]! : await mkdtemp(join(tmpdir(), 'berth-bench-validate-'));
  try {
    const big = join(root, 'bench');
    const small = join(root, 'small');
    const bytes = await generate(big);
    const smallBytes = await generateSmall(small);
    console.log(`bench set: ${FILES * DOCS_PER_FILE} documents in ${FILES} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
    console.log(`small set: ${SMALL_FILES} files of one document (ConfigMap, Pod or Service), ${(smallBytes / 1024).toFixed(0)} KiB`);
    console.log(`${RUNS} runs each, both sides child processes started the same way (process start-up counted on both)\n`);
    const results = [measure('bench set', big, FILES * DOCS_PER_FILE), measure('small set', small, SMALL_FILES)];
    const worst = Math.max(...results.map((r) => r.validate / r.parse));
    const bigMs = results[0]!.validate;
    console.log(`\nworst ratio ${worst.toFixed(2)}x   goal ≤ 2.00x on both sets: ${worst <= 2 ? 'met' : 'MISSED'}   goal < 3000 ms: ${bigMs < 3000 ? 'met' : 'MISSED'}`);
  } finally {
    if (keep < 0) await rm(root, { recursive: true, force: true });
  }
}

await main();
