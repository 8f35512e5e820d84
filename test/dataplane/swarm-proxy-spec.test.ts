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
  readiness: [
    {
      backend: 'tasks.berth-default-web',
      httpGet: { path: '/healthz?full=1', port: 8080, scheme: 'HTTP', headers: [{ name: 'X-Probe', value: 'a b' }] },
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    { backend: 'tasks.berth-default-web-canary', tcpSocket: { port: 8080 }, initialDelaySeconds: 5, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 2, failureThreshold: 1 },
  ],
};

/** The valid spec changed; without its probes, which name the backends some cases change. */
const withSpec = (patch: Record<string, unknown>) => ({ ...valid, readiness: undefined, ...patch });

describe('Swarm proxy spec', () => {
  it.each<[string, unknown, string[]]>([
    ['a full spec', valid, []],
    ['no backends (a Service selecting no workload) and the default resolve interval', withSpec({ backends: [], resolveMs: undefined }), []],
    ['ClientIP affinity', withSpec({ sessionAffinity: { type: 'ClientIP', timeoutSeconds: 10800 } }), []],
    ['not an object', [], ['spec: must be an object']],
    ['an unknown top-level field', withSpec({ endpoints: [] }), ['spec.endpoints: unknown field (allowed: service, ports, sessionAffinity, backends, resolveMs, readiness)']],
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

  const probe = (patch: Record<string, unknown>) => withSpec({ readiness: [{ ...valid.readiness![1], ...patch }] });
  it.each<[string, unknown, string[]]>([
    ['no probes at all', withSpec({ readiness: [] }), []],
    ['a probe of a name that is not a backend', probe({ backend: 'tasks.other' }), ['spec.readiness[0].backend: must be one of spec.backends']],
    ['two probes of one backend', withSpec({ readiness: [valid.readiness![1], { ...valid.readiness![1], backend: 'TASKS.berth-default-web-canary' }] }), ['spec.readiness[1].backend: a second probe for "TASKS.berth-default-web-canary"']],
    ['neither httpGet nor tcpSocket', probe({ tcpSocket: undefined }), ['spec.readiness[0]: must have exactly one of httpGet and tcpSocket']],
    ['both httpGet and tcpSocket', probe({ httpGet: { path: '/', port: 80, scheme: 'HTTP' } }), ['spec.readiness[0]: must have exactly one of httpGet and tcpSocket']],
    ['a named port (the planner resolves names)', probe({ tcpSocket: { port: 'http' } }), ['spec.readiness[0].tcpSocket.port: must be an integer from 1 to 65535']],
    ['a host (the task address is the one probed)', probe({ tcpSocket: { port: 80, host: 'db' } }), ['spec.readiness[0].tcpSocket.host: unknown field (allowed: port)']],
    [
      'an httpGet with a bad path, scheme and headers',
      probe({ tcpSocket: undefined, httpGet: { path: 'healthz', port: 80, scheme: 'http', headers: [{ name: 'X Bad', value: 'a\r\nInjected: 1' }], host: 'x' } }),
      [
        'spec.readiness[0].httpGet.host: unknown field (allowed: path, port, scheme, headers)',
        'spec.readiness[0].httpGet.path: must start with / and hold no spaces or control characters',
        'spec.readiness[0].httpGet.scheme: must be "HTTP" or "HTTPS"',
        'spec.readiness[0].httpGet.headers[0].name: must be an HTTP header name',
        'spec.readiness[0].httpGet.headers[0].value: must be a string without line breaks',
      ],
    ],
    [
      'timings out of range',
      probe({ initialDelaySeconds: -1, periodSeconds: 0, timeoutSeconds: 1.5, successThreshold: 0, failureThreshold: 100_000 }),
      [
        'spec.readiness[0].initialDelaySeconds: must be an integer from 0 to 86400',
        'spec.readiness[0].periodSeconds: must be an integer from 1 to 86400',
        'spec.readiness[0].timeoutSeconds: must be an integer from 1 to 86400',
        'spec.readiness[0].successThreshold: must be an integer from 1 to 86400',
        'spec.readiness[0].failureThreshold: must be an integer from 1 to 86400',
      ],
    ],
  ])('readiness: %s', (_name, spec, problems) => {
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
    const shuffled: SwarmProxySpec = {
      readiness: [...valid.readiness!].reverse().map(({ backend, ...rest }) => ({ ...rest, backend })),
      resolveMs: 500,
      backends: [...valid.backends].reverse(),
      sessionAffinity: { type: 'None' as const },
      ports: valid.ports.map((p) => ({ targetPort: p.targetPort, port: p.port, protocol: p.protocol, name: p.name })),
      service: { name: 'web', namespace: 'default' },
    };
    const text = encodeSwarmProxySpec(valid);
    expect(encodeSwarmProxySpec(shuffled)).toBe(text);
    expect(parseSwarmProxySpec(text)).toEqual({ ok: true, spec: { ...valid, backends: [...valid.backends].sort() } });
    expect(text.indexOf('"readiness":[{"backend":"tasks.berth-default-web","httpGet":{"path"')).toBeGreaterThan(0);
  });

  it('leaves out an empty readiness list, so a spec without probes keeps its text', () => {
    const { readiness: _, ...plain } = valid;
    expect(encodeSwarmProxySpec({ ...plain, readiness: [] })).toBe(encodeSwarmProxySpec(plain));
    expect(encodeSwarmProxySpec(plain)).not.toContain('readiness');
  });
});

describe('Swarm proxy healthcheck', () => {
  it('checks the first TCP port, and there is none to check without one', () => {
    expect(swarmProxyHealthcheck(valid)).toEqual(['CMD', 'node', '-e', expect.stringContaining(".connect(80,'127.0.0.1')")]);
    expect(swarmProxyHealthcheck({ ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 }] })).toBeUndefined();
  });
});
