import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../../model/errors.js';

/**
 * The sockets processes of the host serve on, from the kernel's socket tables (/proc/net/tcp,
 * tcp6, udp, udp6). Docker only knows the ports containers publish; a Service that publishes a
 * port a host process (sshd, a database, a web server) listens on would take that port's
 * traffic on every non-loopback address with the host fast path's DNAT rules (issue 11), so
 * such ports are refused and never allocated (containers.ts, runtime/node-ports.ts).
 *
 * /proc/net is the table of the reading process's network namespace: berth sees the host's
 * sockets when it runs natively or in a container with `--network host` (deploy/Dockerfile),
 * and not those of a remote DOCKER_HOST (docs/services.md).
 */
export interface HostListener {
  protocol: 'TCP' | 'UDP';
  /** The local address as the kernel shows it: `0.0.0.0`, `127.0.0.1`, `::`, `::1`. */
  address: string;
  port: number;
}

export type ProcNetTable = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export const PROC_NET_TABLES: readonly ProcNetTable[] = ['tcp', 'tcp6', 'udp', 'udp6'];

/** TCP_LISTEN in include/net/tcp_states.h. */
const TCP_LISTEN = '0A';

/**
 * The serving sockets of one table: TCP sockets in LISTEN, and UDP sockets bound to a local port
 * without a peer (a connected UDP socket is a client's, with an ephemeral port that comes and
 * goes). `order` is the host's byte order: the kernel prints each 32-bit word of an address in
 * it. Lines that do not parse (the header, a truncated line) are skipped.
 */
export function parseProcNet(text: string, table: ProcNetTable, order: 'LE' | 'BE' = 'LE'): HostListener[] {
  const protocol = table.startsWith('tcp') ? 'TCP' : 'UDP';
  const out: HostListener[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (!/^\d+:$/.test(fields[0] ?? '')) continue;
    const local = splitEndpoint(fields[1]);
    const remote = splitEndpoint(fields[2]);
    const state = fields[3]?.toUpperCase();
    if (!local || !remote || state === undefined) continue;
    const serving = protocol === 'TCP' ? state === TCP_LISTEN : remote.port === 0 && /^0+$/.test(remote.hex);
    if (!serving) continue;
    const address = renderAddress(local.hex, order);
    if (address === undefined) continue;
    out.push({ protocol, address, port: local.port });
  }
  return out;
}

function splitEndpoint(field: string | undefined): { hex: string; port: number } | undefined {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(field ?? '');
  return m ? { hex: m[1]!, port: parseInt(m[2]!, 16) } : undefined;
}

/** `0100007F` → `127.0.0.1` (little-endian); 32 hex digits → an IPv6 address, `::` shortened. */
function renderAddress(hex: string, order: 'LE' | 'BE'): string | undefined {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => {
    const b = (w.match(/../g) ?? []).map((x) => parseInt(x, 16));
    return order === 'LE' ? b.reverse() : b;
  });
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length !== 16) return undefined;
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  return shortenIpv6(groups);
}

/** RFC 5952: the longest run (two or more) of zero groups becomes `::`. */
function shortenIpv6(groups: string[]): string {
  let best = { at: -1, len: 0 };
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  if (best.len < 2) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/**
 * Every serving socket of the network namespace berth runs in. A table the kernel does not
 * have (IPv6 disabled) is empty; any other read error is an error: refusing nothing because the
 * tables could not be read would let a Service take a host service's port.
 */
export async function readHostListeners(dir = '/proc/net'): Promise<HostListener[]> {
  const order = endianness();
  const tables = await Promise.all(
    PROC_NET_TABLES.map(async (table) => {
      try {
        return parseProcNet(await readFile(join(dir, table), 'utf8'), table, order);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new BerthError('INTERNAL', `cannot read the host's sockets from ${join(dir, table)}: ${(err as Error).message}`, { file: join(dir, table) }, { cause: err });
      }
    }),
  );
  return tables.flat();
}
