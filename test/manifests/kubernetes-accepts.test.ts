import { describe, expect, it } from 'vitest';
import { KINDS } from '../../src/model/kinds.js';
import { at, findings, pod, validate, yaml } from './support.js';

/**
 * Issue 14, "Accept what Kubernetes accepts": checks stricter than the API server are warnings
 * (the revision applies), a field is either run or refused (never both "ignored" and an error),
 * and messages say what the person wrote.
 */

const deployment = (name: string, ports: string, image = 'nginx:1.25') => yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: ${name}}
  spec:
    selector: {matchLabels: {app: ${name}}}
    template:
      metadata: {labels: {app: ${name}}}
      spec:
        containers: [{name: web, image: "${image}", ports: ${ports}}]
`;

describe('checks stricter than Kubernetes are warnings, and the revision applies', () => {
  it('a named targetPort no selected pod defines: the Service is applied, without that endpoint', () => {
    const { problems, resources } = validate({
      'd.yaml': deployment('web', '[{name: http, containerPort: 8080}]'),
      's.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: metrics}]\n',
    });
    expect(problems.map((p) => [p.code, p.severity])).toEqual([['unknown-target-port', 'warning']]);
    expect(resources.map((r) => r.key)).toEqual(['Deployment/default/web', 'Service/default/web']);
  });

  it.each(['IMAGE', '<your-image>', '<registry>/app:<tag>', 'app:${TAG}', 'Nginx:1.25'])('an image placeholder (%s) is applied, with a warning', (image) => {
    const { problems, resources } = validate({ 'd.yaml': deployment('web', '[]', image) });
    expect(problems.map((p) => [p.code, p.severity, p.path])).toEqual([['unresolvable-image', 'warning', 'spec.template.spec.containers[0].image']]);
    expect(resources).toHaveLength(1);
  });

  it.each([
    { name: 'an empty image', text: deployment('web', '[]', '') },
    { name: "whitespace around a Pod's image", text: pod('containers:\n  - {name: a, image: " nginx"}\n') },
  ])('what Kubernetes refuses stays an error: $name', ({ text }) => {
    expect(validate({ 'f.yaml': text }).problems.map((p) => [p.code, p.severity])).toEqual([['invalid-image', 'error']]);
  });

  it("whitespace around a template's image is a warning (Kubernetes accepts it there)", () => {
    expect(validate({ 'f.yaml': deployment('web', '[]', ' nginx') }).problems.map((p) => [p.code, p.severity])).toEqual([['unresolvable-image', 'warning']]);
  });
});

describe('a field is either run or refused, never both', () => {
  it.each([
    { name: 'a volume source berth has no driver for', spec: 'containers: [{name: a, image: nginx}]\nvolumes:\n  - name: v\n    csi: {driver: x}\n', path: 'spec.volumes[0].csi' },
    { name: 'an nfs volume', spec: 'containers: [{name: a, image: nginx}]\nvolumes:\n  - name: v\n    nfs: {server: nas, path: /x}\n', path: 'spec.volumes[0].nfs' },
    {
      name: 'a sidecar (an init container with restartPolicy: Always), which would block the pod as an init container',
      spec: 'initContainers:\n  - name: proxy\n    image: envoy\n    restartPolicy: Always\ncontainers: [{name: a, image: nginx}]\n',
      path: 'spec.initContainers[0].restartPolicy',
    },
    { name: 'an env var read from a file', spec: 'containers:\n  - name: a\n    image: nginx\n    env: [{name: X, valueFrom: {fileKeyRef: {path: f, key: k, volumeName: v}}}]\n', path: 'spec.containers[0].env[0].valueFrom.fileKeyRef' },
  ])('$name is refused (an error), and not also said to be ignored', ({ spec, path }) => {
    const problems = validate({ 'f.yaml': pod(spec) }).problems;
    expect(problems.filter((p) => p.path === path).map((p) => [p.code, p.severity])).toEqual([['unsupported-field', 'error']]);
    expect(problems.filter((p) => p.code === 'unimplemented-field')).toEqual([]);
  });
});

describe('messages', () => {
  it('a duplicate key in a ConfigMap is reported once, and the pods that use it do not also say it is not defined', () => {
    const text = yaml`
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: cfg}
      data:
        a: "1"
        a: "2"
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        containers:
          - name: c
            image: nginx:1.25
            env: [{name: A, valueFrom: {configMapKeyRef: {name: cfg, key: a}}}]
            envFrom: [{configMapRef: {name: cfg}}]
    `;
    const { problems, resources } = validate({ 'f.yaml': text });
    expect(problems.map(({ message: _m, ...p }) => p)).toEqual([at(6, 3, 'duplicate-key', '')]);
    // The damaged ConfigMap is never applied (the revision has an error anyway).
    expect(resources.map((r) => r.key)).toEqual(['Pod/default/p']);
  });

  it.each([
    { name: 'an apiVersion the kind is not served as', head: 'apiVersion: v2\nkind: ConfigMap', code: 'unsupported-api-version' },
    { name: 'no apiVersion', head: 'kind: ConfigMap', code: 'missing-field' },
  ])('a ConfigMap with $name is reported once, not also "not defined" for its pods', ({ head, code }) => {
    const text = `${head}\nmetadata: {name: cfg}\ndata: {a: "1"}\n---\n${pod('containers:\n  - name: c\n    image: nginx:1.25\n    envFrom: [{configMapRef: {name: cfg}}]\n    env: [{name: A, valueFrom: {configMapKeyRef: {name: cfg, key: a}}}]\n')}`;
    const { problems, resources } = validate({ 'f.yaml': text });
    expect(problems.map((p) => p.code)).toEqual([code]);
    expect(resources.map((r) => r.key)).toEqual(['Pod/default/p']);
  });

  it.each([
    { field: 'imgae', want: 'image' },
    { field: 'volumeMoutns', want: 'volumeMounts' },
    { field: 'imagePullPolciy', want: 'imagePullPolicy' },
  ])('did you mean covers swapped letters: $field', ({ field, want }) => {
    const [problem] = validate({ 'f.yaml': pod(`containers:\n  - name: a\n    image: nginx\n    ${field}: x\n`) }).problems;
    expect(problem?.code).toBe('unknown-field');
    expect(problem?.message).toContain(`did you mean "${want}"?`);
  });

  it.each([
    { name: 'a word where an integer goes', line: '  replicas: "three"', want: 'must be an integer, not a string ("three")' },
    { name: 'yes where an integer goes', line: '  replicas: yes', want: 'must be an integer, not a boolean (yes, which YAML reads as true)' },
    { name: 'a quoted boolean', line: '  paused: "yes"', want: 'must be a boolean, not a string ("yes"); write true or false, without quotes' },
    { name: 'a number with a leading zero', line: '  replicas: 1.50', want: 'must be an integer, not a number (1.50, which YAML reads as 1.5)' },
  ])('a type error quotes what was typed: $name', ({ line, want }) => {
    const text = deployment('web', '[]').replace('spec:\n', `spec:\n${line}\n`);
    expect(validate({ 'f.yaml': text }).problems.map((p) => p.message)).toEqual([want]);
  });

  it('env value: yes says yes, and how to write the text', () => {
    const [problem] = validate({ 'f.yaml': pod('containers:\n  - name: a\n    image: nginx\n    env: [{name: X, value: yes}, {name: Y, value: 0755}]\n') }).problems.map((p) => p.message);
    expect(problem).toBe('must be a string, not a boolean (yes, which YAML reads as true); quote it ("yes") if you mean the text (YAML reads unquoted yes/no/on/off/true/false as booleans)');
  });

  it('an unsupported kind lists every kind of the table, and List', () => {
    const [problem] = validate({ 'f.yaml': 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n' }).problems;
    expect(problem?.message).toBe(`kind HorizontalPodAutoscaler is not supported by berth; supported kinds: ${[...KINDS.map((k) => k.kind), 'List'].join(', ')}`);
    expect(problem?.message).toMatch(/, List$/);
  });

  it('a misspelt List is a typo of List', () => {
    expect(findings({ 'f.yaml': 'apiVersion: v1\nkind: Lsit\nitems: []\n' }).map((f) => f.code)).toEqual(['unsupported-kind']);
    expect(validate({ 'f.yaml': 'apiVersion: v1\nkind: Lsit\nitems: []\n' }).problems[0]?.message).toContain('did you mean List?');
  });
});
