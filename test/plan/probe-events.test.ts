import { describe, expect, it } from 'vitest';
import { probeFailureEvent, probeKillingEvent } from '../../src/plan/probe-events.js';

describe('probe events as the kubelet words them', () => {
  it.each([
    { kind: 'readiness' as const, detail: 'HTTP probe failed with statuscode: 503', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503 (container web)' },
    { kind: 'liveness' as const, detail: 'tcp 10.1.0.5:8080: connect ECONNREFUSED 10.1.0.5:8080', message: 'Liveness probe failed: tcp 10.1.0.5:8080: connect ECONNREFUSED 10.1.0.5:8080 (container web)' },
    { kind: 'startup' as const, detail: 'gRPC 10.1.0.5:7070: service unhealthy (responded with NOT_SERVING)', message: 'Startup probe failed: gRPC 10.1.0.5:7070: service unhealthy (responded with NOT_SERVING) (container web)' },
    { kind: 'readiness' as const, detail: 'cat /tmp/ready exited with code 1: cat: can\'t open\n  \'/tmp/ready\': No such file\n', message: 'Readiness probe failed: cat /tmp/ready exited with code 1: cat: can\'t open \'/tmp/ready\': No such file (container web)' },
  ])('$kind: $message', ({ kind, detail, message }) => {
    expect(probeFailureEvent('default/web-0', 'web', kind, detail)).toEqual({
      type: 'add-event',
      event: { type: 'Warning', reason: 'Unhealthy', objectKey: 'Pod/default/web-0', message },
    });
  });

  it.each([
    { kind: 'liveness' as const, message: 'Container web failed liveness probe, will be restarted' },
    { kind: 'startup' as const, message: 'Container web failed startup probe, will be restarted' },
  ])('Killing after $kind', ({ kind, message }) => {
    expect(probeKillingEvent('default/web-0', 'web', kind)).toEqual({ type: 'add-event', event: { type: 'Normal', reason: 'Killing', objectKey: 'Pod/default/web-0', message } });
  });
});
