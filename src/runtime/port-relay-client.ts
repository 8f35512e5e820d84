import { Duplex } from 'node:stream';
import type { Readable, Writable } from 'node:stream';
import type { Frame } from '../dataplane/relay-frames.js';
import { dataFrames, encodeFrame, FRAME, FrameDecoder, openPayload } from '../dataplane/relay-frames.js';

/**
 * berth's end of the port relay (dataplane/port-relay.ts): each `open(port)` is one TCP
 * connection to the pod's localhost, as a Duplex, multiplexed with the others over the relay's
 * stdin/stdout. Back-pressure travels per connection (pause/resume frames), so a slow local
 * client does not stall the others.
 */
export interface RelayMux {
  open(port: number): Duplex;
  /** Resolves when the relay's output ends (the relay exited or its container went). */
  readonly ended: Promise<void>;
}

export function createRelayMux(input: Writable, output: Readable): RelayMux {
  const conns = new Map<number, RelayConnection>();
  let nextId = 1;
  let inputBlocked = false;
  const drainWaiters: Array<() => void> = [];
  const send = (frame: Buffer): boolean => {
    if (input.destroyed || input.writableEnded) return true;
    const ok = input.write(frame);
    if (!ok) inputBlocked = true;
    return ok;
  };
  input.on('drain', () => {
    inputBlocked = false;
    for (const w of drainWaiters.splice(0)) w();
  });
  // Writing once the relay is gone is expected (connections end after it); the error is not news.
  input.on('error', () => undefined);
  const whenDrained = (fn: () => void) => (inputBlocked ? drainWaiters.push(fn) : fn());

  const decoder = new FrameDecoder();
  const ended = new Promise<void>((resolve) => {
    const finish = (err?: Error) => {
      for (const c of conns.values()) c.destroy(err ?? new Error('lost connection to pod'));
      conns.clear();
      resolve();
    };
    output.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        output.destroy(err as Error);
        return;
      }
      for (const f of frames) conns.get(f.id)?.receive(f);
    });
    output.once('end', () => finish());
    output.once('close', () => finish());
    output.once('error', (err) => finish(err));
  });

  return {
    ended,
    open(port: number): Duplex {
      const id = nextId++;
      const conn = new RelayConnection(id, send, whenDrained, () => conns.delete(id));
      conns.set(id, conn);
      send(encodeFrame(FRAME.open, id, openPayload(port)));
      return conn;
    },
  };
}

class RelayConnection extends Duplex {
  private pausedByPeer = false;
  private pausedPeer = false;
  private resumeWrite: (() => void) | undefined;
  private remoteClosed = false;

  constructor(
    private readonly id: number,
    private readonly send: (frame: Buffer) => boolean,
    private readonly whenDrained: (fn: () => void) => void,
    private readonly forget: () => void,
  ) {
    super({ allowHalfOpen: true });
  }

  receive(f: Frame): void {
    switch (f.type) {
      case FRAME.data:
        if (!this.push(f.payload) && !this.pausedPeer) {
          this.pausedPeer = true;
          this.send(encodeFrame(FRAME.pause, this.id));
        }
        return;
      case FRAME.end:
        this.push(null);
        return;
      case FRAME.close:
        this.remoteClosed = true;
        this.forget();
        if (f.payload.length > 0) this.destroy(new Error(f.payload.toString('utf8')));
        else {
          // The pod's side is gone: what it sent is still delivered, then both ends close.
          this.push(null);
          this.end();
        }
        return;
      case FRAME.pause:
        this.pausedByPeer = true;
        return;
      case FRAME.resume: {
        this.pausedByPeer = false;
        const r = this.resumeWrite;
        this.resumeWrite = undefined;
        r?.();
        return;
      }
    }
  }

  override _read(): void {
    if (!this.pausedPeer) return;
    this.pausedPeer = false;
    this.send(encodeFrame(FRAME.resume, this.id));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.remoteClosed) return callback();
    let ok = true;
    for (const f of dataFrames(this.id, chunk)) ok = this.send(f) && ok;
    const done = () => (this.pausedByPeer ? (this.resumeWrite = callback) : callback());
    if (ok) done();
    else this.whenDrained(done);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.remoteClosed) this.send(encodeFrame(FRAME.end, this.id));
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.remoteClosed) {
      this.remoteClosed = true;
      this.forget();
      this.send(encodeFrame(FRAME.close, this.id));
    }
    const r = this.resumeWrite;
    this.resumeWrite = undefined;
    r?.();
    callback(error);
  }
}
