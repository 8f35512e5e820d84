/**
 * The grace-period half of bench:rollout (issue 18): a 3-replica rolling update of the example
 * web app made to ignore SIGTERM (as most PID-1 node and shell processes do), once with
 * terminationGracePeriodSeconds 30 (Kubernetes' default) and once with 5, in the same run. Old
 * pods finish their grace period in the background (podReplacementPolicy TerminationStarted),
 * so both rollouts take about the same time; before, each wave waited out the grace period.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BERTH, fmtMs, must, table, timed } from './support.js';

const IGNORE_TERM = "const on = process.on.bind(process); process.on = (e, f) => (e === 'SIGTERM' ? process : on(e, f)); import('/app/server.mjs');";

const deployment = (version: string, grace: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: ${grace}
      containers:
      - name: web
        image: berth-examples/web:1.0
        command: ["node", "-e", ${JSON.stringify(IGNORE_TERM)}]
        env: [{name: APP_VERSION, value: "${version}"}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

/** Rolls v1 → v2 under each grace period and prints the times side by side; cleans up after itself. */
export async function benchGrace(dir: string): Promise<void> {
  const rows: string[][] = [['terminationGracePeriodSeconds', 'v1 → v2 rolling update (3 replicas, SIGTERM ignored)', 'rollout undo --wait (back to v1)']];
  const times: number[] = [];
  for (const grace of [30, 5]) {
    const manifests = join(dir, `grace-${grace}`);
    const empty = join(dir, `grace-${grace}-empty`);
    await Promise.all([mkdir(manifests, { recursive: true }), mkdir(empty, { recursive: true })]);
    const args = ['--app', `bench-grace-${grace}`, '--state-dir', join(dir, 'state')];
    try {
      await writeFile(join(manifests, 'web.yaml'), deployment('1.0', grace));
      must(await timed(BERTH, ['apply', '-f', manifests, '--wait', '--timeout', '5m', ...args]), `v1 apply (grace ${grace})`);
      await writeFile(join(manifests, 'web.yaml'), deployment('2.0', grace));
      const rollout = must(await timed(BERTH, ['apply', '-f', manifests, '--wait', '--timeout', '10m', ...args]), `v2 rollout (grace ${grace})`);
      times.push(rollout.ms);
      const undo = must(await timed(BERTH, ['rollout', 'undo', 'deployment/web', '--wait', '--timeout', '10m', ...args]), `rollout undo (grace ${grace})`);
      rows.push([`${grace} s`, fmtMs(rollout.ms), fmtMs(undo.ms)]);
    } finally {
      // The prune waits for the old pods' grace periods (a namespace's network goes after its pods).
      await timed(BERTH, ['apply', '-f', empty, '--prune', '--allow-empty', '--wait', '--timeout', '5m', ...args]);
    }
  }
  rows.push(['ratio 30 s / 5 s', `${(times[0]! / times[1]!).toFixed(2)}×`, '']);
  // What the issue measured on main before (the Kubernetes in Action Deployment flow, 30 s grace).
  rows.push(['baseline (issue 18, 30 s, main before)', '93 s', '52 s']);
  console.log(`\nbench:rollout — grace periods: old pods terminate in the background while the next wave proceeds\n`);
  console.log(table(rows));
}
