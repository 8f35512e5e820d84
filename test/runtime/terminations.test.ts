import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/runtime/log.js';
import { createTerminations } from '../../src/runtime/terminations.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('runtime/terminations: pod terminations running in the background', () => {
  it('runs one termination per pod at a time and forgets it once it ended', async () => {
    const t = createTerminations(silentLogger());
    const gate = deferred();
    let runs = 0;
    const work = async () => {
      runs++;
      await gate.promise;
    };
    t.run('default/a', work);
    t.run('default/a', work);
    expect(runs).toBe(1);
    expect(t.pending()).toEqual(['default/a']);
    gate.resolve();
    await t.idle();
    expect(t.pending()).toEqual([]);
    expect(t.has('default/a')).toBe(false);
  });

  it('signalled() resolves once every running termination signalled its containers, before they end', async () => {
    const t = createTerminations(silentLogger());
    const end = deferred();
    const order: string[] = [];
    t.run('default/a', async (signalled) => {
      signalled();
      await end.promise;
      order.push('ended');
    });
    await t.signalled();
    order.push('signalled');
    end.resolve();
    await t.idle();
    expect(order).toEqual(['signalled', 'ended']);
  });

  it('a failed termination ends quietly (a later pass finishes it) and signals anyway', async () => {
    const t = createTerminations(silentLogger());
    t.run('default/a', () => Promise.reject(new Error('docker went away')));
    await t.signalled();
    await t.idle();
    expect(t.pending()).toEqual([]);
  });

  it('abandon() lets go of the waits and takes nothing new', async () => {
    const t = createTerminations(silentLogger());
    let aborted = false;
    t.run('default/a', async (signalled, signal) => {
      signalled();
      await new Promise<void>((_, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(signal.reason))));
    });
    await t.abandon();
    expect(aborted).toBe(true);
    t.run('default/b', () => Promise.resolve());
    expect(t.pending()).toEqual([]);
  });
});
