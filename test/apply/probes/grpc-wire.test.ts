import { describe, expect, it } from 'vitest';
import { judgeGrpcExchange, type GrpcExchange } from '../../../src/apply/probes/grpc-probe.js';
import {
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  frameMessage,
  grpcCodeName,
  servingStatusName,
  unframeMessages,
} from '../../../src/apply/probes/grpc-wire.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('HealthCheckRequest encoding', () => {
  it.each([
    ['the server as a whole: proto3 omits the empty default', '', ''],
    ['a service name: field 1, length-delimited', 'a', '0a 01 61'],
    ['a dotted service', 'shop.Cart', `0a 09 ${Buffer.from('shop.Cart').toString('hex')}`],
    ['UTF-8 is counted in bytes', 'é', '0a 02 c3 a9'],
    ['a length over 127 takes a two-byte varint', 'x'.repeat(200), `0a c8 01 ${'78'.repeat(200)}`],
  ])('%s', (_name, service, expected) => {
    expect(encodeHealthCheckRequest(service)).toEqual(hex(expected));
  });
});

describe('gRPC message framing', () => {
  it.each([
    ['an empty message', '', '00 00000000'],
    ['a short message', '0a 01 61', '00 00000003 0a 01 61'],
  ])('frames %s: uncompressed flag, 4-byte big-endian length', (_name, message, framed) => {
    expect(frameMessage(hex(message))).toEqual(hex(framed));
  });

  it.each([
    ['one message', '00 00000002 0801', { ok: true, messages: [hex('0801')] }],
    ['an empty message', '00 00000000', { ok: true, messages: [hex('')] }],
    ['two messages', '00 00000002 0801 00 00000002 0802', { ok: true, messages: [hex('0801'), hex('0802')] }],
    ['no message at all', '', { ok: true, messages: [] }],
    ['a torn header', '00 0000', { ok: false, error: 'a truncated gRPC message header (3 bytes)' }],
    ['a body shorter than its length', '00 00000005 0801', { ok: false, error: 'a truncated gRPC message (2 of 5 bytes)' }],
    ['a compressed message', '01 00000002 0801', { ok: false, error: 'a compressed gRPC message (flag 1), which the probe did not ask for' }],
  ])('unframes %s', (_name, body, expected) => {
    expect(unframeMessages(hex(body))).toEqual(expected);
  });
});

describe('HealthCheckResponse decoding', () => {
  it.each([
    ['no fields: proto3 default UNKNOWN', '', { ok: true, status: 0 }],
    ['SERVING', '08 01', { ok: true, status: 1 }],
    ['NOT_SERVING', '08 02', { ok: true, status: 2 }],
    ['SERVICE_UNKNOWN', '08 03', { ok: true, status: 3 }],
    ['a value the enum does not know', '08 07', { ok: true, status: 7 }],
    ['a multi-byte varint', '08 ac 02', { ok: true, status: 300 }],
    ['an unknown varint field before the status is skipped', '10 05 08 01', { ok: true, status: 1 }],
    ['an unknown length-delimited field after it is skipped', '08 01 1a 03 616263', { ok: true, status: 1 }],
    ['fixed64 and fixed32 fields are skipped', '11 0102030405060708 15 01020304 08 02', { ok: true, status: 2 }],
    ['the last occurrence wins', '08 02 08 01', { ok: true, status: 1 }],
    ['a varint that never ends', '08 81', { ok: false, error: 'a malformed HealthCheckResponse (bad varint)' }],
    ['a length past the end', '1a 05 61', { ok: false, error: 'a truncated HealthCheckResponse' }],
    ['wire type 3 (groups)', '0b', { ok: false, error: 'a malformed HealthCheckResponse (wire type 3)' }],
    ['field number 0', '00 01', { ok: false, error: 'a malformed HealthCheckResponse (field number 0)' }],
  ])('%s', (_name, message, expected) => {
    expect(decodeHealthCheckResponse(hex(message))).toEqual(expected);
  });
});

describe('names for people', () => {
  it.each([
    [0, 'UNKNOWN'],
    [1, 'SERVING'],
    [2, 'NOT_SERVING'],
    [3, 'SERVICE_UNKNOWN'],
    [9, '9'],
  ])('ServingStatus %s is %s', (n, name) => expect(servingStatusName(n)).toBe(name));

  it.each([
    [0, 'OK'],
    [4, 'DeadlineExceeded'],
    [5, 'NotFound'],
    [12, 'Unimplemented'],
    [14, 'Unavailable'],
    [16, 'Unauthenticated'],
    [42, 'Code(42)'],
  ])('gRPC code %s is %s', (n, name) => expect(grpcCodeName(n)).toBe(name));
});

describe('judging one exchange: success only on SERVING', () => {
  const grpcOk = (body: string): GrpcExchange => ({ status: 200, contentType: 'application/grpc', grpcStatus: '0', grpcMessage: undefined, body: hex(body) });
  const error = (code: string, message?: string): GrpcExchange => ({ status: 200, contentType: 'application/grpc', grpcStatus: code, grpcMessage: message, body: Buffer.alloc(0) });
  it.each<[string, GrpcExchange, { ok: boolean; message: string }]>([
    ['SERVING', grpcOk('00 00000002 0801'), { ok: true, message: 'service healthy (SERVING)' }],
    ['SERVING under application/grpc+proto', { ...grpcOk('00 00000002 0801'), contentType: 'application/grpc+proto' }, { ok: true, message: 'service healthy (SERVING)' }],
    ['NOT_SERVING', grpcOk('00 00000002 0802'), { ok: false, message: 'service unhealthy (responded with NOT_SERVING)' }],
    ['SERVICE_UNKNOWN', grpcOk('00 00000002 0803'), { ok: false, message: 'service unhealthy (responded with SERVICE_UNKNOWN)' }],
    ['UNKNOWN (an empty message)', grpcOk('00 00000000'), { ok: false, message: 'service unhealthy (responded with UNKNOWN)' }],
    ['a status the enum does not know', grpcOk('00 00000002 0809'), { ok: false, message: 'service unhealthy (responded with 9)' }],
    ['no message', grpcOk(''), { ok: false, message: 'health rpc failed: the server sent 0 messages, not one' }],
    ['two messages', grpcOk('00 00000002 0801 00 00000002 0801'), { ok: false, message: 'health rpc failed: the server sent 2 messages, not one' }],
    ['a torn frame', grpcOk('00 00000009 0801'), { ok: false, message: 'health rpc failed: the server sent a truncated gRPC message (2 of 9 bytes)' }],
    ['a malformed message', grpcOk('00 00000001 0b'), { ok: false, message: 'health rpc failed: the server sent a malformed HealthCheckResponse (wire type 3)' }],
    ['NotFound with a percent-encoded message', error('5', 'unknown%20service'), { ok: false, message: 'health rpc failed: code = NotFound desc = unknown service' }],
    ['Unavailable without a message', error('14'), { ok: false, message: 'health rpc failed: code = Unavailable' }],
    ['Unimplemented: not a health server', error('12', 'unknown service grpc.health.v1.Health'), { ok: false, message: 'this server does not implement the gRPC health protocol (grpc.health.v1.Health): code = Unimplemented desc = unknown service grpc.health.v1.Health' }],
    ['a malformed percent-encoding is shown as sent', error('2', 'bad%zz'), { ok: false, message: 'health rpc failed: code = Unknown desc = bad%zz' }],
    ['no grpc-status', { ...grpcOk('00 00000002 0801'), grpcStatus: undefined }, { ok: false, message: 'the server sent no grpc-status' }],
    ['a grpc-status that is not a number', error('OK'), { ok: false, message: 'the server sent an invalid grpc-status "OK"' }],
    ['HTTP 404', { ...error('0'), status: 404, contentType: 'text/plain' }, { ok: false, message: 'not a gRPC answer (HTTP status 404, content-type "text/plain")' }],
    ['HTTP 200 with HTML', { ...grpcOk('00 00000002 0801'), contentType: 'text/html; charset=utf-8' }, { ok: false, message: 'not a gRPC answer (HTTP status 200, content-type "text/html; charset=utf-8")' }],
    ['no content-type', { ...grpcOk('00 00000002 0801'), contentType: undefined }, { ok: false, message: 'not a gRPC answer (HTTP status 200, content-type none)' }],
  ])('%s', (_name, exchange, expected) => {
    expect(judgeGrpcExchange(exchange)).toEqual(expected);
  });
});
