import { describe, expect, it } from 'vitest';
import { INTENT_POLL_MS, pollIntents } from '../../../src/runtime/daemon/intent-poll.js';
import { FakeClock } from '../../support/fake-clock.js';

describe("the daemon's poll for intents no signal announced", () => {
  it('triggers once per poll while intents are pending, survives an unreadable store, and stops', async () => {
    const clock = new FakeClock();
    const answers: Array<boolean | 'throw'> = [false, true, 'throw', true];
    let triggers = 0;
    let stopped = false;
    const poll = pollIntents({
      clock,
      pending: () => {
        const a = answers.shift() ?? false;
        if (a === 'throw') throw new Error('SQLITE_BUSY');
        return a;
      },
      trigger: () => triggers++,
      stopped: () => stopped,
    });
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      await clock.advance(INTENT_POLL_MS);
      seen.push(triggers);
    }
    expect(seen).toEqual([0, 1, 1, 2]);
    poll.stop();
    stopped = true;
    answers.push(true);
    await clock.advance(INTENT_POLL_MS * 3);
    expect(triggers).toBe(2);
  });
});
