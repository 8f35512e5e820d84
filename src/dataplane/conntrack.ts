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
