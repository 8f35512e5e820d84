import { describe, expect, it } from 'vitest';
import { applyHashSuffixes, contentHash, goJson } from '../../../src/manifests/kustomize/hash.js';
import type { KResource, Obj } from '../../../src/manifests/kustomize/types.js';
import { buildContext, parseDoc } from './gen-support.js';

const cm = (name: string, data?: Obj, binaryData?: Obj): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, ...(data && { data }), ...(binaryData && { binaryData }) });
const secret = (name: string, data: Obj, type: string | undefined = 'Opaque'): Obj => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, ...(type && { type }), data });

describe('contentHash: the suffixes kustomize prints', () => {
  it.each<[string, Obj, string]>([
    // kubernetes.io "Declarative Management of Kubernetes Objects Using Kustomize", the Deployment example
    ['k8s docs: configMapGenerator files (application.properties)', cm('example-configmap-1', { 'application.properties': 'FOO=Bar\n' }), 'g4hk9g2ff8'],
    ['k8s docs: configMapGenerator envs (.env)', cm('example-configmap-1', { FOO: 'Bar' }), '42cfbf598f'],
    // kustomize examples/configGeneration.md: staging overlay (prefix, suffix, a patch of the data), then the patch edited
    ['kustomize docs: staging-the-map-v1 after the patch', cm('staging-the-map-v1', { altGreeting: 'Have a pineapple!', enableRisky: 'true' }), '5276h4th55'],
    ['kustomize docs: staging-the-map-v1 after editing the patch', cm('staging-the-map-v1', { altGreeting: 'Have a kiwi!', enableRisky: 'true' }), 'c2g8fcbf88'],
    // kustomize issue 4525 (reproduced by a maintainer on master): env value quotes are kept
    ['kustomize issue 4525: env-config', cm('env-config', { SAMPLE: '"Sample var"' }), 'hdg5tmcf2m'],
    // kustomize api/krusty configmaps_test.go
    [
      'krusty TestGeneratorBasics: ConfigMap blah-bob',
      cm('blah-bob', {
        MOUNTAIN: 'everest',
        OCEAN: 'pacific',
        'forces.txt': '\ngravitational\nelectromagnetic\nstrong nuclear\nweak nuclear\n',
        fruit: 'apple',
        passphrase: '\nLife is short.\nBut the years are long.\nNot while the evil days come not.\n',
        vegetable: 'broccoli',
      }),
      'd87t8m8tgm',
    ],
    [
      'krusty TestGeneratorBasics: Secret blah-bob',
      secret('blah-bob', {
        MOUNTAIN: 'ZXZlcmVzdA==',
        OCEAN: 'cGFjaWZpYw==',
        'forces.txt': 'CmdyYXZpdGF0aW9uYWwKZWxlY3Ryb21hZ25ldGljCnN0cm9uZyBudWNsZWFyCndlYWsgbnVjbGVhcgo=',
        fruit: 'YXBwbGU=',
        passphrase: 'CkxpZmUgaXMgc2hvcnQuCkJ1dCB0aGUgeWVhcnMgYXJlIGxvbmcuCk5vdCB3aGlsZSB0aGUgZXZpbCBkYXlzIGNvbWUgbm90Lgo=',
        vegetable: 'YnJvY2NvbGk=',
      }),
      'ftht6hfgmb',
    ],
    ['krusty TestGeneratorOverlays: p1-com1 merged over its base', cm('p1-com1', { baz: 'qux', foo: 'bar', from: 'overlay' }), '8tc62428t2'],
    ['krusty TestGeneratorOverlays: p2-com2', cm('p2-com2', { from: 'overlay' }), '87mcggf7d7'],
    ['krusty TestConfigMapGeneratorMergeNamePrefix: o1-cm', cm('o1-cm', { big: 'bang', foo: 'bar' }), 'ft9mmdc8c6'],
    ['krusty TestConfigMapGeneratorMergeNamePrefix: cm-o2', cm('cm-o2', { big: 'crunch', foo: 'bar' }), '5k95kd76ft'],
    // kustomize api/hasher hasher_test.go: absent fields, numbers, binaryData, stringData
    ['hasher: empty ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap' }, '6ct58987ht'],
    ['hasher: one key', { kind: 'ConfigMap', data: { one: '' } }, '9g67k2htb6'],
    ['hasher: three keys, sorted', { kind: 'ConfigMap', data: { two: 2, one: '', three: 3 } }, '7757f9kkct'],
    ['hasher: binaryData', { kind: 'ConfigMap', binaryData: { one: '' } }, '6mtk2m274t'],
    ['hasher: data and binaryData', { kind: 'ConfigMap', data: { one: '' }, binaryData: { two: '' } }, '698h7c7t9m'],
    ['hasher: empty Secret', { kind: 'Secret', type: 'my-type' }, '5gmgkf8578'],
    ['hasher: Secret, one key', { kind: 'Secret', type: 'my-type', data: { one: '' } }, '74bd68bm66'],
    ['hasher: Secret, three keys', { kind: 'Secret', type: 'my-type', data: { two: 2, one: '', three: 3 } }, '4gf75c7476'],
    ['hasher: Secret with stringData', { kind: 'Secret', type: 'my-type', data: { one: '' }, stringData: { two: 2 } }, 'c4h4264gdb'],
  ])('%s', (_name, object, expected) => {
    expect(contentHash(object)).toBe(expected);
  });

  it('ignores the name, labels, annotations and immutable, as kustomize does', () => {
    const plain = cm('x', { a: 'b' });
    expect(contentHash({ ...plain, immutable: true, metadata: { name: 'y', labels: { l: 'v' }, annotations: { a: 'v' } } })).toBe(contentHash(plain));
  });

  it('changes with the Secret type', () => {
    expect(contentHash(secret('s', { a: 'Yg==' }, 'kubernetes.io/tls'))).not.toBe(contentHash(secret('s', { a: 'Yg==' })));
  });
});

describe("goJson: Go's json.Marshal text", () => {
  it.each<[string, unknown, string]>([
    ['HTML characters', { s: '<a href="x">&</a>' }, '{"s":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"}'],
    ['controls', '\u0001\b\f\n\r\t\u001f', '"\\u0001\\b\\f\\n\\r\\t\\u001f"'],
    ['line and paragraph separators', '\u2028\u2029', '"\\u2028\\u2029"'],
    ['non-ASCII kept as UTF-8', 'é☃😀', '"é☃😀"'],
    ['keys sorted by UTF-8 bytes, not UTF-16 units', { '\uff01': 1, '😀': 2, b: 3, A: 4 }, '{"A":4,"b":3,"！":1,"😀":2}'],
    ['numbers', [1, 1.5, 1e21, 1e-7, 32000000000], '[1,1.5,1e+21,1e-7,32000000000]'],
    ['null and booleans', [null, true, false], '[null,true,false]'],
  ])('%s', (_name, value, expected) => {
    expect(goJson(value)).toBe(expected);
  });
});

describe('applyHashSuffixes', () => {
  it('suffixes generated objects that want it, from their final content, and records the new name', () => {
    const doc = parseDoc('kustomization.yaml', 'configMapGenerator:\n- name: example-configmap-2\n');
    const ctx = buildContext();
    const gen = (name: string, hash: boolean, ns?: string): KResource => ({
      object: { ...cm(name, { FOO: 'Bar' }), metadata: { name, ...(ns && { namespace: ns }) } },
      origin: { doc, path: ['configMapGenerator', 0] },
      history: [{ name, namespace: ns }],
      generated: { hash, behavior: 'create' },
    });
    const resources = [gen('example-configmap-2', true, 'apps'), gen('plain', false), { ...gen('resource', true), generated: undefined }];
    applyHashSuffixes(resources, ctx);
    expect(resources.map((r) => [(r.object.metadata as Obj).name, r.history])).toEqual([
      ['example-configmap-2-42cfbf598f', [{ name: 'example-configmap-2', namespace: 'apps' }, { name: 'example-configmap-2-42cfbf598f', namespace: 'apps' }]],
      ['plain', [{ name: 'plain', namespace: undefined }]],
      ['resource', [{ name: 'resource', namespace: undefined }]],
    ]);
  });
});
