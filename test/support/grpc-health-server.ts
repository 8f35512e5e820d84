import { once } from 'node:events';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

/**
 * A gRPC health server (grpc.health.v1.Health/Check) on node:http2 over h2c, written apart from
 * src/apply/probes so the probe is tested against an independent encoding of the protocol.
 * It imports only node: modules, so the e2e image runs this same file (transpiled) in a container.
 */

export type Answer =
  /** A normal answer: grpc-status 0 and a HealthCheckResponse with this ServingStatus. */
  | { serving: 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN' | number }
  /** A gRPC error, trailers-only (as servers answer errors). */
  | { grpcStatus: number; message?: string }
  /** No answer at all: the request waits until the client gives up. */
  | { hang: true }
  /** Not gRPC: a plain HTTP/2 answer. */
  | { http: number; contentType: string; body: string }
  /** grpc-status 0 with this body as is (malformed frames, several messages). */
  | { rawBody: Buffer };

export interface HealthRequest {
  service: string;
  headers: http2.IncomingHttpHeaders;
}

export interface GrpcHealthServer {
  port: number;
  requests: HealthRequest[];
  /** HTTP/2 connections open right now. */
  openSessions(): number;
  close(): Promise<void>;
}

const STATUS_NUMBER = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;

export async function startGrpcHealthServer(options: { host?: string; port?: number; answer: (service: string) => Answer }): Promise<GrpcHealthServer> {
  const requests: HealthRequest[] = [];
  const server = http2.createServer();
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    stream.on('error', () => undefined);
    if (headers[':path'] !== '/grpc.health.v1.Health/Check') {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown method' }, { endStream: true });
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const service = decodeRequest(Buffer.concat(chunks));
      requests.push({ service, headers });
      answer(stream, options.answer(service));
    });
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    openSessions: () => sessions.size,
    close: async () => {
      for (const s of sessions) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

function answer(stream: http2.ServerHttp2Stream, a: Answer): void {
  if ('hang' in a) return;
  if ('http' in a) {
    stream.respond({ ':status': a.http, 'content-type': a.contentType });
    stream.end(a.body);
    return;
  }
  if ('grpcStatus' in a) {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(a.grpcStatus), ...(a.message ? { 'grpc-message': encodeURIComponent(a.message) } : {}) }, { endStream: true });
    return;
  }
  const body = 'rawBody' in a ? a.rawBody : frame(encodeResponse(typeof a.serving === 'number' ? a.serving : STATUS_NUMBER[a.serving]));
  stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(body);
}

/** HealthCheckResponse{status = 1}: a proto3 default (0) is not written. */
export function encodeResponse(status: number): Buffer {
  if (status === 0) return Buffer.alloc(0);
  const bytes = [0x08];
  let v = status;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

export function frame(message: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** HealthCheckRequest.service from a framed request; lengths under 128 are all a test sends. */
function decodeRequest(body: Buffer): string {
  if (body.length < 5) return '<no message>';
  const message = body.subarray(5, 5 + body.readUInt32BE(1));
  if (message.length === 0) return '';
  if (message[0] !== 0x0a) return '<unexpected field>';
  return message.subarray(2, 2 + message[1]!).toString('utf8');
}
