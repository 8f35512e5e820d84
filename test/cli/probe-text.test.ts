import { describe, expect, it } from 'vitest';
import { probeText } from '../../src/cli/output/describe-containers.js';
import type { Probe } from '../../src/model/types.js';

const timing = { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
const attrs = 'delay=0s timeout=1s period=5s #success=1 #failure=3';

describe('describe: a probe in kubectl words', () => {
  it.each<[string, Probe, string]>([
    ['grpc for the server as a whole', { ...timing, grpc: { port: 7070, service: '' } }, `grpc <pod>:7070  ${attrs}`],
    ['grpc for one service', { ...timing, grpc: { port: 7070, service: 'hipstershop.CartService' } }, `grpc <pod>:7070 hipstershop.CartService ${attrs}`],
    ['tcpSocket', { ...timing, tcpSocket: { port: 8080 } }, `tcp-socket :8080 ${attrs}`],
    ['exec', { ...timing, exec: { command: ['cat', '/tmp/ok'] } }, `exec [cat /tmp/ok] ${attrs}`],
  ])('%s', (_name, probe, text) => {
    expect(probeText(probe)).toBe(text);
  });
});
