/**
 * Open kernel-forwarded flows per endpoint, read from `/proc/net/nf_conntrack` of the program's
 * network namespace. With kernel forwarding the proxy process never sees those connections, yet
 * berth must know when a removed endpoint has gone quiet before it stops the pod (drain).
 *
 * Pure parsing: the caller reads the file.
 */

/** `ip:port` of an endpoint as DNAT rewrote it → open flows. */
export type FlowCounts = Map<string, number>;

/** TCP states in which a flow still carries (or may still carry) data. */
const CLOSED = new Set(['TIME_WAIT', 'CLOSE']);

/**
 * Counts open TCP flows that were DNATed (the reply comes from another address than the
 * original destination), by the endpoint they were sent to. `origDports` limits the count to
 * flows that arrived on those ports (host mode: our node ports among everything the host runs).
 */
export function countDnatFlows(text: string, origDports?: ReadonlySet<number>): FlowCounts {
  const counts: FlowCounts = new Map();
  for (const line of text.split('\n')) {
    if (!line.includes(' tcp ')) continue;
    const f = parseLine(line);
    if (!f || CLOSED.has(f.state)) continue;
    if (f.replySrc === f.origDst) continue;
    if (origDports && !origDports.has(f.origDport)) continue;
    const key = `${f.replySrc}:${f.replySport}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

interface Flow {
  state: string;
  origDst: string;
  origDport: number;
  replySrc: string;
  replySport: number;
}

/**
 * `ipv4 2 tcp 6 431999 ESTABLISHED src=A dst=B sport=1 dport=2 src=C dst=D sport=3 dport=4 [ASSURED] ...`:
 * the first src/dst/sport/dport group is the original direction, the second the reply.
 */
export function parseLine(line: string): Flow | undefined {
  const words = line.trim().split(/\s+/);
  const state = words.find((w) => /^[A-Z_]+$/.test(w)) ?? '';
  const fields: Record<string, string[]> = {};
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) continue;
    const k = w.slice(0, eq);
    (fields[k] ??= []).push(w.slice(eq + 1));
  }
  const origDst = fields.dst?.[0];
  const replySrc = fields.src?.[1];
  const origDport = Number(fields.dport?.[0]);
  const replySport = Number(fields.sport?.[1]);
  if (!origDst || !replySrc || !Number.isInteger(origDport) || !Number.isInteger(replySport)) return undefined;
  return { state, origDst, origDport, replySrc, replySport };
}

export function sameCounts(a: FlowCounts, b: FlowCounts): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Closed flows of one node port to one address that is no endpoint any more (one `conntrack -D`). */
export interface DepartedFlows {
  dport: number;
  ip: string;
  /** The endpoint's port (reply source port). */
  port: number;
  state: 'TIME_WAIT' | 'CLOSE';
  count: number;
}

/**
 * Host fast path: closed (TIME_WAIT, CLOSE) DNATed flows that arrived on `origDports` and went
 * to an address the config no longer lists, grouped by port, address and state.
 *
 * Why they matter (issue 13 #4): when a pod's sandbox goes, dockerd deletes every conntrack
 * entry of the host that mentions its address, by dumping the table and then deleting each
 * match by its ORIGINAL tuple. A fast-path entry's original tuple is the client's
 * (`client:port → host:nodePort`), not the pod's: a client that reuses that source port while
 * the old entry sits in TIME_WAIT reopens it, the kernel replaces it with a new entry (same
 * tuple, DNATed to a live pod), and dockerd's delete, arriving a moment later, removes the live
 * one. The connection then loses its NAT mapping mid-request (ECONNRESET or a timeout).
 * Entries gone before dockerd looks cannot be matched, so the fast path deletes these itself
 * as soon as they are closed, and berth removes the sandbox only after that (runtime/services.ts
 * afterStop). Open flows are never touched (they drain). The `conntrack` tool deletes by
 * original tuple too, but each entry right as the dump returns it, not after reading the whole
 * table as dockerd does: the window for a reopen in between shrinks from up to a second to
 * about a millisecond (one batch of the dump). Deleting by reply tuple (which names the
 * departed pod) would close it, and needs netlink access the image does not have.
 */
export function departedClosedFlows(text: string, origDports: ReadonlySet<number>, endpoints: ReadonlySet<string>): DepartedFlows[] {
  const groups = new Map<string, DepartedFlows>();
  for (const line of text.split('\n')) {
    if (!line.includes(' tcp ')) continue;
    const f = parseLine(line);
    if (!f || (f.state !== 'TIME_WAIT' && f.state !== 'CLOSE')) continue;
    if (f.replySrc === f.origDst || !origDports.has(f.origDport) || endpoints.has(f.replySrc)) continue;
    const key = `${f.origDport} ${f.replySrc} ${f.replySport} ${f.state}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { dport: f.origDport, ip: f.replySrc, port: f.replySport, state: f.state, count: 1 });
  }
  return [...groups.values()].sort((a, b) => a.dport - b.dport || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0) || a.port - b.port || (a.state < b.state ? -1 : 1));
}
