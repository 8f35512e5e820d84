import { describe, expect, it } from 'vitest';
import type { SwarmProxySpec } from '../../src/dataplane/swarm-proxy-spec.js';
import { encodeSwarmProxySpec, parseSwarmProxySpec, swarmProxyHealthcheck, validateSwarmProxySpec } from '../../src/dataplane/swarm-proxy-spec.js';

const valid: SwarmProxySpec = {
  service: { namespace: 'default', name: 'web' },
  ports: [
    { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
    { name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 },
  ],
  sessionAffinity: { type: 'None' },
  backends: ['tasks.berth-default-web', 'tasks.berth-default-web-canary'],
  resolveMs: 500,
};

const withSpec = (patch: Record<string, unknown>) => ({ ...valid, ...patch });

describe('Swarm proxy spec', () => {
  it.each<[string, unknown, string[]]>([
    ['a full spec', valid, []],
    ['no backends (a Service selecting no workload) and the default resolve interval', withSpec({ backends: [], resolveMs: undefined }), []],
    ['ClientIP affinity', withSpec({ sessionAffinity: { type: 'ClientIP', timeoutSeconds: 10800 } }), []],
    ['not an object', [], ['spec: must be an object']],
    ['an unknown top-level field', withSpec({ endpoints: [] }), ['spec.endpoints: unknown field (allowed: service, ports, sessionAffinity, backends, resolveMs)']],
    ['an unknown field in a port', withSpec({ ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30080 }] }), ['spec.ports[0].nodePort: unknown field (allowed: name, protocol, port, targetPort)']],
    ['a port without a target port', withSpec({ ports: [{ name: '', protocol: 'TCP', port: 80 }] }), ['spec.ports[0].targetPort: must be an integer from 1 to 65535']],
    [
      'two listeners on one port',
      withSpec({ ports: [{ name: 'a', protocol: 'TCP', port: 80, targetPort: 1 }, { name: 'b', protocol: 'TCP', port: 80, targetPort: 2 }] }),
      ['spec.ports[1]: duplicate listener TCP/80'],
    ],
    ['a service without a name', withSpec({ service: { namespace: 'default' } }), ['spec.service.name: must be a non-empty string']],
    ['a backend that is not a DNS name', withSpec({ backends: ['tasks.web', 'http://web'] }), ['spec.backends[1]: must be a DNS name such as tasks.berth-default-web']],
    ['a backend twice (DNS names ignore case)', withSpec({ backends: ['tasks.web', 'TASKS.web'] }), ['spec.backends[1]: duplicate backend "TASKS.web"']],
    ['backends not a list', withSpec({ backends: 'tasks.web' }), ['spec.backends: must be an array']],
    ['a resolve interval below 100 ms', withSpec({ resolveMs: 10 }), ['spec.resolveMs: must be an integer from 100 to 60000']],
    ['an affinity with a stray field', withSpec({ sessionAffinity: { type: 'None', timeout: 1 } }), ['spec.sessionAffinity.timeout: unknown field (allowed: type, timeoutSeconds)']],
    ['an unknown affinity type', withSpec({ sessionAffinity: { type: 'Cookie' } }), ['spec.sessionAffinity.type: must be "None" or "ClientIP"']],
  ])('%s', (_name, spec, problems) => {
    expect(validateSwarmProxySpec(spec)).toEqual(problems);
  });

  it.each<[string, string | undefined, string[]]>([
    ['unset', undefined, ['BERTH_SWARM_PROXY: must be set to the proxy spec (JSON)']],
    ['blank', '  ', ['BERTH_SWARM_PROXY: must be set to the proxy spec (JSON)']],
    ['every problem at once', JSON.stringify({ service: {}, ports: [], sessionAffinity: { type: 'None' }, backends: [1] }), [
      'spec.service.namespace: must be a non-empty string',
      'spec.service.name: must be a non-empty string',
      'spec.backends[0]: must be a DNS name such as tasks.berth-default-web',
    ]],
  ])('refuses a spec that is %s, saying every problem', (_name, text, problems) => {
    expect(parseSwarmProxySpec(text)).toEqual({ ok: false, problems });
  });

  it('refuses text that is not JSON, saying so', () => {
    const parsed = parseSwarmProxySpec('{service:');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems).toEqual([expect.stringMatching(/^BERTH_SWARM_PROXY: not JSON \(/)]);
  });

  it('encodes one text per spec, whatever the order of keys and backends, and parses it back', () => {
    const shuffled = {
      resolveMs: 500,
      backends: [...valid.backends].reverse(),
      sessionAffinity: { type: 'None' as const },
      ports: valid.ports.map((p) => ({ targetPort: p.targetPort, port: p.port, protocol: p.protocol, name: p.name })),
      service: { name: 'web', namespace: 'default' },
    };
    const text = encodeSwarmProxySpec(valid);
    expect(encodeSwarmProxySpec(shuffled)).toBe(text);
    expect(parseSwarmProxySpec(text)).toEqual({ ok: true, spec: { ...valid, backends: [...valid.backends].sort() } });
  });
});

describe('Swarm proxy healthcheck', () => {
  it('checks the first TCP port, and there is none to check without one', () => {
    expect(swarmProxyHealthcheck(valid)).toEqual(['CMD', 'node', '-e', expect.stringContaining(".connect(80,'127.0.0.1')")]);
    expect(swarmProxyHealthcheck({ ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 }] })).toBeUndefined();
  });
});
