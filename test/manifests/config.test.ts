import { describe, expect, it } from 'vitest';
import type { Finding } from './support.js';
import { at, findings, validate, yaml } from './support.js';

describe('ConfigMaps, Secrets and claims', () => {
  it.each<{ name: string; text: string; want: Finding[] }>([
    {
      name: 'ConfigMap keys and binaryData',
      text: yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
        data:
          bad key: x
          app.properties: |
            a=1
          shared: text
        binaryData:
          logo.png: iVBORw0KGgo=
          shared: aGk=
          raw: not base64!
      `,
      want: [
        at(6, 3, 'invalid-config-key', 'data["bad key"]'),
        at(12, 3, 'duplicate-config-key', 'binaryData.shared'),
        at(13, 8, 'invalid-base64', 'binaryData.raw'),
      ],
    },
    {
      // Keys are file names in a configMap/secret volume: `.` and `..` are directories and
      // `..x` is the kubelet's namespace there (`..data`); Kubernetes refuses them all.
      name: 'keys that would name a directory or the volume\'s reserved names',
      text: yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
        data:
          ".": a
          "..": b
          ..data: c
          ..x.y: d
          .hidden: fine
          a..b: fine
        binaryData:
          ..bin: aGk=
      `,
      want: [
        at(6, 3, 'invalid-config-key', 'data["."]'),
        at(7, 3, 'invalid-config-key', 'data[".."]'),
        at(8, 3, 'invalid-config-key', 'data["..data"]'),
        at(9, 3, 'invalid-config-key', 'data["..x.y"]'),
        at(13, 3, 'invalid-config-key', 'binaryData["..bin"]'),
      ],
    },
    {
      name: 'Secret keys: the same rule in data and stringData',
      text: yaml`
        apiVersion: v1
        kind: Secret
        metadata:
          name: s
        data:
          ..data: aGk=
        stringData:
          "..": x
          ok: text
      `,
      want: [at(6, 3, 'invalid-config-key', 'data["..data"]'), at(8, 3, 'invalid-config-key', 'stringData[".."]')],
    },
    {
      name: 'Secret data is base64 (line-wrapped is fine), stringData is text',
      text: yaml`
        apiVersion: v1
        kind: Secret
        metadata:
          name: s
        data:
          ok: aGVsbG8=
          wrapped: |
            aGVsbG8g
            d29ybGQ=
          plain: hunter2!
        stringData:
          TOKEN: anything goes here
      `,
      want: [at(10, 10, 'invalid-base64', 'data.plain')],
    },
    {
      name: 'typed Secrets need their keys',
      text: yaml`
        apiVersion: v1
        kind: Secret
        metadata:
          name: tls
        type: kubernetes.io/tls
        data:
          tls.crt: Y2VydA==
      `,
      want: [at(6, 1, 'missing-field', 'data["tls.key"]')],
    },
    {
      name: 'claims request storage',
      text: yaml`
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: data
        spec:
          accessModes: [ReadWriteOnce, ReadWriteSometimes]
          resources:
            requests:
              cpu: 1
            limits:
              storage: 10 GiB
      `,
      want: [
        at(6, 32, 'invalid-value', 'spec.accessModes[1]'),
        at(8, 5, 'missing-field', 'spec.resources.requests.storage'),
        at(9, 7, 'invalid-resource-name', 'spec.resources.requests.cpu'),
        at(11, 16, 'invalid-quantity', 'spec.resources.limits.storage'),
      ],
    },
  ])('$name', ({ text, want }) => {
    expect(findings({ 'f.yaml': text })).toEqual(want);
  });

  it('folds stringData into data for the resource', () => {
    const { resources } = validate({ 'f.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  TOKEN: abc\n' });
    expect(resources.map((r) => r.object)).toEqual([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default', labels: {}, annotations: {} }, type: 'Opaque', data: { TOKEN: 'YWJj' } },
    ]);
  });
});
