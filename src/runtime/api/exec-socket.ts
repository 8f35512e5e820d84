import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { PassThrough, Writable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock, ClockTimer } from '../../model/clock.js';
import type { Logger } from '../log.js';
import type { ExecClientMessage, ExecCloseReason, ExecServerMessage } from './contract.js';
import { foreignOrigin, guardRequest, type HostPolicy } from './guard.js';
import type { TicketBook, ExecTarget } from './tickets.js';
import type { ExecSession } from './ui-streams.js';

export const EXEC_PATH = '/api/v1/exec';
/** Keystrokes and pastes: far below this. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Terminals open at once. */
const MAX_SESSIONS = 16;
/**
 * How often an open terminal's socket is pinged; one that has not answered with a pong by the
 * next ping is terminated. A half-open connection (a laptop that slept, a network
 * that dropped it without a FIN) would otherwise hold a session slot and a process in the
 * container forever. Browsers answer pings themselves, background tabs included; and a frame
 * every 30 s keeps a live but quiet terminal open through proxies that cut idle connections at 60 s.
 */
export const PING_INTERVAL_MS = 30_000;
/** RFC 6455: a close frame's reason is at most 123 bytes. */
const MAX_CLOSE_REASON = 123;

export interface ExecSocketOptions {
  hosts: () => HostPolicy;
  tickets: TicketBook;
  run: (target: ExecTarget, session: ExecSession) => Promise<number>;
  log: Logger;
  /** Set when exec is turned off (`--no-exec`): why every handshake is refused (403). */
  off?: string;
  /** Times the pings (PING_INTERVAL_MS). */
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

/**
 * The exec WebSocket on the API's own http server (`ws` in noServer mode on 'upgrade'). Before a
 * handshake is accepted: the path must be /api/v1/exec, the Host one this API answers to (421),
 * the Origin absent or this API's own (403), and the `ticket` one the server issued, unused and
 * unexpired (401). Refusals are plain HTTP answers; nothing is upgraded. Returns how to close
 * every open session (the server is stopping).
 */
export function attachExecSocket(server: Server, options: ExecSocketOptions): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const log = options.log;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node takes its own error listener off the socket before 'upgrade': without one, a client
    // that resets while it is answered throws from the socket, and an uncaught throw ends the
    // daemon. Anyone who can open a connection could do that, before any check.
    socket.on('error', () => socket.destroy());
    try {
      upgrade(req, socket, head);
    } catch (err) {
      log.warn({ err }, 'websocket upgrade failed');
      if (!socket.destroyed) refuse(socket, 400, 'the upgrade request could not be handled');
    }
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://berth.invalid');
    } catch {
      // A request line such as `//a:99999/` is not a URL a base can resolve: a page's `new WebSocket()` can send it.
      return refuse(socket, 400, 'the request path is not a valid URL');
    }
    const refusal = upgradeRefusal(req, url, options);
    if (refusal) {
      log.debug({ path: url.pathname, status: refusal.status }, 'websocket refused');
      return refuse(socket, refusal.status, refusal.error);
    }
    // Each session is a process in a container and a socket here: bounded, as the tickets are.
    if (wss.clients.size >= MAX_SESSIONS) return refuse(socket, 503, `${MAX_SESSIONS} terminals are open already; close one first`);
    const target = options.tickets.redeem(url.searchParams.get('ticket') ?? '');
    if (!target) return refuse(socket, 401, 'the exec ticket is missing, used or expired; POST /api/v1/exec/tickets for a new one');
    wss.handleUpgrade(req, socket, head, (ws) => session(ws, target));
  }

  function session(ws: WebSocket, target: ExecTarget): void {
    const closed = new AbortController();
    const stdin = new PassThrough();
    let size: { rows: number; columns: number } | undefined;
    const resizeListeners = new Set<() => void>();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      // The command reads at its own pace: stop reading the socket until it has (a paste of
      // megabytes must not pile up in this process).
      if (isBinary) {
        if (!stdin.write(data)) {
          ws.pause();
          stdin.once('drain', () => ws.resume());
        }
        return;
      }
      const message = parseClientMessage(data.toString('utf8'));
      if (!message) return;
      size = { rows: message.rows, columns: message.cols };
      for (const l of resizeListeners) l();
    });
    const stopPinging = keepAlive(ws, options.clock);
    ws.on('close', () => {
      stopPinging();
      closed.abort();
      stdin.end();
    });
    ws.on('error', () => closed.abort());
    const stdout = new Writable({
      write(chunk: Buffer, _enc, done) {
        if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true }, () => done());
        else done();
      },
    });
    const send = (m: ExecServerMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
    options
      .run(target, { stdin, stdout, size: () => size, onResize: (fn) => (resizeListeners.add(fn), () => resizeListeners.delete(fn)), signal: closed.signal })
      .then((exitCode) => {
        send({ type: 'exit', exitCode });
        ws.close(1000, closeReason({ exitCode }));
      })
      .catch((err: unknown) => {
        const message = (err as Error)?.message ?? String(err);
        send({ type: 'error', message });
        ws.close(1011, closeReason({ error: message }));
      });
  }

  return {
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/**
 * Pings `ws` every PING_INTERVAL_MS and terminates it when no pong came back since the last
 * ping (keystrokes do not count: a pong is what proves the path back to the browser works). Terminating closes the socket ('close'), which ends the session: its command's stream
 * is dropped and its slot freed. Returns how to stop (the socket closed).
 */
function keepAlive(ws: WebSocket, clock: ExecSocketOptions['clock']): () => void {
  let answered = true;
  let timer: ClockTimer | undefined;
  ws.on('pong', () => (answered = true));
  const tick = () => {
    if (!answered) return void ws.terminate();
    answered = false;
    ws.ping();
    timer = clock.setTimeout(tick, PING_INTERVAL_MS);
  };
  timer = clock.setTimeout(tick, PING_INTERVAL_MS);
  return () => {
    if (timer) clock.clearTimeout(timer);
    timer = undefined;
  };
}

function upgradeRefusal(req: IncomingMessage, url: URL, options: ExecSocketOptions): { status: 403 | 404 | 421 | 400 | 401; error: string } | undefined {
  const host = guardRequest('GET', req.headers, 'open', { hosts: options.hosts() });
  if (host) return { status: host.status as 421, error: host.error };
  if (url.pathname !== EXEC_PATH) return { status: 404, error: `no WebSocket endpoint at ${url.pathname}` };
  if (foreignOrigin(req.headers)) return { status: 403, error: 'cross-origin WebSocket connections are refused' };
  if (options.off) return { status: 403, error: options.off };
  return undefined;
}

/** A plain HTTP answer on a socket that asked to upgrade; it is then closed. */
function refuse(socket: Duplex, status: number, error: string): void {
  const body = `${JSON.stringify({ error })}\n`;
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 421: 'Misdirected Request', 503: 'Service Unavailable' }[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
}

/** `{"type":"resize","cols":N,"rows":N}` with sane sizes, or undefined (ignored). */
export function parseClientMessage(text: string): ExecClientMessage | undefined {
  try {
    const m = JSON.parse(text) as Partial<ExecClientMessage>;
    const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 1000;
    return m.type === 'resize' && ok(m.cols) && ok(m.rows) ? { type: 'resize', cols: m.cols!, rows: m.rows! } : undefined;
  } catch {
    return undefined;
  }
}

/** The close reason as JSON, an error message cut until it fits a close frame. */
export function closeReason(reason: ExecCloseReason): string {
  if ('exitCode' in reason) return JSON.stringify(reason);
  let message = reason.error;
  while (Buffer.byteLength(JSON.stringify({ error: message })) > MAX_CLOSE_REASON) message = `${[...message].slice(0, -2).join('')}…`;
  return JSON.stringify({ error: message });
}
