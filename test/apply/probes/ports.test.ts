import { describe, expect, it } from 'vitest';
import { resolveProbePort } from '../../../src/apply/probes/index.js';
import type { ContainerPort, IntOrString } from '../../../src/model/types.js';

const ports: ContainerPort[] = [
  { name: 'http', containerPort: 8080, protocol: 'TCP' },
  { containerPort: 9000, protocol: 'TCP' },
];

describe('resolveProbePort', () => {
  const table: [port: IntOrString, declared: ContainerPort[] | undefined, expected: ReturnType<typeof resolveProbePort>][] = [
    [80, undefined, { ok: true, port: 80 }],
    ['http', ports, { ok: true, port: 8080 }],
    ['8081', ports, { ok: true, port: 8081 }],
    ['admin', ports, { ok: false, message: 'port "admin" is not a named port of the container (named ports: http)' }],
    ['admin', undefined, { ok: false, message: 'port "admin" is not a named port of the container (named ports: none)' }],
    [0, undefined, { ok: false, message: 'invalid port number: 0' }],
    [65536, undefined, { ok: false, message: 'invalid port number: 65536' }],
    [80.5, undefined, { ok: false, message: 'invalid port number: 80.5' }],
    ['99999', ports, { ok: false, message: 'invalid port number: 99999' }],
  ];
  it.each(table)('%s → %j', (port, declared, expected) => {
    expect(resolveProbePort(port, declared)).toEqual(expected);
  });
});
