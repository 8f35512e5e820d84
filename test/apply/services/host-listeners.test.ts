import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostListener, ProcNetTable } from '../../../src/apply/services/host-listeners.js';
import { parseProcNet, readHostListeners } from '../../../src/apply/services/host-listeners.js';

/** Headers and lines as Linux 5.x prints them (trailing columns shortened). */
const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const TCP6_HEADER = '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const UDP_HEADER = '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops';
const line = (n: number, local: string, remote: string, state: string) => `  ${n}: ${local} ${remote} ${state} 00000000:00000000 00:00000000 00000000     0        0 1193 1 00000000a8368dd1 100 0 0 10 0`;

const ANY6 = '00000000000000000000000000000000';
const LOOP6 = '00000000000000000000000001000000';

describe('parseProcNet: the serving sockets of a /proc/net table', () => {
  it.each<{ name: string; table: ProcNetTable; lines: string[]; want: HostListener[] }>([
    {
      name: 'TCP: a LISTEN socket on every IPv4 address',
      table: 'tcp',
      lines: [TCP_HEADER, line(0, '00000000:6A33', '00000000:0000', '0A')],
      want: [{ protocol: 'TCP', address: '0.0.0.0', port: 27187 }],
    },
    {
      name: 'TCP: a LISTEN socket on loopback counts too (the port is taken for the wildcard bind)',
      table: 'tcp',
      lines: [TCP_HEADER, line(0, '0100007F:1F90', '00000000:0000', '0A')],
      want: [{ protocol: 'TCP', address: '127.0.0.1', port: 8080 }],
    },
    {
      name: 'TCP: established, TIME_WAIT and SYN_SENT sockets are not listeners',
      table: 'tcp',
      lines: [TCP_HEADER, line(0, '0100007F:B1C9', '0100007F:8650', '01'), line(1, '0100007F:822D', '0100007F:E89A', '06'), line(2, '0A00000F:D2A4', '5DB8D822:0050', '02')],
      want: [],
    },
    {
      name: 'TCP: a listener on a specific address, among connections',
      table: 'tcp',
      lines: [TCP_HEADER, line(0, '0A00000F:7534', '0A000001:C350', '01'), line(1, '0A00000F:0016', '00000000:0000', '0A')],
      want: [{ protocol: 'TCP', address: '15.0.0.10', port: 22 }],
    },
    {
      name: 'TCP over IPv6: the wildcard and loopback',
      table: 'tcp6',
      lines: [TCP6_HEADER, line(0, `${ANY6}:6A33`, `${ANY6}:0000`, '0A'), line(1, `${LOOP6}:0277`, `${ANY6}:0000`, '0a')],
      want: [
        { protocol: 'TCP', address: '::', port: 27187 },
        { protocol: 'TCP', address: '::1', port: 631 },
      ],
    },
    {
      name: 'TCP over IPv6: an IPv4-mapped listener and an established connection',
      table: 'tcp6',
      lines: [TCP6_HEADER, line(0, '0000000000000000FFFF00000100007F:2382', `${ANY6}:0000`, '0A'), line(1, `${LOOP6}:1F90`, `${LOOP6}:A000`, '01')],
      want: [{ protocol: 'TCP', address: '::ffff:7f00:1', port: 9090 }],
    },
    {
      name: 'UDP: a bound socket without a peer serves (state 07), a connected client socket does not',
      table: 'udp',
      lines: [UDP_HEADER, line(0, '00000000:0035', '00000000:0000', '07'), line(1, '0F00000A:A1B2', '08080808:0035', '01')],
      want: [{ protocol: 'UDP', address: '0.0.0.0', port: 53 }],
    },
    {
      name: 'UDP over IPv6',
      table: 'udp6',
      lines: [UDP_HEADER, line(0, `${ANY6}:14E9`, `${ANY6}:0000`, '07')],
      want: [{ protocol: 'UDP', address: '::', port: 5353 }],
    },
    {
      name: 'the header, blank and malformed lines are skipped',
      table: 'tcp',
      lines: [TCP_HEADER, '', '  7: 0000:1F90 00000000:0000 0A', '  8: 00000000:1F90', 'garbage', line(9, '00000000:1F91', '00000000:0000', '0A')],
      want: [{ protocol: 'TCP', address: '0.0.0.0', port: 8081 }],
    },
  ])('$name', ({ table, lines, want }) => {
    expect(parseProcNet(lines.join('\n'), table)).toEqual(want);
  });

  it('reads addresses in the byte order of a big-endian host', () => {
    expect(parseProcNet([TCP_HEADER, line(0, '7F000001:1F90', '00000000:0000', '0A')].join('\n'), 'tcp', 'BE')).toEqual([{ protocol: 'TCP', address: '127.0.0.1', port: 8080 }]);
  });
});

describe('readHostListeners', () => {
  it('reads every table of a directory; a table the kernel lacks (IPv6 off) is empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-procnet-'));
    try {
      await writeFile(join(dir, 'tcp'), [TCP_HEADER, line(0, '00000000:6A33', '00000000:0000', '0A')].join('\n'));
      await writeFile(join(dir, 'udp'), [UDP_HEADER, line(0, '00000000:0035', '00000000:0000', '07')].join('\n'));
      expect(await readHostListeners(dir)).toEqual([
        { protocol: 'TCP', address: '0.0.0.0', port: 27187 },
        { protocol: 'UDP', address: '0.0.0.0', port: 53 },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("sees this process's own listener in the real /proc/net", async () => {
    const net = await import('node:net');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    try {
      const { port } = server.address() as import('node:net').AddressInfo;
      expect((await readHostListeners()).filter((l) => l.port === port)).toEqual([{ protocol: 'TCP', address: '0.0.0.0', port }]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
