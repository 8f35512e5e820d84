/**
 * DNS wire format (RFC 1035, RFC 2782 SRV, RFC 6891 OPT), just what the data-plane DNS server
 * needs: parse messages including compressed names (queries, and upstream answers it chases
 * CNAMEs with) and build answers with name compression. Names are handled in presentation
 * form without the trailing dot ('' is the root).
 */
import { isIP } from 'node:net';

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface Header {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
}

export interface Question {
  name: string;
  type: number;
  class: number;
}

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/**
 * A record. `data` by type: A/AAAA an address string; CNAME/NS/PTR a name; SRV and SOA their
 * fields; anything else the raw rdata (only safe to re-emit for types without names in them).
 */
export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: string | SrvData | SoaData | Buffer;
}

export interface Message {
  header: Header;
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

export class DnsFormatError extends Error {
  override readonly name = 'DnsFormatError';
  readonly code = 'FORMERR';
}

const MAX_POINTER_JUMPS = 64;

// ---------------------------------------------------------------- parsing

export function parseHeader(buf: Buffer): Header & { qdcount: number; ancount: number; nscount: number; arcount: number } {
  if (buf.length < 12) throw new DnsFormatError('message shorter than a header');
  const flags = buf.readUInt16BE(2);
  return {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    qdcount: buf.readUInt16BE(4),
    ancount: buf.readUInt16BE(6),
    nscount: buf.readUInt16BE(8),
    arcount: buf.readUInt16BE(10),
  };
}

/** Reads a possibly compressed name at `offset`; `next` is the offset after it in the message. */
export function readName(buf: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  let jumps = 0;
  let length = 0;
  for (;;) {
    if (pos >= buf.length) throw new DnsFormatError('name runs past the message');
    const len = buf[pos]!;
    if (len === 0) {
      pos += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new DnsFormatError('truncated compression pointer');
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      // Pointers must go backwards: that alone rules out loops; the jump cap is belt and braces.
      if (target >= pos || ++jumps > MAX_POINTER_JUMPS) throw new DnsFormatError('bad compression pointer');
      if (next < 0) next = pos + 2;
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsFormatError('unsupported label type');
    if (pos + 1 + len > buf.length) throw new DnsFormatError('label runs past the message');
    length += len + 1;
    if (length > 255) throw new DnsFormatError('name longer than 255 octets');
    labels.push(buf.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.join('.'), next: next < 0 ? pos : next };
}

export function parseMessage(buf: Buffer): Message {
  const h = parseHeader(buf);
  let pos = 12;
  const questions: Question[] = [];
  for (let i = 0; i < h.qdcount; i++) {
    const { name, next } = readName(buf, pos);
    if (next + 4 > buf.length) throw new DnsFormatError('truncated question');
    questions.push({ name, type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) });
    pos = next + 4;
  }
  const section = (count: number): ResourceRecord[] => {
    const out: ResourceRecord[] = [];
    for (let i = 0; i < count; i++) {
      const { rr, next } = readRecord(buf, pos);
      out.push(rr);
      pos = next;
    }
    return out;
  };
  const answers = section(h.ancount);
  const authority = section(h.nscount);
  const additional = section(h.arcount);
  const { qdcount: _q, ancount: _a, nscount: _n, arcount: _r, ...header } = h;
  return { header, questions, answers, authority, additional };
}

function readRecord(buf: Buffer, offset: number): { rr: ResourceRecord; next: number } {
  const { name, next } = readName(buf, offset);
  if (next + 10 > buf.length) throw new DnsFormatError('truncated record');
  const type = buf.readUInt16BE(next);
  const klass = buf.readUInt16BE(next + 2);
  const ttl = buf.readUInt32BE(next + 4);
  const rdlen = buf.readUInt16BE(next + 8);
  const start = next + 10;
  const end = start + rdlen;
  if (end > buf.length) throw new DnsFormatError('truncated rdata');
  return { rr: { name, type, class: klass, ttl, data: readRdata(buf, type, start, end) }, next: end };
}

function readRdata(buf: Buffer, type: number, start: number, end: number): ResourceRecord['data'] {
  switch (type) {
    case TYPE.A:
      if (end - start !== 4) throw new DnsFormatError('A rdata must be 4 octets');
      return [...buf.subarray(start, end)].join('.');
    case TYPE.AAAA:
      if (end - start !== 16) throw new DnsFormatError('AAAA rdata must be 16 octets');
      return ipv6ToString(buf.subarray(start, end));
    case TYPE.CNAME:
    case TYPE.NS:
    case TYPE.PTR:
      return readName(buf, start).name;
    case TYPE.SRV:
      return { priority: buf.readUInt16BE(start), weight: buf.readUInt16BE(start + 2), port: buf.readUInt16BE(start + 4), target: readName(buf, start + 6).name };
    case TYPE.SOA: {
      const m = readName(buf, start);
      const r = readName(buf, m.next);
      const p = r.next;
      if (p + 20 > end) throw new DnsFormatError('truncated SOA');
      return {
        mname: m.name,
        rname: r.name,
        serial: buf.readUInt32BE(p),
        refresh: buf.readUInt32BE(p + 4),
        retry: buf.readUInt32BE(p + 8),
        expire: buf.readUInt32BE(p + 12),
        minimum: buf.readUInt32BE(p + 16),
      };
    }
    default:
      return Buffer.from(buf.subarray(start, end));
  }
}

function ipv6ToString(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // Let the URL parser produce the canonical compressed form.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

// ---------------------------------------------------------------- building

class Writer {
  private buf = Buffer.alloc(512);
  length = 0;
  private readonly names = new Map<string, number>();

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf.writeUInt8(v, this.length);
    this.length += 1;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.length);
    this.length += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.length);
    this.length += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  setU16(at: number, v: number): void {
    this.buf.writeUInt16BE(v, at);
  }

  /** Writes a name, pointing at an earlier copy of any suffix (case-insensitive) when there is one. */
  name(name: string): void {
    const labels = name === '' ? [] : name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.names.get(suffix);
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.length < 0x4000) this.names.set(suffix, this.length);
      const label = Buffer.from(labels[i]!, 'latin1');
      if (label.length === 0 || label.length > 63) throw new DnsFormatError(`bad label in ${JSON.stringify(name)}`);
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

export function encodeMessage(msg: Message): Buffer {
  const w = new Writer();
  const h = msg.header;
  w.u16(h.id);
  w.u16(
    (h.qr ? 0x8000 : 0) | ((h.opcode & 0xf) << 11) | (h.aa ? 0x0400 : 0) | (h.tc ? 0x0200 : 0) | (h.rd ? 0x0100 : 0) | (h.ra ? 0x0080 : 0) | (h.rcode & 0xf),
  );
  w.u16(msg.questions.length);
  w.u16(msg.answers.length);
  w.u16(msg.authority.length);
  w.u16(msg.additional.length);
  for (const q of msg.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of [...msg.answers, ...msg.authority, ...msg.additional]) writeRecord(w, rr);
  return w.result();
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lenAt = w.length;
  w.u16(0);
  const start = w.length;
  const d = rr.data;
  if (Buffer.isBuffer(d)) w.bytes(d);
  else if (typeof d === 'string') {
    if (rr.type === TYPE.A) w.bytes(ipv4Bytes(d));
    else if (rr.type === TYPE.AAAA) w.bytes(ipv6Bytes(d));
    else w.name(d);
  } else if ('target' in d) {
    w.u16(d.priority);
    w.u16(d.weight);
    w.u16(d.port);
    w.name(d.target);
  } else {
    w.name(d.mname);
    w.name(d.rname);
    for (const v of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) w.u32(v);
  }
  w.setU16(lenAt, w.length - start);
}

function ipv4Bytes(ip: string): Buffer {
  if (isIP(ip) !== 4) throw new DnsFormatError(`not an IPv4 address: ${ip}`);
  return Buffer.from(ip.split('.').map(Number));
}

function ipv6Bytes(ip: string): Buffer {
  if (isIP(ip) !== 6) throw new DnsFormatError(`not an IPv6 address: ${ip}`);
  let text = ip;
  // Embedded IPv4 tail (::ffff:1.2.3.4) → two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4Bytes(v4[1]!);
    text = `${text.slice(0, -v4[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** A minimal query message (used to chase CNAMEs upstream). */
export function buildQuery(id: number, name: string, type: number, recursionDesired = true): Buffer {
  return encodeMessage({
    header: { id, qr: false, opcode: 0, aa: false, tc: false, rd: recursionDesired, ra: false, rcode: 0 },
    questions: [{ name, type, class: CLASS_IN }],
    answers: [],
    authority: [],
    additional: [],
  });
}

/** The EDNS0 OPT pseudo-record of a message, if any: its advertised UDP payload size. */
export function ednsUdpSize(msg: Message): number | undefined {
  const opt = msg.additional.find((rr) => rr.type === TYPE.OPT);
  return opt ? opt.class : undefined;
}

export function optRecord(udpSize: number): ResourceRecord {
  return { name: '', type: TYPE.OPT, class: udpSize, ttl: 0, data: Buffer.alloc(0) };
}
