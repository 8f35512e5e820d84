import { describe, expect, it } from 'vitest';
import { createTicketBook, TICKET_TTL_MS, type ExecTarget } from '../../../src/runtime/api/tickets.js';
import { FakeClock } from '../../support/fake-clock.js';

const TARGET: ExecTarget = { namespace: 'default', pod: 'web-1', container: 'web', command: ['sh', '-c', 'echo hi'], tty: true };

function book() {
  const clock = new FakeClock();
  let n = 0;
  // Distinct, predictable bytes per ticket: the book must not care where randomness comes from.
  const randomBytes = (size: number) => Buffer.alloc(size, ++n);
  return { clock, tickets: createTicketBook({ clock, randomBytes }) };
}

describe('exec tickets', () => {
  it('a ticket is 32 bytes base64url, and redeems once for exactly its target', () => {
    const { tickets } = book();
    const { ticket } = tickets.issue(TARGET);
    expect(Buffer.from(ticket, 'base64url')).toHaveLength(32);
    expect(tickets.redeem(ticket)).toEqual(TARGET);
    expect(tickets.redeem(ticket)).toBeUndefined();
  });

  it.each([
    ['just before expiry', TICKET_TTL_MS - 1, true],
    ['at expiry', TICKET_TTL_MS, false],
    ['long after', 10 * TICKET_TTL_MS, false],
  ])('redeemed %s (+%i ms): %s', async (_when, after, valid) => {
    const { clock, tickets } = book();
    const { ticket, expiresAt } = tickets.issue(TARGET);
    expect(expiresAt).toBe(clock.now() + TICKET_TTL_MS);
    await clock.advance(after);
    expect(tickets.redeem(ticket) !== undefined).toBe(valid);
  });

  it.each(['', 'x', 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=', ' '])('an unknown ticket %j redeems nothing', (ticket) => {
    const { tickets } = book();
    tickets.issue(TARGET);
    expect(tickets.redeem(ticket)).toBeUndefined();
  });

  it('the target is fixed at issue: changing the caller\'s object later changes nothing', () => {
    const { tickets } = book();
    const target = { ...TARGET, command: ['sh'] };
    const { ticket } = tickets.issue(target);
    target.command.push('-c', 'rm -rf /');
    target.pod = 'other';
    expect(tickets.redeem(ticket)).toEqual({ ...TARGET, command: ['sh'] });
  });

  it('keeps at most 64 outstanding: the oldest go first', () => {
    const { tickets } = book();
    const issued = Array.from({ length: 70 }, () => tickets.issue(TARGET).ticket);
    expect(issued.slice(0, 6).map((t) => tickets.redeem(t))).toEqual(Array(6).fill(undefined));
    expect(issued.slice(6).every((t) => tickets.redeem(t) !== undefined)).toBe(true);
  });
});
