import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/model/types.js';
import { at, findings, pod, validate, yaml } from './support.js';

/**
 * gRPC probes (issue 14): run, never "ignored", never "not implemented". Kubernetes' GRPCAction
 * is {port: int32, service?: string}: no host (it always probes the pod) and no port names.
 */
const probes = (handler: string) => pod(yaml`
  containers:
    - name: a
      image: nginx:1.25
      ports:
        - {name: grpc, containerPort: 9090}
      readinessProbe:
        ${handler}
`);

describe('grpc probe handlers', () => {
  it('the shapes microservices-demo writes validate clean, for every probe kind', () => {
    const spec = pod(yaml`
      containers:
        - name: server
          image: nginx:1.25
          ports:
            - containerPort: 7070
          readinessProbe:
            periodSeconds: 5
            grpc: {port: 7070}
          livenessProbe:
            periodSeconds: 5
            grpc: {port: 7070, service: hipstershop.CartService}
          startupProbe:
            grpc:
              port: 7070
              service:
    `);
    const result = validate({ 'f.yaml': spec });
    expect(result.problems).toEqual([]);
    // Kept, not stripped as an ignored field; service defaults to "" (the server), as Kubernetes defaults it.
    const c = (result.resources[0]!.object as Pod).spec.containers[0]!;
    expect([c.readinessProbe?.grpc, c.livenessProbe?.grpc, c.startupProbe?.grpc]).toEqual([
      { port: 7070, service: '' },
      { port: 7070, service: 'hipstershop.CartService' },
      { port: 7070, service: '' },
    ]);
  });

  it.each([
    ['grpc and tcpSocket together', 'grpc: {port: 9090}\n        tcpSocket: {port: 9090}', [at(11, 7, 'invalid-probe', 'spec.containers[0].readinessProbe')]],
    ['a port out of range', 'grpc: {port: 70000}', [at(12, 22, 'invalid-port', 'spec.containers[0].readinessProbe.grpc.port')]],
    ['port 0', 'grpc: {port: 0}', [at(12, 22, 'invalid-port', 'spec.containers[0].readinessProbe.grpc.port')]],
    ['a port name: Kubernetes takes only a number here', 'grpc: {port: grpc}', [at(12, 22, 'invalid-type', 'spec.containers[0].readinessProbe.grpc.port')]],
    ['no port', 'grpc: {service: x}', [at(12, 9, 'missing-field', 'spec.containers[0].readinessProbe.grpc.port')]],
    // No host: a gRPC probe cannot be aimed at another machine, by construction.
    ['a host', 'grpc: {port: 9090, host: 10.0.0.1}', [at(12, 28, 'unknown-field', 'spec.containers[0].readinessProbe.grpc.host')]],
    ['a service that is not a string', 'grpc: {port: 9090, service: [a]}', [at(12, 37, 'invalid-type', 'spec.containers[0].readinessProbe.grpc.service')]],
  ])('%s', (_name, handler, want) => {
    expect(findings({ 'f.yaml': probes(handler) })).toEqual(want);
  });

  it('the message for a port name says which number the name stands for', () => {
    const messages = validate({ 'f.yaml': probes('grpc: {port: grpc}') }).problems.map((p) => p.message);
    expect(messages).toEqual(['must be an integer, not a string ("grpc"); a gRPC probe takes a port number: Kubernetes resolves no port names for grpc (port "grpc" is containerPort 9090)']);
  });

  it('the message for two handlers names grpc among the choices', () => {
    const messages = validate({ 'f.yaml': probes('grpc: {port: 9090}\n        exec: {command: ["true"]}') }).problems.map((p) => p.message);
    expect(messages).toEqual(['a probe needs exactly one of httpGet, tcpSocket, exec, grpc; it has exec and grpc']);
  });

  it('a lifecycle hook has no grpc handler in Kubernetes', () => {
    const spec = pod(yaml`
      containers:
        - name: a
          image: nginx:1.25
          lifecycle:
            preStop:
              grpc: {port: 9090}
    `);
    expect(findings({ 'f.yaml': spec })).toEqual([
      at(10, 9, 'invalid-probe', 'spec.containers[0].lifecycle.preStop'),
      at(11, 11, 'unknown-field', 'spec.containers[0].lifecycle.preStop.grpc'),
    ]);
  });
});
