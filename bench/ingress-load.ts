/**
 * The two load shapes of bench:ingress that autocannon 9 cannot measure, on raw sockets:
 * - a fixed request rate, open loop (wrk2's method): requests are due at even intervals and
 *   each latency counts from when its request was due, so a stall is not hidden by the client
 *   waiting for it. autocannon's `overallRate` sends each connection's whole second of requests
 *   back to back at the top of every second (a burst at saturation, then idle), which measures
 *   burst latency, not a steady rate.
 * - a new connection per request, closed loop. autocannon's `reconnectRate` resets the
 *   connection before it emits the response, so those responses are never counted.
 * The target answers a small fixed body with Content-Length (the bench's own backend, or the
 * edge copying its head), which is all the parser here reads.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface LoadTarget {
  port: number;
  /** Host header (and SNI name over TLS). */
  host: string;
  tls: boolean;
}

export interface LoadResult {
  /** 2xx responses. */
  ok: number;
  /** Non-2xx responses, connection errors, and requests still unanswered at the end. */
  errors: number;
  seconds: number;
  /** Per 2xx response, milliseconds. */
  latencies: number[];
}

type Done = (status: number) => void;

/** One client connection, one request at a time. */
class Conn {
  readonly socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private pending: Done | undefined;
  closed = false;

  constructor(t: LoadTarget, onClose: () => void) {
    this.socket = t.tls ? tls.connect({ host: '127.0.0.1', port: t.port, servername: t.host, rejectUnauthorized: false }) : net.connect(t.port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.data(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closed = true;
      const p = this.pending;
      this.pending = undefined;
      p?.(0);
      onClose();
    });
  }

  send(request: Buffer, done: Done): void {
    this.pending = done;
    this.socket.write(request);
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  private data(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) {
      this.socket.destroy();
      return;
    }
    const total = end + 4 + Number(length[1]);
    if (this.buf.length < total) return;
    this.buf = this.buf.subarray(total);
    const p = this.pending;
    this.pending = undefined;
    p?.(Number(head.slice(9, 12)));
  }
}

function requestBytes(t: LoadTarget, close: boolean): Buffer {
  return Buffer.from(`GET / HTTP/1.1\r\nHost: ${t.host}\r\nUser-Agent: berth-bench\r\n${close ? 'Connection: close\r\n' : ''}\r\n`, 'latin1');
}

const ms = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e6;

/**
 * `rate` requests/s over `connections` keep-alive connections for `seconds`; a due request
 * waits for a free connection and its latency includes that wait.
 */
export async function fixedRate(t: LoadTarget, rate: number, connections: number, seconds: number): Promise<LoadResult> {
  const request = requestBytes(t, false);
  const result: LoadResult = { ok: 0, errors: 0, seconds, latencies: [] };
  const start = process.hrtime.bigint();
  const intervalNs = 1e9 / rate;
  const total = Math.floor(rate * seconds);
  const queue: bigint[] = [];
  const idle: Conn[] = [];
  let issued = 0;
  let answered = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const settle = () => {
    answered++;
    if (answered === total) finish();
  };
  const dispatch = () => {
    while (queue.length > 0 && idle.length > 0) {
      const conn = idle.pop()!;
      if (conn.closed) continue;
      const due = queue.shift()!;
      conn.send(request, (status) => {
        if (status >= 200 && status < 300) {
          result.ok++;
          result.latencies.push(ms(due));
        } else result.errors++;
        if (!conn.closed) idle.push(conn);
        settle();
        dispatch();
      });
    }
  };
  const conns: Conn[] = [];
  const open = () => {
    const c: Conn = new Conn(t, () => {
      // A connection the server closed is replaced while the run lasts.
      if (answered < total && !stopped) open();
    });
    conns.push(c);
    c.socket.once(t.tls ? 'secureConnect' : 'connect', () => {
      idle.push(c);
      dispatch();
    });
  };
  let stopped = false;
  for (let i = 0; i < connections; i++) open();
  const tick = setInterval(() => {
    const dueNow = Math.min(total, Math.floor(Number(process.hrtime.bigint() - start) / intervalNs) + 1);
    while (issued < dueNow) queue.push(start + BigInt(Math.round(issued++ * intervalNs)));
    dispatch();
    if (issued === total) clearInterval(tick);
  }, 1);
  // Whatever is unanswered 2 s after the last request was due counts as an error.
  const deadline = new Promise<void>((r) => setTimeout(r, seconds * 1000 + 2_000).unref());
  await Promise.race([finished, deadline]);
  clearInterval(tick);
  stopped = true;
  result.errors += total - answered;
  for (const c of conns) c.socket.destroy();
  return result;
}

/** `connections` loops, each: connect, one request with `Connection: close`, read the response, repeat. */
export async function newConnectionPerRequest(t: LoadTarget, connections: number, seconds: number): Promise<LoadResult> {
  const request = requestBytes(t, true);
  const result: LoadResult = { ok: 0, errors: 0, seconds, latencies: [] };
  const end = Date.now() + seconds * 1000;
  const once = () =>
    new Promise<void>((resolve) => {
      const started = process.hrtime.bigint();
      let settled = false;
      const conn: Conn = new Conn(t, () => {
        if (!settled) {
          settled = true;
          result.errors++;
          resolve();
        }
      });
      conn.send(request, (status) => {
        if (settled) return;
        settled = true;
        if (status >= 200 && status < 300) {
          result.ok++;
          result.latencies.push(ms(started));
        } else result.errors++;
        conn.socket.destroy();
        resolve();
      });
    });
  const loop = async () => {
    while (Date.now() < end) await once();
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return result;
}
