/**
 * A separate berth process for the store's cross-process tests, run with `node --import tsx`.
 *   child.ts lease DIR HOLDER_ID      print `ready`, wait for a line on stdin (the starting gun),
 *                                     try to take app `app`'s lease once, print the result as
 *                                     JSON, and stay alive (holding it) until stdin closes
 *   child.ts write-loop DIR APP       commit multi-row transactions forever, printing
 *                                     `committed N` after each commit returns
 *   child.ts host-key DIR -           print `ready`, wait for the starting gun, print the host
 *                                     hash key (hex) and exit
 */
import { hostname } from 'node:os';
import { openStore } from '../../../src/runtime/store/index.js';
import { systemClock } from '../../../src/runtime/clock.js';
import { processAlive } from '../../../src/cli/process-alive.js';

const [mode, dir, arg] = process.argv.slice(2);
if (mode === undefined || dir === undefined || arg === undefined) throw new Error('usage: child.ts lease|write-loop|host-key DIR ARG');
const store = openStore({ isProcessAlive: processAlive, dir, clock: systemClock, busyTimeoutMs: 10_000 });

if (mode === 'lease') {
  process.stdout.write('ready\n');
  process.stdin.once('data', () => {
    const result = store.acquireLease('app', { id: arg, pid: process.pid, hostname: hostname(), kind: 'cli' }, 60_000);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
  process.stdin.once('end', () => store.close());
} else if (mode === 'host-key') {
  process.stdout.write('ready\n');
  process.stdin.once('data', () => {
    process.stdout.write(`${store.hostKey().toString('hex')}\n`);
    store.close();
    process.stdin.destroy();
  });
} else if (mode === 'write-loop') {
  writeLoop(arg);
} else {
  throw new Error(`unknown mode ${mode}`);
}

/**
 * Each iteration N replaces the app's whole inventory with ENTRIES rows tagged N, records N
 * as the applied revision and adds an event, in one transaction. A consistent file therefore
 * has every inventory row and the source status on the same N.
 */
function writeLoop(app: string): void {
  const ENTRIES = 20;
  const padding = 'x'.repeat(2000);
  for (let n = 1; ; n++) {
    const revision = `rev-${n}`;
    store.transaction(() => {
      const entries = Array.from({ length: ENTRIES }, (_, i) => ({
        key: `Pod/default/p${i}`,
        kind: 'Pod',
        namespace: 'default',
        name: `p${i}`,
        specHash: revision,
        object: { n, i, padding },
      }));
      store.replaceInventory(app, entries, { sourceRevision: revision });
      store.updateSourceStatus(app, { lastAppliedRevision: revision, syncState: 'Synced' });
      store.addEvent({ app, type: 'Normal', reason: 'Synced', objectKey: `App/${app}`, message: revision });
    });
    process.stdout.write(`committed ${n}\n`);
  }
}
