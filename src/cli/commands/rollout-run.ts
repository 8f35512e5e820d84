import { dump } from 'js-yaml';
import { BerthError } from '../../model/errors.js';
import type { IntentSpec } from '../../model/intent.js';
import type { RolloutRecord } from '../../runtime/store/index.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import type { Engine } from '../engine.js';
import { openEngine } from '../engine.js';
import type { EngineFlags } from '../engine-flags.js';
import { parseDuration } from '../engine-flags.js';
import { kubectlNameOfKey, parseKey } from '../output/kube-names.js';
import type { ValidationFlags } from '../validation-flags.js';
import { explicitHostPolicy } from '../validation-flags.js';
import { policyInForce } from '../../runtime/pass/index.js';
import { submitChange } from './submit-change.js';
import { watchRollout } from './rollout-watch.js';

type Action = 'status' | 'history' | 'undo' | 'restart' | 'pause' | 'resume';

interface Flags extends EngineFlags, ValidationFlags {
  timeout?: string;
  revision?: string;
  toRevision?: string;
  wait?: boolean;
  watch?: boolean;
}

export async function runRollout(action: Action, key: string, flags: Flags, ctx: CliContext): Promise<number> {
  const engine = openEngine(flags, ctx.io);
  try {
    const entry = engine.store.getInventory(engine.app).find((e) => e.key === key);
    if (!entry) {
      const { kind, namespace, name } = parseKey(key);
      throw new BerthError('NOT_FOUND', `${kind === 'DaemonSet' ? 'daemonsets' : kind === 'StatefulSet' ? 'statefulsets' : 'deployments'}.apps "${name}" not found in namespace ${namespace} (app ${engine.app})`, { key });
    }
    // Policy flags given here replace, for this command, the policy the app was last applied with.
    const explicit = explicitHostPolicy(flags);
    switch (action) {
      case 'history':
        return history(engine, key, flags, ctx);
      case 'status':
        return await watchRollout(engine, key, { timeoutMs: parseDuration(flags.timeout ?? '5m'), watch: flags.watch !== false }, ctx, policyInForce(engine.store, engine.app, explicit));
      case 'undo':
      case 'restart':
      case 'pause':
      case 'resume': {
        // Recorded as an intent; the pass that holds the app acts on it (runtime/control.ts).
        // restart, pause and resume bring no template the app was not applied with; undo's one
        // template is checked by that pass under its policy.
        const spec: IntentSpec = action === 'undo' ? { type: 'undo', deployment: key, ...toRevision(flags.toRevision) } : { type: action, deployment: key };
        return await submitChange(engine, ctx, spec, { wait: flags.wait ?? false, timeoutMs: parseDuration(flags.timeout ?? '5m'), policy: policyInForce(engine.store, engine.app, explicit), key });
      }
    }
  } finally {
    await engine.close();
  }
}

/** `--to-revision N`; 0 (kubectl's default) and none mean the newest earlier revision that did not fail. */
function toRevision(flag: string | undefined): { toRevision?: number } {
  if (flag === undefined || flag === '0') return {};
  const n = Number(flag);
  if (!Number.isInteger(n)) throw new BerthError('NOT_FOUND', `unable to find the specified revision ${flag}`, { revision: flag });
  return { toRevision: n };
}

function name(key: string): string {
  return kubectlNameOfKey(key);
}

function history(engine: Engine, key: string, flags: Flags, ctx: CliContext): number {
  const records = engine.store.listRollouts(engine.app, key);
  if (flags.revision !== undefined) {
    const rec = records.find((r) => r.revision === Number(flags.revision));
    if (!rec) throw new BerthError('NOT_FOUND', `unable to find the specified revision ${flags.revision} of ${name(key)}`, { key, revision: flags.revision });
    print(ctx.io.stdout, `${name(key)} with revision #${rec.revision}`);
    print(ctx.io.stdout, `Source revision: ${rec.sourceRevision}`);
    print(ctx.io.stdout, `Outcome:         ${rec.outcome}${rec.message ? ` (${rec.message})` : ''}`);
    print(ctx.io.stdout, `Pod Template (${key.startsWith('DaemonSet/') || key.startsWith('StatefulSet/') ? 'controller-revision-hash' : 'pod-template-hash'} ${rec.templateHash}):`);
    print(ctx.io.stdout, indent(dump(rec.template, { sortKeys: true }), '  '));
    return 0;
  }
  print(ctx.io.stdout, name(key));
  const pin = engine.store.getPin(engine.app, key);
  const rows = [['REVISION', 'CHANGE-CAUSE', 'SOURCE', 'OUTCOME', 'STARTED', 'DURATION']];
  // By template, as the pin holds: undo renumbers the revision it rolls out again.
  for (const r of records) rows.push(historyRow(r, pin?.templateHash === r.templateHash));
  print(ctx.io.stdout, table(rows));
  return 0;
}

function historyRow(r: RolloutRecord, pinned: boolean): string[] {
  const duration = r.finishedAt !== undefined ? `${Math.max(0, Math.round((r.finishedAt - r.startedAt) / 1000))}s` : '-';
  return [String(r.revision), r.changeCause ?? '<none>', r.sourceRevision.slice(0, 12), `${r.outcome}${pinned ? ' (pinned)' : ''}`, new Date(r.startedAt).toISOString(), duration];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 2))).join('')).join('\n');
}

function indent(text: string, pad: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
