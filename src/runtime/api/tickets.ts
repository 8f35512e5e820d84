import type { Clock } from '../../model/clock.js';

/** What an exec ticket lets its bearer run, fixed when it is issued. */
export interface ExecTarget {
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
  tty: boolean;
}

export interface TicketBook {
  /** A new one-time ticket for `target`, valid for the book's ttl. */
  issue(target: ExecTarget): { ticket: string; expiresAt: number };
  /** The target of a ticket not used nor expired yet; the ticket is spent either way. */
  redeem(ticket: string): ExecTarget | undefined;
}

/** docs/decisions.md ("Web UI auth"): a ticket is good for 30 s, once: long enough for the page to open its socket, short enough that a leaked URL is worthless. */
export const TICKET_TTL_MS = 30_000;
/** More outstanding tickets than a page would ever ask for; the oldest go first past this. */
const MAX_OUTSTANDING = 64;
const TICKET_BYTES = 32;

/**
 * One-time tickets for the exec WebSocket (docs/decisions.md "Web UI auth"): a browser cannot
 * put a bearer token on a WebSocket handshake, so it POSTs for a ticket with its token and
 * hands the ticket to the socket's URL. A ticket is 32 random bytes, lives 30 s, is spent by its
 * first use (a leaked URL is worth nothing afterwards) and names the pod, container and command
 * it was issued for, so the socket cannot be pointed elsewhere. Held in the server's closure:
 * a restart voids them all, which is right.
 */
export function createTicketBook(deps: { clock: Clock; randomBytes: (n: number) => Buffer; ttlMs?: number }): TicketBook {
  const ttl = deps.ttlMs ?? TICKET_TTL_MS;
  const tickets = new Map<string, { target: ExecTarget; expiresAt: number }>();
  const prune = (now: number) => {
    for (const [t, entry] of tickets) if (entry.expiresAt <= now) tickets.delete(t);
    // Map order is insertion order: the first keys are the oldest.
    for (const t of tickets.keys()) {
      if (tickets.size < MAX_OUTSTANDING) break;
      tickets.delete(t);
    }
  };
  return {
    issue(target) {
      const now = deps.clock.now();
      prune(now);
      const ticket = deps.randomBytes(TICKET_BYTES).toString('base64url');
      const expiresAt = now + ttl;
      tickets.set(ticket, { target: { ...target, command: [...target.command] }, expiresAt });
      return { ticket, expiresAt };
    },
    redeem(ticket) {
      const entry = tickets.get(ticket);
      if (!entry) return undefined;
      tickets.delete(ticket);
      return entry.expiresAt > deps.clock.now() ? entry.target : undefined;
    },
  };
}
