/**
 * Asking upstream resolvers (by default Docker's embedded DNS at 127.0.0.11). A query is sent
 * with a fresh random ID from a fresh socket (random source port), and only a reply with that
 * ID and the same question is accepted; upstreams are tried in order, each with a timeout.
 * The reply goes back to the client byte for byte except for its ID.
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { readName } from './dns-wire.js';

export interface Upstream {
  host: string;
  port: number;
}

export interface UpstreamOptions {
  timeoutMs: number;
  /** Queries in flight at once; beyond this new ones fail at once rather than pile up. */
  maxInFlight: number;
}

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly code: 'NO_UPSTREAM' | 'TIMEOUT' | 'BUSY' | 'NETWORK',
    message: string,
  ) {
    super(message);
  }
}

export class UpstreamClient {
  private inFlight = 0;

  constructor(private readonly o: UpstreamOptions) {}

  /** Sends `query` (a whole DNS message) and returns the first matching reply, with the query's own ID. */
  async exchange(upstreams: readonly Upstream[], query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer> {
    if (upstreams.length === 0) throw new UpstreamError('NO_UPSTREAM', 'no upstream resolver configured');
    if (this.inFlight >= this.o.maxInFlight) throw new UpstreamError('BUSY', 'too many upstream queries in flight');
    this.inFlight++;
    try {
      let last: unknown;
      for (const u of upstreams) {
        const id = randomInt(0, 0x10000);
        const out = Buffer.from(query);
        out.writeUInt16BE(id, 0);
        try {
          const reply = transport === 'udp' ? await this.udp(u, out, id) : await this.tcp(u, out, id);
          reply.writeUInt16BE(query.readUInt16BE(0), 0);
          return reply;
        } catch (err) {
          last = err;
        }
      }
      throw last instanceof UpstreamError ? last : new UpstreamError('NETWORK', String(last));
    } finally {
      this.inFlight--;
    }
  }

  private udp(u: Upstream, query: Buffer, id: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket(net.isIPv6(u.host) ? 'udp6' : 'udp4');
      const finish = (err: Error | undefined, reply?: Buffer) => {
        clearTimeout(timer);
        socket.close();
        if (err) reject(err);
        else resolve(reply!);
      };
      const timer = setTimeout(() => finish(new UpstreamError('TIMEOUT', `no answer from ${u.host}:${u.port}`)), this.o.timeoutMs);
      socket.on('error', (err) => finish(new UpstreamError('NETWORK', `${u.host}:${u.port}: ${err.message}`)));
      socket.on('message', (reply, rinfo) => {
        // Anything else arriving on this port (wrong sender, ID or question) is ignored.
        if (rinfo.port === u.port && matches(reply, query, id)) finish(undefined, reply);
      });
      socket.send(query, u.port, u.host);
    });
  }

  private tcp(u: Upstream, query: Buffer, id: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: u.host, port: u.port });
      let buf: Buffer = Buffer.alloc(0);
      const finish = (err: Error | undefined, reply?: Buffer) => {
        clearTimeout(timer);
        socket.destroy();
        if (err) reject(err);
        else resolve(reply!);
      };
      const timer = setTimeout(() => finish(new UpstreamError('TIMEOUT', `no answer from ${u.host}:${u.port} over TCP`)), this.o.timeoutMs);
      socket.on('error', (err) => finish(new UpstreamError('NETWORK', `${u.host}:${u.port}: ${err.message}`)));
      socket.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length, 0);
        socket.write(Buffer.concat([len, query]));
      });
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          if (matches(msg, query, id)) return finish(undefined, Buffer.from(msg));
        }
      });
      socket.on('end', () => finish(new UpstreamError('NETWORK', `${u.host}:${u.port} closed the connection`)));
    });
  }
}

/** A reply to our query: a response with our ID whose question equals ours (names case-insensitively). */
function matches(reply: Buffer, query: Buffer, id: number): boolean {
  if (reply.length < 12 || reply.readUInt16BE(0) !== id || (reply[2]! & 0x80) === 0) return false;
  if (reply.readUInt16BE(4) === 0) return true; // some servers omit the question in errors (FORMERR)
  try {
    const a = readName(reply, 12);
    const b = readName(query, 12);
    return a.name.toLowerCase() === b.name.toLowerCase() && reply.readUInt32BE(a.next) === query.readUInt32BE(b.next);
  } catch {
    return false;
  }
}
