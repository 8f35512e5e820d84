import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterEach } from 'vitest';
import { openStore, type OpenStoreOptions, type Store } from '../../../src/runtime/store/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { processAlive } from '../../../src/cli/process-alive.js';

export interface OpenedStore {
  store: Store;
  clock: FakeClock;
  dir: string;
}

/**
 * Temp state dirs and stores for one test file, closed and removed after each test even
 * when it fails. `open()` without a dir makes a fresh one; pass `dir` to open a second
 * connection to the same file.
 */
export function storeHarness() {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'berth-store-'));
    dirs.push(d);
    return d;
  };
  const open = (options: Partial<OpenStoreOptions> & { clock?: FakeClock } = {}): OpenedStore => {
    const clock = options.clock ?? new FakeClock();
    const dir = options.dir ?? join(tempDir(), 'state');
    const store = openStore({ isProcessAlive: processAlive, ...options, dir, clock });
    stores.push(store);
    return { store, clock, dir };
  };
  return { tempDir, open };
}

/** Runs `fn` and returns the error it throws, so tests can assert code and data. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, none was thrown');
}

/** Returns a function that resolves with the child's next stdout line. */
export function readLines(child: ChildProcessByStdio<Writable, Readable, null>): () => Promise<string> {
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  return () => {
    const line = lines.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => waiters.push(resolve));
  };
}
