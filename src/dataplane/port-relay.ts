/**
 * The port relay: `berth port-forward`'s end inside a pod's network namespace (a container
 * joined to the pod's sandbox, or to the host's for a hostNetwork pod). It reads frames
 * (relay-frames.ts) on stdin, dials the pod's localhost for each `open`, and pipes bytes both
 * ways, so a server bound to the pod's 127.0.0.1 is reachable, as through the kubelet.
 *
 * It lives only as long as its stdin: when berth goes (Ctrl-C, a kill, a lost connection)
 * Docker closes stdin, the relay exits and Docker removes its container (AutoRemove).
 */
import net from 'node:net';
import type { Frame } from './relay-frames.js';
import { dataFrames, encodeFrame, FRAME, FrameDecoder } from './relay-frames.js';

interface Conn {
  socket: net.Socket;
  /** Bytes that arrived before the connection was up, replayed on a fallback dial too. */
  pending: Buffer[] | undefined;
  endPending: boolean;
  pausedByPeer: boolean;
}

const conns = new Map<number, Conn>();
let stdoutBlocked = false;

function send(frame: Buffer): void {
  if (!process.stdout.write(frame)) {
    // Everything waits for the pipe to berth: one back-pressure point for all connections.
    stdoutBlocked = true;
    for (const c of conns.values()) c.socket.pause();
  }
}

process.stdout.on('drain', () => {
  stdoutBlocked = false;
  for (const c of conns.values()) if (!c.pausedByPeer) c.socket.resume();
});

/** kubelet's order: the pod's IPv4 localhost, then IPv6 for a server bound to ::1 only. */
function dial(id: number, port: number, hosts: readonly string[], firstError?: Error): void {
  const [host, ...rest] = hosts;
  const socket = net.connect({ host: host!, port });
  const conn: Conn = conns.get(id) ?? { socket, pending: [], endPending: false, pausedByPeer: false };
  conn.socket = socket;
  conns.set(id, conn);
  let connected = false;
  socket.once('connect', () => {
    connected = true;
    for (const b of conn.pending ?? []) socket.write(b);
    conn.pending = undefined;
    if (conn.endPending) socket.end();
    if (stdoutBlocked || conn.pausedByPeer) socket.pause();
  });
  socket.on('data', (chunk: Buffer) => {
    for (const f of dataFrames(id, chunk)) send(f);
  });
  socket.on('end', () => send(encodeFrame(FRAME.end, id)));
  socket.on('drain', () => send(encodeFrame(FRAME.resume, id)));
  socket.on('error', (err) => {
    if (!connected && rest.length > 0) {
      socket.removeAllListeners('close');
      dial(id, port, rest, firstError ?? err);
      return;
    }
    conns.delete(id);
    const message = firstError ? `${firstError.message}; ${err.message}` : err.message;
    send(encodeFrame(FRAME.close, id, Buffer.from(message)));
  });
  socket.on('close', (hadError) => {
    if (hadError || conns.get(id)?.socket !== socket) return;
    conns.delete(id);
    send(encodeFrame(FRAME.close, id));
  });
}

function handle(f: Frame): void {
  const conn = conns.get(f.id);
  switch (f.type) {
    case FRAME.open:
      if (f.payload.length === 2) dial(f.id, f.payload.readUInt16BE(0), ['127.0.0.1', '::1']);
      else send(encodeFrame(FRAME.close, f.id, Buffer.from('malformed open frame')));
      return;
    case FRAME.data:
      if (!conn) return;
      if (conn.pending) conn.pending.push(f.payload);
      else if (!conn.socket.write(f.payload)) send(encodeFrame(FRAME.pause, f.id));
      return;
    case FRAME.end:
      if (!conn) return;
      if (conn.pending) conn.endPending = true;
      else conn.socket.end();
      return;
    case FRAME.close:
      if (!conn) return;
      conns.delete(f.id);
      conn.socket.destroy();
      return;
    case FRAME.pause:
      if (!conn) return;
      conn.pausedByPeer = true;
      conn.socket.pause();
      return;
    case FRAME.resume:
      if (!conn) return;
      conn.pausedByPeer = false;
      if (!stdoutBlocked) conn.socket.resume();
      return;
  }
}

function exit(code: number): never {
  for (const c of conns.values()) c.socket.destroy();
  process.exit(code);
}

const decoder = new FrameDecoder();
process.stdin.on('data', (chunk: Buffer) => {
  let frames: Frame[];
  try {
    frames = decoder.push(chunk);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    exit(2);
  }
  for (const f of frames) handle(f);
});
process.stdin.on('end', () => exit(0));
process.stdin.on('error', () => exit(0));
// PID 1 in its container: signals have no default action there.
process.on('SIGTERM', () => exit(0));
process.on('SIGINT', () => exit(0));
