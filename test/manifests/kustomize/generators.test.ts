import { describe, expect, it } from 'vitest';
import { addGenerated, generate } from '../../../src/manifests/kustomize/generators.js';
import type { GeneratedKind } from '../../../src/manifests/kustomize/generators.js';
import { applyHashSuffixes } from '../../../src/manifests/kustomize/hash.js';
import { Provenance } from '../../../src/manifests/kustomize/provenance.js';
import type { KResource, Obj } from '../../../src/manifests/kustomize/types.js';
import { brief, buildContext, located, parseDoc, yaml } from './gen-support.js';

const b64 = (s: string | Buffer): string => (typeof s === 'string' ? Buffer.from(s) : s).toString('base64');

/** Runs every generator of `kustomization` (in `dir`) and returns the objects and the problems. */
function run(kustomization: string, files: Record<string, string | Buffer> = {}, dir = 'app', prov?: Provenance) {
  const path = dir === '' ? 'kustomization.yaml' : `${dir}/kustomization.yaml`;
  const doc = parseDoc(path, kustomization);
  const k = doc.value as Obj;
  const ctx = buildContext({ ...files, [path]: kustomization });
  // One provenance for a whole build (a base and its overlay), as kustomize-core keeps it.
  if (prov) ctx.prov = prov;
  const out: KResource[] = [];
  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    ((k[field] as unknown[] | undefined) ?? []).forEach((entry, i) => {
      const r = generate(kind as GeneratedKind, entry, { doc, path: [field, i] }, dir, k.generatorOptions, k.generatorOptions === undefined ? undefined : { doc, path: ['generatorOptions'] }, ctx);
      if (r) out.push(r);
    });
  }
  return { out, ctx, objects: out.map((r) => r.object), problems: ctx.problems.map(brief), wanted: [...ctx.wanted] };
}

describe('generate: objects as kustomize writes them', () => {
  it.each<[string, string, Record<string, string | Buffer>, Obj[]]>([
    [
      'k8s docs: configMapGenerator files',
      yaml`
        configMapGenerator:
        - name: example-configmap-1
          files:
          - application.properties
      `,
      { 'app/application.properties': 'FOO=Bar\n' },
      [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'example-configmap-1' }, data: { 'application.properties': 'FOO=Bar\n' } }],
    ],
    [
      'k8s docs: secretGenerator literals (base64 data, type Opaque)',
      yaml`
        secretGenerator:
        - name: example-secret-2
          literals:
          - username=admin
          - password=secret
      `,
      {},
      [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'example-secret-2' }, type: 'Opaque', data: { password: 'c2VjcmV0', username: 'YWRtaW4=' } }],
    ],
    [
      'krusty TestGeneratorBasics: envs, literals, key=path files, basename keys',
      yaml`
        configMapGenerator:
        - name: bob
          literals:
          - fruit=apple
          - vegetable=broccoli
          envs:
          - foo.env
          files:
          - passphrase=phrase.dat
          - conf/forces.txt
      `,
      { 'app/foo.env': '\nMOUNTAIN=everest\nOCEAN=pacific\n', 'app/phrase.dat': 'Life is short.\n', 'app/conf/forces.txt': 'gravitational\n' },
      [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'bob' },
          data: { MOUNTAIN: 'everest', OCEAN: 'pacific', 'forces.txt': 'gravitational\n', fruit: 'apple', passphrase: 'Life is short.\n', vegetable: 'broccoli' },
        },
      ],
    ],
    [
      'literal values: split at the first =, one pair of matching quotes dropped (configGeneration.md enableRisky="false")',
      yaml`
        configMapGenerator:
        - name: the-map
          literals:
          - altGreeting=Good Morning!
          - enableRisky="false"
          - url=http://x/?a=b&c=d
          - single='quoted'
          - mixed="left'
          - empty=
          - 'json=[{"path": "var"}]'
      `,
      {},
      [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'the-map' },
          data: { altGreeting: 'Good Morning!', empty: '', enableRisky: 'false', json: '[{"path": "var"}]', mixed: '"left\'', single: 'quoted', url: 'http://x/?a=b&c=d' },
        },
      ],
    ],
    [
      'env file: comments, blank and indented lines, CRLF, BOM, = in values, quotes kept',
      yaml`
        configMapGenerator:
        - name: env
          env: old.env
          envs:
          - a.env
      `,
      { 'app/old.env': '\ufeffOLD=1\r\n', 'app/a.env': '# comment\n\n   INDENTED=yes\nQUOTED="Sample var"\nURL=a=b \n' },
      [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'env' }, data: { INDENTED: 'yes', OLD: '1', QUOTED: '"Sample var"', URL: 'a=b ' } }],
    ],
    [
      'binary file: ConfigMap binaryData, Secret data',
      yaml`
        configMapGenerator:
        - name: bin
          files:
          - logo.png
          - readme=README
        secretGenerator:
        - name: bin
          files:
          - logo.png
      `,
      { 'app/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00]), 'app/README': 'hello' },
      [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bin' }, data: { readme: 'hello' }, binaryData: { 'logo.png': b64(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00])) } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bin' }, type: 'Opaque', data: { 'logo.png': b64(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00])) } },
      ],
    ],
    [
      'k8s docs generatorOptions, merged under the entry options; namespace; Secret type; immutable',
      yaml`
        generatorOptions:
          disableNameSuffixHash: true
          labels:
            type: generated
            tier: global
          annotations:
            note: generated
        configMapGenerator:
        - name: example-configmap-3
          namespace: apps
          literals:
          - FOO=Bar
          options:
            labels:
              tier: local
            immutable: true
        secretGenerator:
        - name: tls
          type: kubernetes.io/tls
          literals:
          - tls.crt=CERT
          - tls.key=KEY
      `,
      {},
      [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'example-configmap-3', namespace: 'apps', labels: { tier: 'local', type: 'generated' }, annotations: { note: 'generated' } },
          data: { FOO: 'Bar' },
          immutable: true,
        },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'tls', labels: { tier: 'global', type: 'generated' }, annotations: { note: 'generated' } },
          type: 'kubernetes.io/tls',
          data: { 'tls.crt': 'Q0VSVA==', 'tls.key': 'S0VZ' },
        },
      ],
    ],
    ['no sources: no data', 'configMapGenerator:\n- name: empty\n', {}, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'empty' } }]],
  ])('%s', (_name, kustomization, files, expected) => {
    const { objects, problems } = run(kustomization, files);
    expect(problems).toEqual([]);
    expect(objects).toEqual(expected);
  });

  it('marks hash and behavior: disableNameSuffixHash from either level turns the suffix off', () => {
    const { out } = run(yaml`
      configMapGenerator:
      - name: a
      - name: b
        behavior: merge
        options:
          disableNameSuffixHash: true
    `);
    expect(out.map((r) => [r.generated, r.history])).toEqual([
      [{ hash: true, behavior: 'create' }, [{ name: 'a', namespace: undefined }]],
      [{ hash: false, behavior: 'merge' }, [{ name: 'b', namespace: undefined }]],
    ]);
  });
});

describe('generate: problems at the line that caused them', () => {
  it.each<[string, string, Record<string, string | Buffer>, string[], string[]]>([
    ['no name', 'configMapGenerator:\n- literals:\n  - a=b\n', {}, ['app/kustomization.yaml:2 kustomize-generator-invalid'], []],
    ['unknown behavior', 'configMapGenerator:\n- name: a\n  behavior: upsert\n', {}, ['app/kustomization.yaml:3 kustomize-generator-invalid'], []],
    ['literal without = and with an empty key', 'configMapGenerator:\n- name: a\n  literals:\n  - novalue\n  - =v\n', {}, ['app/kustomization.yaml:4 kustomize-generator-invalid', 'app/kustomization.yaml:5 kustomize-generator-invalid'], []],
    [
      'a key from two sources (kustomize refuses it)',
      'configMapGenerator:\n- name: a\n  envs:\n  - a.env\n  literals:\n  - K=literal\n  files:\n  - K=k.txt\n',
      { 'app/a.env': 'K=env\n', 'app/k.txt': 'file' },
      ['app/kustomization.yaml:6 kustomize-generator-duplicate-key', 'app/kustomization.yaml:8 kustomize-generator-duplicate-key'],
      [],
    ],
    ['a file outside the directory', 'configMapGenerator:\n- name: a\n  files:\n  - ../secret.txt\n', { 'secret.txt': 'x' }, ['app/kustomization.yaml:4 kustomize-generator-path-outside'], []],
    ['an absolute path', 'secretGenerator:\n- name: a\n  envs:\n  - /etc/passwd\n', {}, ['app/kustomization.yaml:4 kustomize-generator-path-outside'], []],
    ['a missing file is wanted and reported', 'configMapGenerator:\n- name: a\n  files:\n  - conf/x.ini\n  envs:\n  - ./.env\n', {}, ['app/kustomization.yaml:4 kustomize-generator-missing-file', 'app/kustomization.yaml:6 kustomize-generator-missing-file'], ['app/.env', 'app/conf/x.ini']],
    [
      'env file lines: bare KEY (process environment), export, a digit first',
      'configMapGenerator:\n- name: a\n  envs:\n  - a.env\n',
      { 'app/a.env': 'OK=1\nFROM_ENV\nexport X=1\n1X=2\n' },
      ['app/a.env:2 kustomize-env-from-environment', 'app/a.env:3 kustomize-generator-invalid', 'app/a.env:4 kustomize-generator-invalid'],
      [],
    ],
    ['a file key=path with a second =', 'configMapGenerator:\n- name: a\n  files:\n  - k=a=b\n', {}, ['app/kustomization.yaml:4 kustomize-generator-invalid'], []],
    ['a misspelt field, and type on a ConfigMap', 'configMapGenerator:\n- name: a\n  literal:\n  - a=b\n  type: Opaque\n', {}, ['app/kustomization.yaml:3 kustomize-generator-invalid', 'app/kustomization.yaml:5 kustomize-generator-invalid'], []],
    ['option values that are not strings', 'generatorOptions:\n  labels:\n    enabled: true\nconfigMapGenerator:\n- name: a\n', {}, ['app/kustomization.yaml:3 kustomize-generator-invalid'], []],
  ])('%s', (_name, kustomization, files, problems, wanted) => {
    const r = run(kustomization, files);
    expect(r.problems.sort()).toEqual(problems);
    expect(r.wanted.sort()).toEqual(wanted);
  });

  it('suggests the field a misspelt one means', () => {
    expect(run('secretGenerator:\n- name: a\n  literal: [a=b]\n').ctx.problems.map((p) => p.message)).toEqual(['secretGenerator has no field "literal"; did you mean literals?']);
  });

  it('names the bare-KEY line and what to do', () => {
    const { ctx } = run('configMapGenerator:\n- name: a\n  envs:\n  - a.env\n', { 'app/a.env': 'FROM_ENV\n' });
    expect(ctx.problems[0]!.message).toBe(
      'FROM_ENV has no `=`: kustomize would take its value from the environment it runs in, and berth builds without one; write FROM_ENV=VALUE in the file, or put it in the generator\'s literals',
    );
  });

  it('points each part of the object at the line that wrote it', () => {
    const { ctx, objects } = run(yaml`
      generatorOptions:
        labels:
          team: a
      configMapGenerator:
      - name: web
        literals:
        - LEVEL=debug
        files:
        - app.conf
        options:
          immutable: true
    `, { 'app/app.conf': 'x' });
    const o = objects[0]!;
    expect([located(ctx, o, []), located(ctx, o, ['metadata', 'name']), located(ctx, o, ['data', 'LEVEL']), located(ctx, o, ['data', 'app.conf']), located(ctx, o, ['metadata', 'labels', 'team']), located(ctx, o, ['immutable'])]).toEqual([
      'app/kustomization.yaml:5:3',
      'app/kustomization.yaml:5:9',
      'app/kustomization.yaml:7:5',
      'app/kustomization.yaml:9:5',
      'app/kustomization.yaml:3:11',
      'app/kustomization.yaml:11:16',
    ]);
  });
});

describe('addGenerated: behavior across a base and an overlay', () => {
  /** Generates the base's entries, renames them as a namePrefix would, then adds the overlay's. */
  function layer(base: string, overlay: string, prefix = '') {
    const b = run(base, {}, 'base');
    const resources: KResource[] = [];
    for (const r of b.out) addGenerated(resources, r, b.ctx);
    for (const r of resources) {
      const meta = r.object.metadata as Obj;
      if (prefix) {
        meta.name = `${prefix}${String(meta.name)}`;
        r.history.push({ name: String(meta.name), namespace: meta.namespace as string | undefined });
      }
    }
    const o = run(overlay, {}, 'overlay', b.ctx.prov);
    for (const r of o.out) addGenerated(resources, r, o.ctx);
    return { resources, ctx: o.ctx, problems: [...b.ctx.problems, ...o.ctx.problems].map(brief) };
  }

  it('krusty TestGeneratorOverlays: two merges by the unprefixed name, over a prefixed base (p1-com1-8tc62428t2)', () => {
    const { resources, ctx, problems } = layer(
      'configMapGenerator:\n- name: com1\n  behavior: create\n  literals:\n  - from=base\n',
      'configMapGenerator:\n- name: com1\n  behavior: merge\n  literals:\n  - from=overlay\n',
      'p1-',
    );
    const top = run('configMapGenerator:\n- name: com1\n  behavior: merge\n  literals:\n  - foo=bar\n  - baz=qux\n', {}, 'top', ctx.prov);
    for (const r of top.out) addGenerated(resources, r, top.ctx);
    expect([...problems, ...top.problems]).toEqual([]);
    applyHashSuffixes(resources, ctx);
    expect(resources.map((r) => r.object)).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p1-com1-8tc62428t2' }, data: { baz: 'qux', foo: 'bar', from: 'overlay' } }]);
    expect(resources[0]!.history.map((h) => h.name)).toEqual(['com1', 'p1-com1', 'p1-com1-8tc62428t2']);
    expect([located(ctx, resources[0]!.object, ['data', 'from']), located(ctx, resources[0]!.object, ['data', 'foo'])]).toEqual(['overlay/kustomization.yaml:5:5', 'top/kustomization.yaml:5:5']);
  });

  it("merge keeps the base's keys (pointing at the base) and its hash setting; the overlay's labels are added", () => {
    const { resources, ctx, problems } = layer(
      'configMapGenerator:\n- name: c\n  literals:\n  - from=base\n  - keep=me\n',
      'configMapGenerator:\n- name: c\n  behavior: merge\n  literals:\n  - from=overlay\n  options:\n    labels:\n      x: z\n    disableNameSuffixHash: true\n',
    );
    expect(problems).toEqual([]);
    expect(resources.map((r) => [r.object, r.generated])).toEqual([
      [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { x: 'z' } }, data: { from: 'overlay', keep: 'me' } }, { hash: true, behavior: 'merge' }],
    ]);
    expect([located(ctx, resources[0]!.object, ['data', 'keep']), located(ctx, resources[0]!.object, ['metadata', 'labels', 'x'])]).toEqual(['base/kustomization.yaml:5:5', 'overlay/kustomization.yaml:8:10']);
  });

  it('replace drops the base data, keeps labels merged', () => {
    const { resources, problems } = layer(
      'configMapGenerator:\n- name: c\n  literals:\n  - a=1\n  options:\n    labels:\n      base: "yes"\n',
      'configMapGenerator:\n- name: c\n  behavior: replace\n  literals:\n  - b=2\n',
    );
    expect(problems).toEqual([]);
    expect(resources.map((r) => [r.object, r.generated])).toEqual([
      [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { base: 'yes' } }, data: { b: '2' } }, { hash: true, behavior: 'replace' }],
    ]);
  });

  it.each<[string, string, string, string[]]>([
    ['create clashes with an existing one', 'configMapGenerator:\n- name: c\n', 'configMapGenerator:\n- name: c\n', ['overlay/kustomization.yaml:2 kustomize-generator-conflict']],
    ['merge needs an existing one', 'configMapGenerator:\n- name: c\n', 'configMapGenerator:\n- name: d\n  behavior: merge\n', ['overlay/kustomization.yaml:2 kustomize-generator-conflict']],
    ['replace in another namespace finds none', 'configMapGenerator:\n- name: c\n  namespace: a\n', 'configMapGenerator:\n- name: c\n  behavior: replace\n', ['overlay/kustomization.yaml:2 kustomize-generator-conflict']],
    ['a Secret and a ConfigMap of one name do not clash', 'configMapGenerator:\n- name: c\n', 'secretGenerator:\n- name: c\n', []],
    ['merge in namespace default finds the one without a namespace', 'configMapGenerator:\n- name: c\n', 'configMapGenerator:\n- name: c\n  namespace: default\n  behavior: merge\n', []],
  ])('%s', (_name, base, overlay, expected) => {
    expect(layer(base, overlay).problems).toEqual(expected);
  });

  it('merge by an earlier name that two objects share is ambiguous (krusty TestConfigMapGeneratorMergeNamePrefix names them by prefix)', () => {
    const b = run('configMapGenerator:\n- name: cm\n', {}, 'base');
    const resources: KResource[] = [];
    for (const prefix of ['o1-', 'o2-']) {
      const r = structuredClone(b.out[0]!) as KResource;
      r.origin = b.out[0]!.origin;
      (r.object.metadata as Obj).name = `${prefix}cm`;
      r.history.push({ name: `${prefix}cm`, namespace: undefined });
      resources.push(r);
    }
    const o = run('configMapGenerator:\n- name: cm\n  behavior: merge\n- name: o1-cm\n  behavior: merge\n  literals:\n  - big=bang\n', {}, 'app');
    for (const r of o.out) addGenerated(resources, r, o.ctx);
    expect(o.ctx.problems.map(brief)).toEqual(['app/kustomization.yaml:2 kustomize-generator-conflict']);
    expect(resources.map((r) => [(r.object.metadata as Obj).name, r.object.data])).toEqual([
      ['o1-cm', { big: 'bang' }],
      ['o2-cm', undefined],
    ]);
  });
});
