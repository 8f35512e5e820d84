/**
 * Scale up/down and rollouts behind a NodePort under steady HTTP load, keep-alive and a new
 * connection per request (issue 13 #4, SPEC §5): zero failed requests. `scaleUnderLoad` is the
 * one scenario both the chaos suite and an e2e test can run:
 *
 *   const result = await scaleUnderLoad({ cycles: 5 });
 *   result.stats.failed   // 0 is the promise; result.failures tells each one against the step it happened in
 */
import type { E2eApp } from '../e2e/support/harness.js';
import { hostAddress, stopDataplane, type SvcJson } from '../e2e/support/services.js';
import { describeFailures, startLoad, type LoadStats } from './load.js';
import { chaosApp, cleanupApp, inventory, nodePortService, row, webDeployment, type Row } from './support.js';

export interface ScaleLoadOptions {
  /** Each cycle: scale low→high, high→low, roll out the other image version. */
  cycles: number;
  low?: number;
  high?: number;
  /** Requests per second of each kind (default 20). */
  perSecond?: number;
  /** An app to use (its manifests are replaced); default a new one, removed afterwards. */
  app?: E2eApp;
}

export interface ScaleLoadResult {
  stats: LoadStats;
  /** Each failed request relative to the step it happened in. */
  failures: string[];
  /** Steps whose `apply --wait` failed or whose pods were not what was asked afterwards. */
  stepFailures: string[];
  steps: number;
  /** Cycles whose every step ended with the pods asked for. */
  cyclesConverged: number;
  duplicates: string[];
  orphans: string[];
  seconds: number;
}

export async function scaleUnderLoad(options: ScaleLoadOptions): Promise<ScaleLoadResult> {
  const low = options.low ?? 2;
  const high = options.high ?? 6;
  const t = options.app ?? (await chaosApp('scale-load'));
  const result: ScaleLoadResult = { stats: { requests: 0, failed: 0, byKind: { 'keep-alive': { requests: 0, failed: 0 }, 'new-connection': { requests: 0, failed: 0 } }, byError: {}, retriedReused: 0 }, failures: [], stepFailures: [], steps: 0, cyclesConverged: 0, duplicates: [], orphans: [], seconds: 0 };
  let version = '1.0';
  let replicas = low;
  const apply = async () => {
    await t.write({ 'web.yaml': webDeployment({ version, replicas, readyAfterMs: 500, grace: 5 }), 'svc.yaml': nodePortService });
    return t.berth('apply', '-f', t.dir, '--wait', '--timeout', '180s');
  };
  try {
    const first = await apply();
    if (first.code !== 0) throw new Error(`apply failed: ${first.stderr}`);
    const nodePort = (JSON.parse((await t.berth('get', 'svc', 'web', '-o', 'json')).stdout) as SvcJson).spec.ports[0]!.nodePort!;
    const host = hostAddress();
    // The host's own address takes the kernel fast path; 127.0.0.1 goes through docker-proxy.
    const urls = [`http://${host}:${nodePort}/`, `http://127.0.0.1:${nodePort}/`];
    const load = startLoad({ keepAlive: urls, fresh: urls, perSecond: options.perSecond ?? 20 });
    const began = Date.now();
    await new Promise((r) => setTimeout(r, 2_000));
    const step = async (label: string) => {
      result.steps++;
      load.mark(label);
      const r = await apply();
      const inv = await inventory(t, { 'Deployment/default/web': replicas });
      const images = inv.images('Deployment/default/web');
      if (r.code !== 0 || images.length !== replicas || images.some((i) => i !== `berth-examples/web:${version}`) || inv.notRunning.length > 0) {
        result.stepFailures.push(`${label}: exit ${r.code}, ${images.length} pods (${r.stderr.trim().split('\n').pop() ?? ''})`);
      }
      result.duplicates.push(...inv.duplicates);
      result.orphans.push(...inv.orphans);
      // A quiet moment after each step: late resets (after the endpoints changed) count too.
      await new Promise((res) => setTimeout(res, 1_500));
    };
    for (let c = 0; c < options.cycles; c++) {
      const before = result.stepFailures.length;
      replicas = high;
      await step(`scale ${low}→${high}`);
      replicas = low;
      await step(`scale ${high}→${low}`);
      version = version === '1.0' ? '2.0' : '1.0';
      await step(`rollout to ${version}`);
      if (result.stepFailures.length === before) result.cyclesConverged++;
    }
    result.stats = await load.stop();
    result.seconds = (Date.now() - began) / 1000;
    result.failures = describeFailures(load);
  } finally {
    if (!options.app) {
      await stopDataplane(t);
      await cleanupApp(t);
    }
  }
  return result;
}

export async function scaleLoadRow(cycles: number): Promise<Row> {
  const r = row('scale/rollout under HTTP load');
  try {
    const res = await scaleUnderLoad({ cycles });
    r.runs = cycles;
    r.converged = res.cyclesConverged;
    r.duplicates = res.duplicates.length;
    r.orphans = res.orphans.length;
    r.failedRequests = res.stats.failed;
    const k = res.stats.byKind;
    r.notes.push(
      `${res.stats.requests} requests in ${res.seconds.toFixed(0)} s over ${res.steps} steps: keep-alive ${k['keep-alive'].failed}/${k['keep-alive'].requests} failed, ` +
        `new-connection ${k['new-connection'].failed}/${k['new-connection'].requests} failed; errors ${JSON.stringify(res.stats.byError)}; reused keep-alive connections retried ${res.stats.retriedReused}`,
    );
    r.failures.push(...res.stepFailures, ...res.failures, ...res.duplicates, ...res.orphans);
  } catch (err) {
    r.failures.push(`aborted: ${(err as Error).message.split('\n')[0]}`);
  }
  return r;
}
