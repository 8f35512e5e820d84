import type Dockerode from 'dockerode';
import type { E2eApp } from '../e2e/support/harness.js';
import { createE2eApp } from '../e2e/support/harness.js';
import { isPodOwner } from '../../src/apply/labels.js';

/** One line of the chaos table: what a scenario did and what it found. */
export interface Row {
  scenario: string;
  runs: number;
  converged: number;
  duplicates: number;
  orphans: number;
  failedRequests: number | '-';
  /** Runs whose promise did not hold, each with why (empty: every run held). */
  failures: string[];
  /** What a reader needs besides the counts (timings, request totals). */
  notes: string[];
}

export function row(scenario: string): Row {
  return { scenario, runs: 0, converged: 0, duplicates: 0, orphans: 0, failedRequests: '-', failures: [], notes: [] };
}

export function held(r: Row): boolean {
  return r.failures.length === 0 && r.runs > 0 && (r.failedRequests === '-' || r.failedRequests === 0);
}

export function table(rows: Row[]): string {
  const cells = [
    ['scenario', 'runs', 'converged', 'duplicates', 'orphans', 'failed requests', 'held'],
    ...rows.map((r) => [r.scenario, String(r.runs), String(r.converged), String(r.duplicates), String(r.orphans), String(r.failedRequests), held(r) ? 'yes' : 'NO']),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** Apps made by this run; `cleanupAll` removes every one (containers, networks, volumes, temp dirs). */
const apps: E2eApp[] = [];
export async function chaosApp(name: string): Promise<E2eApp> {
  const t = await createE2eApp(`chaos-${name}`);
  apps.push(t);
  return t;
}
export async function cleanupApp(t: E2eApp): Promise<void> {
  const i = apps.indexOf(t);
  if (i >= 0) apps.splice(i, 1);
  await t.cleanup();
}
export async function cleanupApps(): Promise<void> {
  for (const t of apps.splice(0)) await t.cleanup().catch((err: Error) => process.stderr.write(`chaos: cleanup of ${t.app} failed: ${err.message}\n`));
}

/** The example web app as a Deployment (readiness after 1.5 s, so rollouts take a while). */
export function webDeployment(opts: { version?: string; replicas?: number; readyAfterMs?: number; grace?: number } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${opts.replicas ?? 3}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: ${opts.grace ?? 2}
      containers:
      - name: web
        image: berth-examples/web:${opts.version ?? '1.0'}
        ports: [{name: http, containerPort: 8080}]
        env: [{name: READY_AFTER_MS, value: "${opts.readyAfterMs ?? 1500}"}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;
}

export const nodePortService = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

export interface Inventory {
  /** Pods (their owners: sandboxes or single containers) by controller. */
  pods: Map<string, string[]>;
  /** Pods of a controller beyond its replicas, and a pod's container made twice. */
  duplicates: string[];
  /** App containers whose sandbox is gone, sandboxes with no app container. */
  orphans: string[];
  /** Containers that should run and do not. */
  notRunning: string[];
  /** Image of every app container of the controller, sorted. */
  images(controller: string): string[];
}

/**
 * The app's containers read as pods; `replicas` says how many pods each controller should have.
 * Pods still running out their grace period (Terminating in `get pods`, issue 18) are no longer
 * their controller's and are left out, as Kubernetes counts them.
 */
export async function inventory(t: Pick<E2eApp, 'containers' | 'berth'>, replicas: Record<string, number>): Promise<Inventory> {
  const leaving = await terminating(t);
  const all = (await t.containers()).filter((c) => !leaving.has(c.Labels['berth.name']!));
  // A pod is its owner: a sandbox, or a single-container pod's one container (isPodOwner).
  const owners = all.filter((c) => isPodOwner(c.Labels));
  const sandboxes = owners.filter((c) => c.Labels['berth.role'] === 'sandbox');
  const members = all.filter((c) => c.Labels['berth.role'] === 'container');
  const pods = new Map<string, string[]>();
  for (const s of owners) {
    const owner = s.Labels['berth.controller'] ?? '?';
    pods.set(owner, [...(pods.get(owner) ?? []), s.Labels['berth.name']!].sort());
  }
  const duplicates: string[] = [];
  for (const [owner, names] of pods) {
    const want = replicas[owner];
    if (want !== undefined && names.length > want) duplicates.push(`${owner}: ${names.length} pods for ${want} replicas`);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    for (const n of twice) duplicates.push(`owner of ${n} twice`);
  }
  const seen = new Map<string, number>();
  for (const c of members) {
    const key = `${c.Labels['berth.name']}/${c.Labels['berth.container']}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  for (const [key, n] of seen) if (n > 1) duplicates.push(`${key} ${n} times`);
  const sandboxNames = new Set(sandboxes.map((s) => s.Labels['berth.name']));
  const memberPods = new Set(members.map((c) => c.Labels['berth.name']));
  const orphans = [
    ...members.filter((c) => !isPodOwner(c.Labels) && !sandboxNames.has(c.Labels['berth.name'])).map((c) => `${c.Names[0]} (no sandbox)`),
    ...sandboxes.filter((s) => !memberPods.has(s.Labels['berth.name'])).map((s) => `${s.Names[0]} (sandbox alone)`),
  ];
  const notRunning = [...new Set([...owners, ...members])].filter((c) => c.State !== 'running').map((c) => `${c.Names[0]} (${c.State})`);
  return {
    pods,
    duplicates,
    orphans,
    notRunning,
    images: (controller) => members.filter((c) => c.Labels['berth.controller'] === controller).map((c) => c.Image).sort(),
  };
}

/** Names of the pods `get pods` shows Terminating; none when it cannot say (the engine or the store down mid-scenario). */
async function terminating(t: Pick<E2eApp, 'berth'>): Promise<Set<string>> {
  try {
    const r = await t.berth('get', 'pods', '-A', '-o', 'json');
    const items = (JSON.parse(r.stdout) as { items?: Array<{ metadata: { name: string; deletionTimestamp?: string } }> }).items ?? [];
    return new Set(items.filter((p) => p.metadata.deletionTimestamp !== undefined).map((p) => p.metadata.name));
  } catch {
    return new Set();
  }
}

/** Polls until `check` gives a value or `ms` passes (then undefined): chaos runs count, they do not throw. */
export async function within<T>(ms: number, check: () => Promise<T | undefined | false>, everyMs = 300): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
