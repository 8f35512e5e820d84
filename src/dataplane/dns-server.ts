/**
 * The data-plane DNS server: UDP and TCP on one port. Questions the zone owns are answered
 * here; the rest are relayed to the upstream resolvers unchanged (apart from the message ID).
 * UDP answers that do not fit the client's limit (512 octets, or its EDNS0 size up to 1232)
 * are sent truncated (TC) and the client retries over TCP.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Upstream } from './dns-upstream.js';
import { UpstreamClient } from './dns-upstream.js';
import type { Message, ResourceRecord } from './dns-wire.js';
import { buildQuery, CLASS_IN, DnsFormatError, ednsUdpSize, encodeMessage, optRecord, parseHeader, parseMessage, RCODE, TYPE } from './dns-wire.js';
import type { Zone, ZoneAnswer } from './dns-zone.js';
import type { ListenerStatus } from './protocol.js';

export interface DnsServerOptions {
  port: number;
  host?: string;
  upstreams: Upstream[];
  upstreamTimeoutMs: number;
}

export interface DnsStats {
  answered: number;
  forwarded: number;
  nxdomain: number;
  failed: number;
}

const OUR_UDP_SIZE = 1232; // RFC 9715 / DNS flag day 2020: avoids IP fragmentation
const TCP_IDLE_MS = 10_000;
const TCP_MAX_CONNECTIONS = 256;

export class DnsServer {
  private zone: Zone | undefined;
  private upstreams: Upstream[];
  private readonly client: UpstreamClient;
  private readonly udp: dgram.Socket;
  private readonly tcp: net.Server;
  private readonly tcpSockets = new Set<net.Socket>();
  readonly stats: DnsStats = { answered: 0, forwarded: 0, nxdomain: 0, failed: 0 };
  private listenState: { udp?: string; tcp?: string } = {};

  constructor(private readonly o: DnsServerOptions) {
    this.upstreams = o.upstreams;
    this.client = new UpstreamClient({ timeoutMs: o.upstreamTimeoutMs, maxInFlight: 1024 });
    this.udp = dgram.createSocket({ type: o.host && net.isIPv6(o.host) ? 'udp6' : 'udp4' });
    this.udp.on('message', (msg, rinfo) => {
      void this.handle(msg, 'udp').then((reply) => {
        if (reply) this.udp.send(reply, rinfo.port, rinfo.address);
      });
    });
    this.tcp = net.createServer((s) => this.onTcp(s));
  }

  /** Swaps in new records (and upstreams, when the config names them). Queries in flight finish with the old ones. */
  setZone(zone: Zone, upstreams?: Upstream[]): void {
    this.zone = zone;
    this.upstreams = upstreams && upstreams.length > 0 ? upstreams : this.o.upstreams;
  }

  async listen(): Promise<void> {
    const bindUdp = new Promise<void>((resolve) => {
      this.udp.once('error', (err) => {
        this.listenState.udp = (err as NodeJS.ErrnoException).code ?? err.message;
        resolve();
      });
      this.udp.bind({ port: this.o.port, address: this.o.host ?? '0.0.0.0' }, () => {
        this.udp.removeAllListeners('error');
        this.udp.on('error', () => {});
        this.listenState.udp = 'listening';
        resolve();
      });
    });
    const bindTcp = new Promise<void>((resolve) => {
      this.tcp.once('error', (err) => {
        this.listenState.tcp = (err as NodeJS.ErrnoException).code ?? err.message;
        resolve();
      });
      this.tcp.listen({ port: this.o.port, host: this.o.host ?? '0.0.0.0' }, () => {
        this.tcp.removeAllListeners('error');
        this.tcp.on('error', () => {});
        this.listenState.tcp = 'listening';
        resolve();
      });
    });
    await Promise.all([bindUdp, bindTcp]);
  }

  listening(): ListenerStatus[] {
    return (['UDP', 'TCP'] as const).map((protocol) => {
      const s = this.listenState[protocol === 'UDP' ? 'udp' : 'tcp'];
      return s === 'listening' ? { name: 'dns', protocol, port: this.o.port, state: 'listening' } : { name: 'dns', protocol, port: this.o.port, state: 'failed', error: s ?? 'not started' };
    });
  }

  async close(): Promise<void> {
    for (const s of this.tcpSockets) s.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.listenState.udp === 'listening' ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.listenState.tcp === 'listening' ? this.tcp.close(() => r()) : r())),
    ]);
  }

  /** One query in, one reply out (undefined: drop silently, e.g. unparseable junk or a response). */
  async handle(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    try {
      return await this.answer(query, transport);
    } catch {
      // A bug must cost one query, not the server.
      this.stats.failed++;
      return query.length >= 12 ? errorReply(query.readUInt16BE(0), 0, false, RCODE.SERVFAIL, undefined) : undefined;
    }
  }

  private async answer(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    let msg: Message;
    try {
      msg = parseMessage(query);
    } catch (err) {
      if (!(err instanceof DnsFormatError) || query.length < 12) return undefined;
      const h = parseHeader(query);
      if (h.qr) return undefined;
      this.stats.failed++;
      return errorReply(h.id, h.opcode, h.rd, RCODE.FORMERR, undefined);
    }
    const h = msg.header;
    if (h.qr) return undefined;
    const q = msg.questions[0];
    if (h.opcode !== 0) return errorReply(h.id, h.opcode, h.rd, RCODE.NOTIMP, msg);
    if (!q || msg.questions.length !== 1) return errorReply(h.id, h.opcode, h.rd, RCODE.FORMERR, msg);
    const lookup = q.class === CLASS_IN || q.class === TYPE.ANY ? this.zone?.lookup(q.name, q.type) : undefined;
    if (!lookup || lookup.kind === 'forward') return this.forward(query, msg, transport);
    const answer = lookup.answer;
    if (answer.chase) await this.chase(answer);
    if (answer.rcode === RCODE.NXDOMAIN) this.stats.nxdomain++;
    else this.stats.answered++;
    return this.encodeAnswer(msg, answer, transport);
  }

  private async forward(query: Buffer, msg: Message, transport: 'udp' | 'tcp'): Promise<Buffer> {
    try {
      const reply = await this.client.exchange(this.upstreams, query, transport);
      this.stats.forwarded++;
      return reply;
    } catch {
      this.stats.failed++;
      return errorReply(msg.header.id, 0, msg.header.rd, RCODE.SERVFAIL, msg);
    }
  }

  /** Resolves the out-of-zone end of a CNAME chain upstream and appends what comes back. */
  private async chase(answer: ZoneAnswer): Promise<void> {
    const { name, type } = answer.chase!;
    if (type !== TYPE.A && type !== TYPE.AAAA) return; // other types: the client follows the CNAME itself
    try {
      const reply = parseMessage(await this.client.exchange(this.upstreams, buildQuery(0, name, type), 'udp'));
      const usable = (rr: ResourceRecord) => rr.type === TYPE.CNAME || rr.type === type;
      answer.answers.push(...reply.answers.filter(usable));
      if (reply.header.rcode === RCODE.NXDOMAIN) answer.rcode = RCODE.NXDOMAIN;
    } catch {
      // Upstream down or a bad reply: the CNAME alone is still a correct answer.
    }
  }

  private encodeAnswer(query: Message, answer: ZoneAnswer, transport: 'udp' | 'tcp'): Buffer {
    const clientSize = ednsUdpSize(query);
    const opt = clientSize === undefined ? [] : [optRecord(OUR_UDP_SIZE)];
    const header = { id: query.header.id, qr: true, opcode: 0, aa: answer.authoritative, tc: false, rd: query.header.rd, ra: true, rcode: answer.rcode };
    const full = encodeMessage({ header, questions: query.questions, answers: answer.answers, authority: answer.authority, additional: [...answer.additional, ...opt] });
    const limit = clientSize === undefined ? 512 : Math.max(512, Math.min(clientSize, OUR_UDP_SIZE));
    if (transport === 'tcp' || full.length <= limit) return full;
    return encodeMessage({ header: { ...header, tc: true }, questions: query.questions, answers: [], authority: [], additional: opt });
  }

  private onTcp(socket: net.Socket): void {
    if (this.tcpSockets.size >= TCP_MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    this.tcpSockets.add(socket);
    socket.on('close', () => this.tcpSockets.delete(socket));
    socket.on('error', () => {});
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    let buf: Buffer = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const query = Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + query.length);
        // RFC 7766: queries on one connection may be answered out of order.
        void this.handle(query, 'tcp').then((reply) => {
          if (!reply || socket.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length, 0);
          socket.write(Buffer.concat([len, reply]));
        });
      }
    });
  }
}

function errorReply(id: number, opcode: number, rd: boolean, rcode: number, query: Message | undefined): Buffer {
  return encodeMessage({
    header: { id, qr: true, opcode, aa: false, tc: false, rd, ra: true, rcode },
    questions: query?.questions.slice(0, 1) ?? [],
    answers: [],
    authority: [],
    additional: [],
  });
}
