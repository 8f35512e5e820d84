import { afterEach, describe, expect, it } from 'vitest';
import { build, output } from './support.js';

/**
 * Keys a kustomization's author chose are fields like any other: `__proto__` must never reach
 * Object.prototype (berth runs as root; a kustomization in a pull request is hostile), and
 * `constructor` is a ConfigMap key like `a`.
 */
const base = {
  'cm.yaml': `
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: a
    data:
      x: "1"
  `,
};

afterEach(() => {
  for (const k of ['polluted', 'polluted2', 'polluted3', 'polluted4']) delete (Object.prototype as Record<string, unknown>)[k];
});

describe('keys named after Object.prototype members', () => {
  it.each([
    [
      'a strategic merge patch with a __proto__ map',
      {
        'kustomization.yaml': 'resources: [cm.yaml]\npatches:\n- path: p.yaml\n',
        'p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  __proto__:\n    polluted: "yes"\ndata:\n  __proto__:\n    polluted2: "yes"\n',
      },
    ],
    [
      'a replacement creating a field below __proto__',
      {
        'kustomization.yaml': `
          resources: [cm.yaml]
          replacements:
          - source: {kind: ConfigMap, name: a, fieldPath: data.x}
            targets:
            - select: {kind: ConfigMap}
              fieldPaths: [metadata.__proto__.polluted3]
              options: {create: true}
        `,
      },
    ],
    [
      'a JSON patch adding below /data/__proto__',
      {
        'kustomization.yaml': `
          resources: [cm.yaml]
          patches:
          - target: {kind: ConfigMap}
            patch: |-
              - op: add
                path: /data/__proto__
                value: {polluted4: "yes"}
        `,
      },
    ],
  ])('%s changes the object, never Object.prototype', (_, files) => {
    const b = build({ ...base, ...files });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted2']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted3']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted4']).toBeUndefined();
    // The key stays an ordinary field of the built object, for validation to judge.
    expect(b.docs).toHaveLength(1);
    expect(JSON.stringify(b.docs[0]!.value)).toContain('"__proto__"');
  });

  it('keeps a base ConfigMap key named constructor under behavior: merge', () => {
    expect(
      output({
        'kustomization.yaml': `
          configMapGenerator:
          - name: app
            literals: [constructor=base, toString=base]
          - name: app
            behavior: merge
            literals: [b=overlay]
          generatorOptions:
            disableNameSuffixHash: true
        `,
      }),
    ).toBe(['apiVersion: v1', 'data:', '  b: overlay', '  constructor: base', '  toString: base', 'kind: ConfigMap', 'metadata:', '  name: app', ''].join('\n'));
  });

  it('keeps an env key named __proto__ as data', () => {
    const text = output({
      'kustomization.yaml': `
        configMapGenerator:
        - name: app
          literals: [__proto__=x, a=b]
        generatorOptions:
          disableNameSuffixHash: true
      `,
    });
    expect(text).toBe(['apiVersion: v1', 'data:', '  __proto__: x', '  a: b', 'kind: ConfigMap', 'metadata:', '  name: app', ''].join('\n'));
  });
});

describe('kinds and fields named after Object.prototype members are looked up as own entries', () => {
  it.each(['constructor', 'toString', '__proto__'])('a resource of kind %s is built, not thrown on', (kind) => {
    const b = build({
      'kustomization.yaml': 'namePrefix: p-\nresources: [d.yaml]\n',
      'd.yaml': `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: a\nspec: {template: {spec: {containers: [{name: c, image: x}]}}}\n`,
    });
    expect(b.problems).toEqual([]);
    expect(b.docs.map((d) => ((d.value as Record<string, unknown>)['metadata'] as Record<string, unknown>)['name'])).toEqual(['p-a']);
  });

  it.each(['constructor', 'toString'])('a kustomization field %s is unknown, not a refused field', (field) => {
    const b = build({ 'kustomization.yaml': `${field}: 1\nresources: []\n` });
    expect(b.problems.map((p) => `${p.line}:${p.column} ${p.code}`)).toEqual(['1:1 unknown-field']);
  });
});
