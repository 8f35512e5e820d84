import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/runtime/store/index.js';
import { storeHarness } from './harness.js';
import { COMBINED_PREFIX } from '../../../src/model/event-correlation.js';

const h = storeHarness();
const script = fileURLToPath(new URL('./child.ts', import.meta.url));

/**
 * Starts `child.ts write-loop` for each app, waits until every writer has committed at least
 * `minCommits` transactions, lets them run a random few more milliseconds and kills them with
 * SIGKILL. Returns, per app, the highest iteration a writer reported as committed.
 */
async function writeThenKill(dir: string, apps: readonly string[], minCommits: number, extraMs: number): Promise<Map<string, number>> {
  const reported = new Map<string, number>(apps.map((a) => [a, 0]));
  const children = apps.map((app) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, 'write-loop', dir, app], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const m of buffer.matchAll(/committed (\d+)\n/g)) reported.set(app, Math.max(reported.get(app) ?? 0, Number(m[1])));
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let gone = false;
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => {
        gone = true;
        resolve(signal);
      }),
    );
    return { child, exited, stderr: () => stderr, gone: () => gone };
  });
  try {
    // No deadline of our own (a loaded machine is slow, not wrong): a writer that died says why.
    while (apps.some((a) => (reported.get(a) ?? 0) < minCommits)) {
      if (children.some((c) => c.gone())) throw new Error(`a writer exited before it committed: ${children.map((c) => c.stderr()).join('\n')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, extraMs));
  } finally {
    for (const c of children) c.child.kill('SIGKILL');
  }
  const signals = await Promise.all(children.map((c) => c.exited));
  expect(signals.every((s) => s === 'SIGKILL')).toBe(true);
  return reported;
}

/** What a consistent app looks like: every row from one transaction, none lost. */
function expectConsistent(store: Store, app: string, committed: number): void {
  const status = store.getSourceStatus(app);
  const applied = Number(status?.lastApplied?.revision.replace('rev-', ''));
  expect(applied).toBeGreaterThanOrEqual(committed);
  const inventory = store.getInventory(app);
  expect(inventory).toHaveLength(20);
  expect(new Set(inventory.map((e) => `${e.sourceRevision}/${(e.object as { n: number }).n}`))).toEqual(new Set([`rev-${applied}/${applied}`]));
  // The loop's events differ only by message: after ten the store combines them (Kubernetes'
  // correlation), and the combined row shows the latest message.
  expect(store.listEvents({ app, limit: 1 }).map((e) => e.message.replace(COMBINED_PREFIX, ''))).toEqual([`rev-${applied}`]);
}

describe('durability under kill -9', () => {
  it('loses no committed transaction and never shows a partial one', async () => {
    const dir = h.tempDir();
    const rounds: Array<{ apps: string[]; committed: Map<string, number> }> = [];
    // Random kill points; the last round kills two writers contending for the lock.
    const plan = [['a1'], ['a2'], ['a3'], ['a4'], ['a5'], ['b1', 'b2']];
    for (const apps of plan) {
      const committed = await writeThenKill(dir, apps, 1 + Math.floor(Math.random() * 20), Math.floor(Math.random() * 40));
      rounds.push({ apps, committed });
      const { store } = h.open({ dir });
      expect(store.checkIntegrity()).toEqual({ ok: true, messages: ['ok'] });
      for (const round of rounds) for (const app of round.apps) expectConsistent(store, app, round.committed.get(app) ?? 0);
      store.close();
    }
  }, 120_000);
});
