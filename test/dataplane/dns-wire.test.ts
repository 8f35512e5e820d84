import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/dataplane/dns-wire.js';
import { buildQuery, DnsFormatError, encodeMessage, parseMessage, readName, TYPE } from '../../src/dataplane/dns-wire.js';

const header = { id: 513, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, rcode: 0 };

describe('DNS wire format', () => {
  it('round-trips every record type it builds, compressing repeated names', () => {
    const msg: Message = {
      header,
      questions: [{ name: 'db.shop.svc.cluster.local', type: TYPE.ANY, class: 1 }],
      answers: [
        { name: 'db.shop.svc.cluster.local', type: TYPE.A, class: 1, ttl: 5, data: '10.1.0.5' },
        { name: 'db.shop.svc.cluster.local', type: TYPE.AAAA, class: 1, ttl: 5, data: 'fd00::a:1' },
        { name: 'db.shop.svc.cluster.local', type: TYPE.AAAA, class: 1, ttl: 5, data: '::ffff:10.0.0.1' },
        { name: 'db.shop.svc.cluster.local', type: TYPE.CNAME, class: 1, ttl: 5, data: 'x.example.com' },
        { name: 'db.shop.svc.cluster.local', type: TYPE.SRV, class: 1, ttl: 5, data: { priority: 1, weight: 2, port: 5432, target: 'db-0.db.shop.svc.cluster.local' } },
        { name: 'db.shop.svc.cluster.local', type: TYPE.TXT, class: 1, ttl: 5, data: Buffer.from('\x05hello') },
      ],
      authority: [
        {
          name: 'cluster.local',
          type: TYPE.SOA,
          class: 1,
          ttl: 5,
          data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 4294967295, refresh: 1, retry: 2, expire: 3, minimum: 4 },
        },
      ],
      additional: [{ name: '', type: TYPE.OPT, class: 1232, ttl: 0, data: Buffer.alloc(0) }],
    };
    const wire = encodeMessage(msg);
    const back = parseMessage(wire);
    expect(back).toEqual({ ...msg, answers: msg.answers.map((rr) => (rr.data === '::ffff:10.0.0.1' ? { ...rr, data: '::ffff:a00:1' } : rr)) });
    // Compression: "shop.svc.cluster.local" is spelled out once; every later name points at it.
    const label = Buffer.from('\x04shop', 'latin1');
    expect(wire.indexOf(label)).toBe(wire.lastIndexOf(label));
  });

  it('reads names through compression pointers', () => {
    const buf = Buffer.from([...Array(12).fill(0), 3, 0x77, 0x77, 0x77, 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 4, ...Buffer.from('mail'), 0xc0, 16]);
    expect(readName(buf, 12)).toEqual({ name: 'www.example.com', next: 29 });
    expect(readName(buf, 29)).toEqual({ name: 'mail.example.com', next: 36 });
  });

  it.each([
    ['a pointer loop', [...Array(12).fill(0), 0xc0, 12]],
    ['a forward pointer', [...Array(12).fill(0), 0xc0, 20, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['a label past the end', [...Array(12).fill(0), 9, 0x61]],
    ['a reserved label type', [...Array(12).fill(0), 0x80, 0]],
  ])('rejects %s', (_what, bytes) => {
    expect(() => readName(Buffer.from(bytes), 12)).toThrow(DnsFormatError);
  });

  it('rejects names longer than 255 octets', () => {
    const long = Array(5).fill('a'.repeat(60)).join('.');
    const q = buildQuery(1, long, TYPE.A);
    expect(() => parseMessage(q)).toThrow(DnsFormatError);
  });

  it('rejects truncated messages', () => {
    const q = buildQuery(1, 'example.com', TYPE.A);
    for (let n = 0; n < q.length; n++) expect(() => parseMessage(q.subarray(0, n))).toThrow(DnsFormatError);
  });
});
