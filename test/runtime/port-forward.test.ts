import { describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { ObservedPod } from '../../src/plan/observed.js';
import { BerthError } from '../../src/model/errors.js';
import type { Service } from '../../src/model/types.js';
import { parsePortSpecs, podPort, serviceTarget } from '../../src/runtime/port-forward.js';
import { deployment, observedFrom, res, TEST_HASH_KEY } from '../support/builders.js';

describe('port-forward port arguments', () => {
  it.each([
    { args: ['8080'], want: [{ local: 8080, remote: '8080' }] },
    { args: ['8888:5000'], want: [{ local: 8888, remote: '5000' }] },
    { args: [':5000', '0:80'], want: [{ local: 0, remote: '5000' }, { local: 0, remote: '80' }] },
    { args: ['9000:http'], want: [{ local: 9000, remote: 'http' }] },
  ])('$args', ({ args, want }) => {
    expect(parsePortSpecs(args)).toEqual(want);
  });

  it.each([[[]], [['http']], [['1:2:3']], [['70000:80']], [['80:']], [['80:0']]])('rejects %j with USAGE', (args) => {
    expect(() => parsePortSpecs(args)).toThrow(BerthError);
    try {
      parsePortSpecs(args);
    } catch (err) {
      expect((err as BerthError).code).toBe('USAGE');
    }
  });
});

describe('port-forward targets', () => {
  const w = buildDesiredState([deployment('web', { replicas: 2 })], { hashKey: TEST_HASH_KEY }).workloads[0]!;
  const pod = (name: string, shape: { ready: boolean; createdAt: number }): ObservedPod => {
    const p = observedFrom(w.template.build(name), shape);
    return { ...p, containers: p.containers.map((c) => ({ ...c, ports: [{ name: 'http', containerPort: 8080 }] })) };
  };
  const svc = (spec: Record<string, unknown>) => res<Service>({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ...spec } }).object;

  it('a Service picks its oldest ready pod and maps service ports (by number or name) to target ports', () => {
    const pods = [pod('web-young', { ready: true, createdAt: 5 }), pod('web-unready', { ready: false, createdAt: 1 }), pod('web-old', { ready: true, createdAt: 2 })];
    const s = svc({ ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'admin', port: 81, targetPort: 9090 }] });
    const t = serviceTarget(s, pods, parsePortSpecs(['8080:80', '9000:admin']));
    expect(t.pod.name).toBe('web-old');
    expect(t.ports).toEqual([8080, 9090]);
  });

  it.each([
    { name: 'an unknown service port', spec: { ports: [{ port: 80, targetPort: 8080 }] }, args: ['9:81'], code: 'NOT_FOUND' },
    { name: 'an ExternalName Service', spec: { type: 'ExternalName', externalName: 'example.org', selector: undefined }, args: ['80'], code: 'USAGE' },
  ])('refuses $name', ({ spec, args, code }) => {
    expect(() => serviceTarget(svc(spec), [pod('web-a', { ready: true, createdAt: 1 })], parsePortSpecs(args))).toThrow(expect.objectContaining({ code }));
  });

  it('a pod port by number or by container port name', () => {
    const p = pod('web-a', { ready: true, createdAt: 1 });
    expect(podPort(p, '9999')).toBe(9999);
    expect(podPort(p, 'http')).toBe(8080);
    expect(() => podPort(p, 'grpc')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
