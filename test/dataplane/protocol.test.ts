import { describe, expect, it } from 'vitest';
import type { DnsConfig, ProxyConfig } from '../../src/dataplane/protocol.js';
import {
  canonicalJson,
  configChecksum,
  DataplaneConfigError,
  decodeConfig,
  decodeStatus,
  encodeDnsConfig,
  encodeProxyConfig,
  parseConfigFileName,
} from '../../src/dataplane/protocol.js';
import { parseHostPort } from '../../src/dataplane/protocol-validate.js';

const proxy: ProxyConfig = {
  service: { namespace: 'shop', name: 'web' },
  ports: [
    { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
    { name: 'metrics', protocol: 'TCP', port: 9090 },
  ],
  endpoints: [
    { name: 'web-abc12', ip: '172.20.0.5', ready: true, ports: { metrics: 9100 } },
    { ip: '172.20.0.6', ready: false },
  ],
  sessionAffinity: { type: 'ClientIP', timeoutSeconds: 10800 },
};

const dns: DnsConfig = {
  domain: 'cluster.local',
  ttlSeconds: 5,
  services: [
    {
      namespace: 'shop',
      name: 'db',
      type: 'Headless',
      ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }],
      endpoints: [{ ip: '172.20.0.9', ready: true, hostname: 'db-0' }],
    },
    { namespace: 'shop', name: 'ext', type: 'ExternalName', externalName: 'example.com', ports: [], endpoints: [] },
  ],
};

describe('config encoding', () => {
  it('round-trips a proxy config and names the file after its generation', () => {
    const { fileName, content } = encodeProxyConfig(proxy, 42);
    expect(fileName).toBe('config-42.json');
    expect(parseConfigFileName(fileName)).toBe(42);
    const decoded = decodeConfig(content, 'proxy', 42);
    expect(decoded).toEqual({
      ok: true,
      config: { format: 'berth.dataplane/v1', kind: 'proxy', generation: 42, checksum: configChecksum('proxy', 42, proxy), payload: proxy },
    });
  });

  it('round-trips a dns config', () => {
    const { content } = encodeDnsConfig(dns, 7);
    const decoded = decodeConfig(content, 'dns', 7);
    expect(decoded.ok && decoded.config.payload).toEqual(dns);
  });

  it('verifies the checksum independently of key order and whitespace', () => {
    const { content } = encodeProxyConfig(proxy, 3);
    const doc = JSON.parse(content) as Record<string, unknown>;
    const reordered = JSON.stringify({ payload: doc.payload, checksum: doc.checksum, generation: 3, kind: 'proxy', format: doc.format });
    expect(decodeConfig(reordered, 'proxy', 3).ok).toBe(true);
  });

  const { content: good } = encodeProxyConfig(proxy, 5);
  const tampered = good.replace('172.20.0.5', '172.20.0.7');
  const cases: Array<[string, string, 'proxy' | 'dns', number | undefined, string]> = [
    ['every truncation of the file', good.slice(0, good.length / 2), 'proxy', 5, 'NOT_JSON'],
    ['a file cut just before its last brace', good.slice(0, good.lastIndexOf('}')), 'proxy', 5, 'NOT_JSON'],
    ['an empty file (extraction just started)', '', 'proxy', 5, 'NOT_JSON'],
    ['content changed after the checksum', tampered, 'proxy', 5, 'CHECKSUM_MISMATCH'],
    ['a dns file given to the proxy', encodeDnsConfig(dns, 5).content, 'proxy', 5, 'WRONG_KIND'],
    ['a file renamed to another generation', good, 'proxy', 6, 'GENERATION_MISMATCH'],
    ['something else entirely', '{"hello":1}', 'proxy', 5, 'WRONG_FORMAT'],
  ];
  it.each(cases)('rejects %s', (_what, text, kind, gen, code) => {
    const decoded = decodeConfig(text, kind, gen);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error.code).toBe(code);
  });

  it('rejects every strict prefix of a valid file', () => {
    for (let n = 0; n < good.length - 1; n += 7) {
      expect(decodeConfig(good.slice(0, n), 'proxy', 5).ok).toBe(false);
    }
  });

  it('refuses to encode an invalid payload and lists every problem', () => {
    const bad = {
      service: { namespace: '', name: 'web' },
      ports: [
        { name: 'a', protocol: 'SCTP', port: 0 },
        { name: 'a', protocol: 'TCP', port: 80 },
      ],
      endpoints: [{ ip: 'not-an-ip', ready: 'yes' }],
      sessionAffinity: { type: 'ClientIP', timeoutSeconds: 0 },
    } as unknown as ProxyConfig;
    let err: unknown;
    try {
      encodeProxyConfig(bad, 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataplaneConfigError);
    expect((err as DataplaneConfigError).code).toBe('INVALID_CONFIG');
    expect((err as DataplaneConfigError).data.problems).toEqual([
      'payload.service.namespace: must be a non-empty string',
      'payload.ports[0].protocol: must be TCP or UDP',
      'payload.ports[0].port: must be an integer from 1 to 65535',
      'payload.ports[1].name: duplicate port name "a"',
      'payload.endpoints[0].ip: must be an IPv4 or IPv6 address',
      'payload.endpoints[0].ready: must be true or false',
      'payload.sessionAffinity.timeoutSeconds: must be an integer from 1 to 86400',
    ]);
  });

  it('published ports carry their host address; files without one (written before it existed) still decode', () => {
    const published: ProxyConfig = { ...proxy, published: [{ name: 'http', protocol: 'TCP', hostPort: 30080 }, { name: 'http', protocol: 'TCP', hostPort: 80, hostIp: '127.0.0.1' }] };
    const { content } = encodeProxyConfig(published, 3);
    expect(decodeConfig(content, 'proxy', 3)).toMatchObject({ ok: true, config: { payload: published } });
    let err: unknown;
    try {
      encodeProxyConfig({ ...proxy, published: [{ name: 'http', protocol: 'TCP', hostPort: 80, hostIp: 'localhost' }] }, 4);
    } catch (e) {
      err = e;
    }
    expect((err as DataplaneConfigError).data.problems).toEqual(['payload.published[0].hostIp: must be an IPv4 or IPv6 address']);
  });

  it('rejects generations that are not positive safe integers', () => {
    expect(() => encodeProxyConfig(proxy, 0)).toThrow(DataplaneConfigError);
    expect(() => encodeProxyConfig(proxy, 1.5)).toThrow(DataplaneConfigError);
    expect(parseConfigFileName('config-0.json')).toBeUndefined();
    expect(parseConfigFileName('config-12.json.tmp')).toBeUndefined();
    expect(parseConfigFileName('status.json')).toBeUndefined();
  });

  it('validates dns payloads', () => {
    const bad = { domain: 'Cluster..local', ttlSeconds: -1, upstreams: ['nope'], services: [{ namespace: 'a', name: 'x', type: 'ExternalName', ports: [], endpoints: [] }] };
    expect(() => encodeDnsConfig(bad as unknown as DnsConfig, 1)).toThrow(
      expect.objectContaining({
        data: {
          kind: 'dns',
          problems: [
            'payload.domain: must be a DNS name such as cluster.local',
            'payload.ttlSeconds: must be an integer from 0 to 86400',
            'payload.upstreams[0]: must be ip, ip:port or [ipv6]:port',
            'payload.services[0].externalName: must be a DNS name',
          ],
        },
      }),
    );
  });

  it('writes canonical JSON with sorted keys', () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: undefined }] })).toBe('{"a":[true,null,{"d":"x"}],"b":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });

  it('parses upstream addresses', () => {
    expect(parseHostPort('127.0.0.11', 53)).toEqual({ host: '127.0.0.11', port: 53 });
    expect(parseHostPort('10.0.0.1:5353', 53)).toEqual({ host: '10.0.0.1', port: 5353 });
    expect(parseHostPort('[fd00::1]:54', 53)).toEqual({ host: 'fd00::1', port: 54 });
    expect(parseHostPort('fd00::1', 53)).toEqual({ host: 'fd00::1', port: 53 });
    expect(parseHostPort('dns.google', 53)).toBeUndefined();
    expect(parseHostPort('10.0.0.1:0', 53)).toBeUndefined();
  });

  it('decodes status files', () => {
    expect(decodeStatus('{"format":"berth.dataplane/v1","kind":"proxy","generation":3}')).toMatchObject({ ok: true, status: { generation: 3 } });
    expect(decodeStatus('{"format":"x"}')).toMatchObject({ ok: false, error: { code: 'WRONG_FORMAT' } });
  });
});
