/**
 * The wire format between `berth port-forward` and the port relay (port-relay.ts) that runs in
 * a pod's network namespace: many TCP connections multiplexed over the relay's stdin/stdout,
 * as kubectl multiplexes them over one SPDY connection to the kubelet. One relay per
 * port-forward session, so a new connection costs one frame, not a Docker call.
 *
 * Frame: type (u8), connection id (u32 BE), payload length (u32 BE), payload.
 */
export const FRAME = {
  /** host → relay: connect to the payload's port (u16 BE) on the pod's localhost. */
  open: 1,
  /** Bytes of the connection, either way. */
  data: 2,
  /** The sender will write no more (TCP half-close). */
  end: 3,
  /** The connection is gone; a payload is the error that ended it (utf8). */
  close: 4,
  /** Flow control: stop sending data for this connection until `resume`. */
  pause: 5,
  resume: 6,
} as const;

export type FrameType = (typeof FRAME)[keyof typeof FRAME];

export interface Frame {
  type: FrameType;
  id: number;
  payload: Buffer;
}

const HEADER = 9;
/** A DATA frame never carries more, so one connection cannot hold the pipe for long. */
export const MAX_PAYLOAD = 64 * 1024;

export function encodeFrame(type: FrameType, id: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt8(type, 0);
  out.writeUInt32BE(id >>> 0, 1);
  out.writeUInt32BE(payload.length, 5);
  payload.copy(out, HEADER);
  return out;
}

/** DATA frames for `chunk`, split at MAX_PAYLOAD. */
export function dataFrames(id: number, chunk: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < chunk.length; at += MAX_PAYLOAD) out.push(encodeFrame(FRAME.data, id, chunk.subarray(at, at + MAX_PAYLOAD)));
  return out;
}

export function openPayload(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(port, 0);
  return b;
}

/** Reassembles frames from a byte stream cut anywhere. Throws on a malformed header. */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: Frame[] = [];
    while (this.buffered.length >= HEADER) {
      const type = this.buffered.readUInt8(0);
      const length = this.buffered.readUInt32BE(5);
      if (type < FRAME.open || type > FRAME.resume) throw new Error(`port relay: unknown frame type ${type}`);
      if (length > MAX_PAYLOAD) throw new Error(`port relay: frame of ${length} bytes exceeds ${MAX_PAYLOAD}`);
      if (this.buffered.length < HEADER + length) break;
      frames.push({ type: type as FrameType, id: this.buffered.readUInt32BE(1), payload: Buffer.from(this.buffered.subarray(HEADER, HEADER + length)) });
      this.buffered = this.buffered.subarray(HEADER + length);
    }
    return frames;
  }
}
