import { describe, expect, it } from 'vitest';
import type { Finding } from './support.js';
import { at, findings, indent } from './support.js';

/** A Service named web without a selector; spec line n is file line 5 + n. */
function service(spec: string): string {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n${indent(spec, 2)}`;
}

describe('services', () => {
  it.each<{ name: string; spec: string; want: Finding[] }>([
    { name: 'ExternalName needs externalName', spec: 'type: ExternalName\n', want: [at(5, 1, 'missing-external-name', 'spec.externalName')] },
    { name: 'ExternalName with a DNS name', spec: 'type: ExternalName\nexternalName: db.example.com.\n', want: [] },
    { name: 'externalName must be a DNS name', spec: 'type: ExternalName\nexternalName: Bad_Host\n', want: [at(7, 17, 'invalid-name', 'spec.externalName')] },
    {
      name: 'externalName on another type',
      spec: 'externalName: db.example.com\nports: [{port: 80}]\n',
      want: [at(6, 3, 'invalid-value', 'spec.externalName')],
    },
    {
      name: 'nodePort only on NodePort and LoadBalancer',
      spec: 'ports:\n  - port: 80\n    nodePort: 30080\n',
      want: [at(8, 7, 'node-port-not-allowed', 'spec.ports[0].nodePort')],
    },
    {
      name: 'nodePort range',
      spec: 'type: NodePort\nports:\n  - {name: a, port: 80, nodePort: 8080}\n  - {name: b, port: 81, nodePort: 30080}\n',
      want: [at(8, 37, 'invalid-node-port', 'spec.ports[0].nodePort')],
    },
    {
      name: 'headless Services publish nothing',
      spec: 'type: LoadBalancer\nclusterIP: None\nports: [{port: 80}]\n',
      want: [at(7, 14, 'headless-node-port', 'spec.clusterIP')],
    },
    { name: 'headless without ports', spec: 'clusterIP: None\n', want: [] },
    { name: 'clusterIP must be an IP', spec: 'clusterIP: 10.0.0\nports: [{port: 80}]\n', want: [at(6, 14, 'invalid-ip', 'spec.clusterIP')] },
    { name: 'a ClusterIP Service needs ports', spec: 'type: ClusterIP\n', want: [at(5, 1, 'missing-field', 'spec.ports')] },
    {
      name: 'port names, numbers and duplicates',
      spec: [
        'ports:',
        '  - {port: 80}',
        '  - {name: Web, port: 0}',
        '  - {name: a, port: 443, targetPort: 70000}',
        '  - {name: a, port: 443, targetPort: HTTP}',
        '  - {name: udp, port: 443, protocol: UDP}',
        '',
      ].join('\n'),
      want: [
        at(7, 7, 'missing-port-name', 'spec.ports[0].name'),
        at(8, 14, 'invalid-port-name', 'spec.ports[1].name'),
        at(8, 25, 'invalid-port', 'spec.ports[1].port'),
        at(9, 40, 'invalid-port', 'spec.ports[2].targetPort'),
        at(10, 14, 'duplicate-port-name', 'spec.ports[3].name'),
        at(10, 23, 'duplicate-port', 'spec.ports[3].port'),
        at(10, 40, 'invalid-port-name', 'spec.ports[3].targetPort'),
      ],
    },
    {
      name: 'traffic policy and affinity settings',
      spec: 'externalTrafficPolicy: Local\nsessionAffinityConfig:\n  clientIP: {timeoutSeconds: 60}\nports: [{port: 80}]\n',
      want: [at(6, 3, 'invalid-value', 'spec.externalTrafficPolicy'), at(7, 3, 'invalid-value', 'spec.sessionAffinityConfig')],
    },
  ])('$name', ({ spec, want }) => {
    expect(findings({ 'f.yaml': service(spec) })).toEqual(want);
  });
});
