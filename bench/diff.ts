/**
 * `npm run bench:diff`: the offline CI diff on a large repository (issue 7).
 *
 * Two revisions of 10,000 documents (Deployments, Services, ConfigMaps and a few Secrets)
 * that differ in 1% of them are written to temp dirs; `./bin/berth diff --from A --to B -o
 * json` is timed end to end as a child process (median of 3), next to the goal (< 3 s). To
 * make a regression attributable, `./bin/berth validate A` is timed the same way and the
 * stages are timed in process: read, validate, diff + effects + render.
 *
 * Flags: --no-build (use dist/ as it is), --runs N (default 3).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(import.meta.dirname, '..');
const BERTH = join(ROOT, 'bin', 'berth');
const GOAL_SECONDS = 3;
const APPS = 3300;
const SECRETS = 100;

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1] ?? 3) || 3;

interface Side {
  dir: string;
  documents: number;
}

// ---------------------------------------------------------------- manifests

function deployment(i: number, image: string, replicas: number): string {
  const secretRef = i % 33 === 0 ? `\n            - secretRef:\n                name: secret-${(i / 33) % SECRETS}` : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  labels:
    app: app-${i}
    team: team-${i % 20}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
        team: team-${i % 20}
    spec:
      containers:
        - name: app
          image: ${image}
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: APP_INDEX
              value: "${i}"
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          envFrom:
            - configMapRef:
                name: app-${i}-config${secretRef}
          resources:
            limits:
              memory: 256Mi
              cpu: 500m
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
`;
}

function service(i: number, port: number): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: app-${i}
spec:
  selector:
    app: app-${i}
  ports:
    - name: http
      port: ${port}
      targetPort: http
`;
}

function configMap(i: number, level: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-${i}-config
data:
  LOG_LEVEL: ${level}
  FEATURE_FLAGS: "a,b,c"
  app.properties: |
    server.port=8080
    app.index=${i}
`;
}

function secret(i: number, token: string): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: secret-${i}
stringData:
  API_TOKEN: ${token}
  DB_PASSWORD: bench-password-${i}
`;
}

/**
 * Revision A and revision B, 1% apart: of A's 10,000 documents 35 Deployments get a new
 * image, 30 ConfigMaps and 10 Secrets new content (restarting the Deployments that use them),
 * 10 Services a new port, and 5 apps switch to a new ConfigMap (5 Deployments changed, 5
 * ConfigMaps removed, 5 added): 95 changed or removed plus 5 added.
 */
function writeRevision(dir: string, side: 'a' | 'b'): Side {
  let documents = 0;
  const b = side === 'b';
  for (let i = 0; i < APPS; i++) {
    const image = b && i % 80 === 1 && i < 2800 ? `registry.example/app:${i}-v2` : `registry.example/app:${i}-v1`;
    const level = b && i % 100 === 2 && i < 3000 ? 'debug' : 'info';
    const port = b && i % 300 === 3 && i < 3000 ? 8080 : 80;
    const docs = [deployment(i, image, 2), service(i, port)];
    // 5 apps get a differently named ConfigMap in B: one document removed, one added.
    const renamed = b && i % 600 === 4 && i < 3000;
    docs.push(renamed ? configMap(i, level).replace(`app-${i}-config`, `app-${i}-config-v2`) : configMap(i, level));
    if (renamed) docs[0] = docs[0]!.replace(`name: app-${i}-config\n`, `name: app-${i}-config-v2\n`);
    documents += docs.length;
    writeFileSync(join(dir, `app-${String(i).padStart(4, '0')}.yaml`), docs.join('---\n'));
  }
  const secrets: string[] = [];
  for (let i = 0; i < SECRETS; i++) secrets.push(secret(i, b && i % 10 === 5 ? `rotated-token-${i}` : `token-${i}`));
  writeFileSync(join(dir, 'secrets.yaml'), secrets.join('---\n'));
  return { dir, documents: documents + SECRETS };
}

// ---------------------------------------------------------------- timing

function time(argv: string[], expectCodes: number[]): { seconds: number; stdout: string } {
  const start = performance.now();
  const r = spawnSync(process.execPath, [BERTH, ...argv], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  const seconds = (performance.now() - start) / 1000;
  if (r.status === null || !expectCodes.includes(r.status)) {
    throw new Error(`berth ${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.slice(0, 2000)}`);
  }
  return { seconds, stdout: r.stdout };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const fmt = (s: number) => `${s.toFixed(2)} s`;

async function inProcessStages(a: string, b: string): Promise<string> {
  // Imported from src/ so the breakdown needs no build; the numbers above are the real CLI.
  const { readPath } = await import('../src/sources/folder.js');
  const { validateRevision } = await import('../src/manifests/index.js');
  const { createDiffReport } = await import('../src/report/render/report.js');
  const { renderJson } = await import('../src/report/render/json.js');
  let t = performance.now();
  const [ra, rb] = await Promise.all([readPath(a), readPath(b)]);
  const read = performance.now() - t;
  t = performance.now();
  const va = validateRevision(ra.files, { skipUnsupported: false });
  const vb = validateRevision(rb.files, { skipUnsupported: false });
  const validate = performance.now() - t;
  t = performance.now();
  const report = createDiffReport({ from: ra, to: rb, before: va.resources, after: vb.resources });
  const diff = performance.now() - t;
  t = performance.now();
  const json = renderJson(report);
  const render = performance.now() - t;
  return (
    `  in process (tsx): read both ${fmt(read / 1000)}, validate both ${fmt(validate / 1000)}, ` +
    `diff + effects ${fmt(diff / 1000)}, render json ${fmt(render / 1000)} (${(json.length / 1024).toFixed(0)} KiB)`
  );
}

async function main(): Promise<void> {
  if (!args.includes('--no-build')) {
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const tmp = mkdtempSync(join(tmpdir(), 'berth-bench-diff-'));
  try {
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    for (const d of [a, b]) mkdirSync(d);
    const sideA = writeRevision(a, 'a');
    const sideB = writeRevision(b, 'b');

    const runs: number[] = [];
    let output = '';
    for (let i = 0; i < RUNS; i++) {
      const r = time(['diff', '--from', a, '--to', b, '-o', 'json'], [1]);
      runs.push(r.seconds);
      output = r.stdout;
    }
    const report = JSON.parse(output) as { summary: Record<string, number>; changes: unknown[] };
    const validateRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) validateRuns.push(time(['validate', a], [0]).seconds);

    const m = median(runs);
    console.log(`berth diff benchmark: ${sideA.documents} vs ${sideB.documents} documents (${APPS} Deployments, ${APPS} Services, ${APPS} ConfigMaps, ${SECRETS} Secrets), 1% differ`);
    console.log(`  report: ${JSON.stringify(report.summary)}, ${report.changes.length} changes`);
    console.log(`  berth diff --from A --to B -o json   median ${fmt(m)}  (runs ${runs.map(fmt).join(', ')})   goal < ${GOAL_SECONDS} s: ${m < GOAL_SECONDS ? 'met' : 'MISSED'}`);
    console.log(`  berth validate A                      median ${fmt(median(validateRuns))}  (runs ${validateRuns.map(fmt).join(', ')})`);
    console.log(await inProcessStages(a, b));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
