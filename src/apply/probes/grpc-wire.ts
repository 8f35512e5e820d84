/**
 * The bytes of grpc.health.v1.Health/Check, by hand: the messages are one field each, so a
 * protobuf library would be all weight (docs/probes.md). Pure; grpc-probe.ts does the I/O.
 *
 *   message HealthCheckRequest  { string service = 1; }
 *   message HealthCheckResponse { ServingStatus status = 1; }
 *   enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
 *
 * gRPC frames every message as: 1 byte compressed flag, 4 bytes big-endian length, the message.
 */

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

/** The largest response message read; a health answer is a few bytes, so anything near this is not one. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/** gRPC status codes by number (grpc/doc/statuscodes.md), for messages a person reads. */
const GRPC_CODES = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists',
  'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange',
  'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
] as const;

export const GRPC_UNIMPLEMENTED = 12;

/** The name of a ServingStatus value; a number this enum does not know stays a number, as protobuf keeps it. */
export function servingStatusName(status: number): string {
  return SERVING_STATUS[status] ?? String(status);
}

export function grpcCodeName(code: number): string {
  return GRPC_CODES[code] ?? `Code(${code})`;
}

/** HealthCheckRequest: field 1 (wire type 2, length-delimited); an empty service is the default and is omitted, as proto3 does. */
export function encodeHealthCheckRequest(service: string): Buffer {
  const value = Buffer.from(service, 'utf8');
  if (value.length === 0) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from([(1 << 3) | 2]), encodeVarint(value.length), value]);
}

/** One length-prefixed, uncompressed gRPC message. */
export function frameMessage(message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

export type Unframed = { ok: true; messages: Buffer[] } | { ok: false; error: string };

/** Splits a response body into its messages; a compressed message or a torn frame is an error (we never offer compression). */
export function unframeMessages(body: Buffer): Unframed {
  const messages: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    if (body.length - at < 5) return { ok: false, error: `a truncated gRPC message header (${body.length - at} bytes)` };
    const compressed = body.readUInt8(at);
    const length = body.readUInt32BE(at + 1);
    if (compressed !== 0) return { ok: false, error: `a compressed gRPC message (flag ${compressed}), which the probe did not ask for` };
    if (body.length - at - 5 < length) return { ok: false, error: `a truncated gRPC message (${body.length - at - 5} of ${length} bytes)` };
    messages.push(body.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return { ok: true, messages };
}

export type Decoded = { ok: true; status: number } | { ok: false; error: string };

/**
 * HealthCheckResponse.status. Fields other than 1 are skipped, as protobuf skips unknown fields;
 * an absent status is 0 (UNKNOWN), proto3's default; the last occurrence wins.
 */
export function decodeHealthCheckResponse(message: Buffer): Decoded {
  let status = 0;
  let at = 0;
  while (at < message.length) {
    const key = readVarint(message, at);
    if (!key) return { ok: false, error: 'a malformed HealthCheckResponse (bad field key)' };
    at = key.next;
    const field = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (field === 0) return { ok: false, error: 'a malformed HealthCheckResponse (field number 0)' };
    if (wireType === 0) {
      const v = readVarint(message, at);
      if (!v) return { ok: false, error: 'a malformed HealthCheckResponse (bad varint)' };
      at = v.next;
      if (field === 1) status = v.value;
    } else if (wireType === 1 || wireType === 5) {
      at += wireType === 1 ? 8 : 4;
    } else if (wireType === 2) {
      const len = readVarint(message, at);
      if (!len) return { ok: false, error: 'a malformed HealthCheckResponse (bad length)' };
      at = len.next + len.value;
    } else {
      return { ok: false, error: `a malformed HealthCheckResponse (wire type ${wireType})` };
    }
    if (at > message.length) return { ok: false, error: 'a truncated HealthCheckResponse' };
  }
  return { ok: true, status };
}

function encodeVarint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/**
 * A varint up to 2^53 (enough for any field key, length or enum here; an enum is an int32, and a
 * negative one is sent as ten bytes, which this reads as a large number that names no status).
 */
function readVarint(buf: Buffer, start: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let at = start; at < buf.length && at - start < 10; at++) {
    const byte = buf[at]!;
    value += (byte & 0x7f) * scale;
    scale *= 0x80;
    if ((byte & 0x80) === 0) return { value, next: at + 1 };
  }
  return undefined;
}
