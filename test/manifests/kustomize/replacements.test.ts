import { describe, expect, it } from 'vitest';
import { build, dedent, output, problems } from './support.js';

/**
 * `replacements`, with the example of kubectl.docs.kubernetes.io
 * references/kustomize/kustomization/replacements (a Secret's name into a Job's env value by
 * `[name=…]` list selectors) and the delimiter/index/create options it documents.
 */
const JOB = `
  apiVersion: batch/v1
  kind: Job
  metadata:
    name: hello
  spec:
    template:
      spec:
        restartPolicy: Never
        containers:
        - image: myimage:1
          name: hello
          env:
          - name: SECRET_TOKEN
            value: SOME_SECRET_NAME
`;
const SECRET = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: my-secret\n';
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: env\ndata:\n  TAG: "2.0"\n  HOST: db.example.com\n';

const rows: Array<{ name: string; files: Record<string, string>; expected: string }> = [
  {
    name: "the documented example: a Secret's name into a Job's env value",
    files: {
      'kustomization.yaml': dedent(`
        resources:
        - job.yaml
        - secret.yaml
        namePrefix: p-
        replacements:
        - source:
            kind: Secret
            name: my-secret
            fieldPath: metadata.name
          targets:
          - select:
              kind: Job
            fieldPaths:
            - spec.template.spec.containers.[name=hello].env.[name=SECRET_TOKEN].value
      `),
      'job.yaml': JOB,
      'secret.yaml': SECRET,
    },
    expected: `
      apiVersion: v1
      kind: Secret
      metadata:
        name: p-my-secret
      ---
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: p-hello
      spec:
        template:
          spec:
            containers:
            - env:
              - name: SECRET_TOKEN
                value: p-my-secret
              image: myimage:1
              name: hello
            restartPolicy: Never
    `,
  },
  {
    name: 'delimiter and index replace one part of a string; create makes a missing field; reject skips',
    files: {
      'kustomization.yaml': dedent(`
        resources:
        - job.yaml
        - cm.yaml
        replacements:
        - source:
            kind: ConfigMap
            name: env
            fieldPath: data.TAG
          targets:
          - select:
              kind: Job
            fieldPaths:
            - spec.template.spec.containers.0.image
            options:
              delimiter: ':'
              index: 1
        - path: more.yaml
      `),
      'more.yaml': dedent(`
        - source:
            kind: ConfigMap
            name: env
            fieldPath: data.HOST
          targets:
          - select:
              kind: Job
            fieldPaths:
            - metadata.annotations.[db.example/host]
            options:
              create: true
          - select:
              kind: ConfigMap
            reject:
            - name: env
            fieldPaths:
            - data.HOST
      `),
      'job.yaml': JOB,
      'cm.yaml': CM,
    },
    expected: `
      apiVersion: v1
      data:
        HOST: db.example.com
        TAG: "2.0"
      kind: ConfigMap
      metadata:
        name: env
      ---
      apiVersion: batch/v1
      kind: Job
      metadata:
        annotations:
          db.example/host: db.example.com
        name: hello
      spec:
        template:
          spec:
            containers:
            - env:
              - name: SECRET_TOKEN
                value: SOME_SECRET_NAME
              image: myimage:2.0
              name: hello
            restartPolicy: Never
    `,
  },
];

describe('kustomize build: replacements', () => {
  it.each(rows)('$name', ({ files, expected }) => {
    expect(output(files)).toBe(dedent(expected));
  });

  it.each<{ name: string; files: Record<string, string>; expected: string[] }>([
    {
      name: 'a source that selects nothing',
      files: { 'kustomization.yaml': 'resources:\n- job.yaml\nreplacements:\n- source:\n    kind: Secret\n    name: nope\n  targets: []\n', 'job.yaml': JOB },
      expected: ['kustomization.yaml:4:3 invalid-value'],
    },
    {
      name: 'a target field that does not exist, without create',
      files: {
        'kustomization.yaml': 'resources:\n- job.yaml\n- secret.yaml\nreplacements:\n- source:\n    kind: Secret\n  targets:\n  - select:\n      kind: Job\n    fieldPaths:\n    - spec.nothing.here\n',
        'job.yaml': JOB,
        'secret.yaml': SECRET,
      },
      expected: ['kustomization.yaml:11:7 invalid-value'],
    },
    {
      name: 'an unknown field of a target',
      files: { 'kustomization.yaml': 'resources:\n- job.yaml\nreplacements:\n- source:\n    kind: Job\n  targets:\n  - selct:\n      kind: Job\n', 'job.yaml': JOB },
      expected: ['kustomization.yaml:7:5 missing-field', 'kustomization.yaml:7:5 unknown-field'],
    },
  ])('$name', ({ files, expected }) => {
    expect(problems(files)).toEqual(expected);
  });

  it('a copied value points at the line of its source', () => {
    const b = build(rows[0]!.files);
    const job = b.docs.find((d) => (d.value as { kind: string }).kind === 'Job')!;
    const pos = job.parsed.locator.locate(['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value']);
    // metadata.name of the Secret, which namePrefix set: the kustomization's namePrefix line.
    expect(`${pos.file}:${pos.line}`).toBe('kustomization.yaml:4');
  });
});
