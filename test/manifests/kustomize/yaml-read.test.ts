import { describe, expect, it } from 'vitest';
import { output } from './support.js';
import { validateRevision } from '../../../src/manifests/index.js';
import { tree } from './support.js';

/**
 * kustomize reads the files it builds with kyaml (go-yaml v3): `on`, `yes`, `y`, `no` are text,
 * only true/false are booleans, `0644` is still octal; `kustomize build` prints such text quoted.
 * So a resource with `FEATURE: on` runs under Flux, Argo CD and `kubectl apply -k`; berth read it
 * as Kubernetes reads a plain file (a boolean) and refused it.
 */
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  labels:\n    enabled: y\ndata:\n  FEATURE: on\n  DEBUG: yes\n  QUOTED: "no"\n';

describe('YAML of the files a kustomization builds, as kyaml reads it', () => {
  it.each<{ name: string; files: Record<string, string>; expected: string }>([
    {
      name: 'a resource file: yes/on/y are text, printed quoted',
      files: { 'kustomization.yaml': 'resources:\n- cm.yaml\n', 'cm.yaml': CM },
      expected: 'apiVersion: v1\ndata:\n  DEBUG: "yes"\n  FEATURE: "on"\n  QUOTED: "no"\nkind: ConfigMap\nmetadata:\n  labels:\n    enabled: "y"\n  name: flags\n',
    },
    {
      name: 'true stays a boolean and 0644 octal (go-yaml v3 keeps both)',
      files: {
        'kustomization.yaml': 'resources:\n- pod.yaml\n',
        'pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  automountServiceAccountToken: true\n  volumes:\n  - name: c\n    configMap:\n      name: x\n      defaultMode: 0644\n',
      },
      expected: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  automountServiceAccountToken: true\n  volumes:\n  - configMap:\n      defaultMode: 420\n      name: x\n    name: c\n',
    },
    {
      name: 'an inline patch is read as kyaml reads it too',
      files: {
        'kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: flags\n    data:\n      EXTRA: off\n',
        'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n',
      },
      expected: 'apiVersion: v1\ndata:\n  EXTRA: "off"\nkind: ConfigMap\nmetadata:\n  name: flags\n',
    },
    {
      name: 'the kustomization file itself is read as Kubernetes reads it (yes is true)',
      files: { 'kustomization.yaml': 'configMapGenerator:\n- name: c\n  literals: [A=1]\ngeneratorOptions:\n  disableNameSuffixHash: yes\n' },
      expected: 'apiVersion: v1\ndata:\n  A: "1"\nkind: ConfigMap\nmetadata:\n  name: c\n',
    },
  ])('$name', ({ files, expected }) => {
    expect(output(files)).toBe(expected);
  });

  it('validation accepts the built object; the same file outside a kustomization is still refused, as kubectl refuses it', () => {
    const built = validateRevision([...tree({ 'kustomization.yaml': 'resources:\n- cm.yaml\n', 'cm.yaml': CM }).values()]);
    expect(built.problems).toEqual([]);
    const plain = validateRevision([...tree({ 'cm.yaml': CM }).values()]);
    expect(plain.problems.map((p) => `${p.line}:${p.column} ${p.code}`)).toEqual(['6:14 invalid-type', '8:12 invalid-type', '9:10 invalid-type']);
  });
});
