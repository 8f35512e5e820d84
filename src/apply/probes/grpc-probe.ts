import http2 from 'node:http2';
import { PROBE_USER_AGENT } from './http-probe.js';
import {
  GRPC_UNIMPLEMENTED,
  HEALTH_CHECK_PATH,
  MAX_RESPONSE_BYTES,
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  frameMessage,
  grpcCodeName,
  servingStatusName,
  unframeMessages,
} from './grpc-wire.js';
import type { ProbeOutcome } from './types.js';

/** ServingStatus.SERVING: the only answer that passes. */
const SERVING = 1;

/** What came back from the one request, before it is judged. */
export interface GrpcExchange {
  /** HTTP :status */
  status: number;
  contentType: string | undefined;
  /** From the trailers, or from the headers of a trailers-only response. */
  grpcStatus: string | undefined;
  grpcMessage: string | undefined;
  body: Buffer;
}

/**
 * kubelet's gRPC prober: grpc.health.v1.Health/Check over h2c (HTTP/2 without TLS, as the
 * kubelet dials with insecure credentials) to host:port, one new connection per attempt, closed
 * afterwards. Passes only when the server answers SERVING. Aborting `signal` tears the connection
 * down; the caller owns the timeout (sent as grpc-timeout so the server may give up too).
 */
export function grpcHealthProbe(host: string, port: number, service: string, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const what = `gRPC ${address}${service ? ` service ${JSON.stringify(service)}` : ''}`;
  return new Promise<ProbeOutcome>((resolve) => {
    if (signal.aborted) return resolve({ ok: false, message: `${what}: cancelled (timeout)` });
    let session: http2.ClientHttp2Session | undefined;
    let connected = false;
    let settled = false;
    const settle = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      session?.destroy();
      resolve({ ok: outcome.ok, message: `${what}: ${outcome.message}` });
    };
    const failed = (err: unknown): void => {
      const reason = causeOf(err);
      settle({ ok: false, message: connected ? `health rpc failed: ${reason}` : `failed to connect: ${reason}` });
    };
    const onAbort = (): void => settle({ ok: false, message: 'cancelled (timeout)' });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      session = http2.connect(`http://${address}`, { settings: { enablePush: false } });
      session.on('error', failed);
      session.once('connect', () => (connected = true));
      const req = session.request({
        ':method': 'POST',
        ':path': HEALTH_CHECK_PATH,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${Math.max(1, Math.round(timeoutMs))}m`,
        'grpc-accept-encoding': 'identity',
        'user-agent': PROBE_USER_AGENT,
      });
      const exchange: GrpcExchange = { status: 0, contentType: undefined, grpcStatus: undefined, grpcMessage: undefined, body: Buffer.alloc(0) };
      const chunks: Buffer[] = [];
      let received = 0;
      req.on('error', failed);
      req.on('response', (headers) => {
        exchange.status = Number(headers[':status'] ?? 0);
        exchange.contentType = header(headers['content-type']);
        exchange.grpcStatus = header(headers['grpc-status']);
        exchange.grpcMessage = header(headers['grpc-message']);
      });
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) settle({ ok: false, message: `the response is larger than ${MAX_RESPONSE_BYTES / 1024} KiB, which no health answer is` });
        else chunks.push(chunk);
      });
      req.on('trailers', (trailers) => {
        exchange.grpcStatus = header(trailers['grpc-status']) ?? exchange.grpcStatus;
        exchange.grpcMessage = header(trailers['grpc-message']) ?? exchange.grpcMessage;
      });
      req.on('end', () => settle(judgeGrpcExchange({ ...exchange, body: Buffer.concat(chunks) })));
      req.on('close', () => {
        // A stream reset (RST_STREAM) or a dropped connection ends without 'end'.
        if (exchange.status === 0) settle({ ok: false, message: connected ? `the server closed the stream without an answer (HTTP/2 code ${req.rstCode ?? 0})` : 'failed to connect: connection closed' });
        else settle({ ok: false, message: `the server closed the stream before the answer was complete (HTTP/2 code ${req.rstCode ?? 0})` });
      });
      req.end(frameMessage(encodeHealthCheckRequest(service)));
    } catch (err) {
      failed(err);
    }
  });
}

/**
 * The verdict on one finished exchange, in the kubelet's order: an answer that is not gRPC, a
 * gRPC error status, then the ServingStatus. Messages say what the server did, for events.
 */
export function judgeGrpcExchange(x: GrpcExchange): ProbeOutcome {
  if (x.status !== 200 || !x.contentType?.startsWith('application/grpc'))
    return { ok: false, message: `not a gRPC answer (HTTP status ${x.status}, content-type ${x.contentType === undefined ? 'none' : JSON.stringify(x.contentType)})` };
  if (x.grpcStatus === undefined) return { ok: false, message: 'the server sent no grpc-status' };
  const code = /^\d+$/.test(x.grpcStatus) ? Number(x.grpcStatus) : NaN;
  if (Number.isNaN(code)) return { ok: false, message: `the server sent an invalid grpc-status ${JSON.stringify(x.grpcStatus)}` };
  if (code !== 0) {
    const detail = `code = ${grpcCodeName(code)}${x.grpcMessage ? ` desc = ${decodeGrpcMessage(x.grpcMessage)}` : ''}`;
    return code === GRPC_UNIMPLEMENTED
      ? { ok: false, message: `this server does not implement the gRPC health protocol (grpc.health.v1.Health): ${detail}` }
      : { ok: false, message: `health rpc failed: ${detail}` };
  }
  const unframed = unframeMessages(x.body);
  if (!unframed.ok) return { ok: false, message: `health rpc failed: the server sent ${unframed.error}` };
  if (unframed.messages.length !== 1) return { ok: false, message: `health rpc failed: the server sent ${unframed.messages.length} messages, not one` };
  const decoded = decodeHealthCheckResponse(unframed.messages[0]!);
  if (!decoded.ok) return { ok: false, message: `health rpc failed: the server sent ${decoded.error}` };
  const name = servingStatusName(decoded.status);
  return decoded.status === SERVING
    ? { ok: true, message: `service healthy (${name})` }
    : { ok: false, message: `service unhealthy (responded with ${name})` };
}

/** grpc-message is percent-encoded (gRPC over HTTP/2 spec); a malformed one is shown as sent. */
function decodeGrpcMessage(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function header(v: string | string[] | number | undefined): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : String(v);
}

/**
 * Node wraps a dial error in ERR_HTTP2_STREAM_CANCEL for streams that were waiting on it; the
 * cause is what a person needs. A bare "Protocol error" means the peer is not an h2c server
 * (HTTP/1.1, TLS, or another protocol), which is worth saying.
 */
function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const inner = err.cause instanceof Error ? err.cause : err;
  const code = (inner as NodeJS.ErrnoException).code;
  if (code === 'ERR_HTTP2_ERROR' || code === 'ERR_HTTP2_SESSION_ERROR')
    return `the server does not speak HTTP/2 without TLS (h2c), which gRPC probes use: ${inner.message}`;
  return inner.message;
}
