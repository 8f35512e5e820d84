import { describe, expect, it } from 'vitest';
import { findings, validate, yaml } from './support.js';

/**
 * Issue 15: a kustomization directory is built wherever a folder of manifests is read, and a
 * problem in a built object points at the file and line a person edits: the base for what the
 * base wrote, the patch for what it set, the kustomization's entry for what a transformer wrote.
 */
const DEPLOYMENT = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    selector:
      matchLabels: {app: web}
    template:
      metadata:
        labels: {app: web}
      spec:
        containers:
        - name: web
          image: web:1.0
          ports:
          - containerPort: 99999
`;

const PATCH = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    template:
      spec:
        containers:
        - name: web
          resources:
            limits:
              cpu: lots
`;

const KUSTOMIZATION = yaml`
  apiVersion: kustomize.config.k8s.io/v1beta1
  kind: Kustomization
  namespace: shop
  resources:
  - deployment.yaml
  images:
  - name: web
    newName: "  "
  patches:
  - path: patch.yaml
`;

describe('validation of a kustomize tree', () => {
  it('points each problem of a built object at the file that wrote it', () => {
    const found = findings({
      'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
      'app/kustomization.yaml': KUSTOMIZATION,
      'app/deployment.yaml': DEPLOYMENT,
      'app/patch.yaml': PATCH,
    });
    const where = found.map((f) => `${f.code} ${f.file}:${f.line}`);
    expect(where).toContain('invalid-port app/deployment.yaml:16');
    expect(where).toContain('invalid-quantity app/patch.yaml:12');
    // The image the `images:` entry wrote is located at that entry.
    expect(found.some((f) => f.file === 'app/kustomization.yaml' && f.line >= 7 && f.line <= 8 && f.path === 'spec.template.spec.containers[0].image')).toBe(true);
  });

  it('reads the built objects, not the files below the kustomization, and plain files beside it', () => {
    const fixed = KUSTOMIZATION.replace('newName: "  "', 'newTag: "2.0"');
    const result = validate({
      'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
      'app/kustomization.yaml': fixed,
      'app/deployment.yaml': DEPLOYMENT.replace('99999', '8080'),
      'app/patch.yaml': PATCH.replace('lots', '500m'),
      'app/notes.txt': 'not a manifest',
    });
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(result.resources.map((r) => r.key).sort()).toEqual(['Deployment/shop/web', 'Namespace//shop']);
    const web = result.resources.find((r) => r.key === 'Deployment/shop/web')!;
    const container = (web.object as any).spec.template.spec.containers[0];
    expect(container.image).toBe('web:2.0');
    expect(container.resources.limits.cpu).toBe('500m');
    expect(web.source).toEqual({ file: 'app/deployment.yaml', line: 1, column: 1 });
  });

  it('reads files fetched from outside the folder only through the build that wants them', () => {
    const result = validate({
      'kustomization.yaml': 'resources:\n- ../base\nnamePrefix: prod-\n',
      '../base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
      '../base/deployment.yaml': DEPLOYMENT.replace('99999', '8080'),
    });
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(result.resources.map((r) => r.key)).toEqual(['Deployment/default/prod-web']);
  });

  it('reports a duplicate between a built object and a plain file at both', () => {
    const found = findings({
      'app/kustomization.yaml': 'resources:\n- deployment.yaml\n',
      'app/deployment.yaml': DEPLOYMENT.replace('99999', '8080'),
      'web.yaml': DEPLOYMENT.replace('99999', '8080'),
    });
    expect(found.filter((f) => f.code === 'duplicate-resource').map((f) => f.file).sort()).toEqual(['app/deployment.yaml', 'web.yaml']);
  });

  it('says why when two kustomizations of the folder build the same lines (an overlay including another root)', () => {
    const { problems } = validate({
      'apps/production/kustomization.yaml': 'namespace: prod\nresources:\n- ../../infrastructure\n- ../base\n',
      'apps/base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
      'apps/base/deployment.yaml': DEPLOYMENT.replace('99999', '8080'),
      'infrastructure/kustomization.yaml': 'resources:\n- namespace.yaml\n',
      'infrastructure/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n',
    });
    const dups = problems.filter((p) => p.code === 'duplicate-resource');
    expect(dups.map((p) => p.file).sort()).toEqual(['apps/production/kustomization.yaml', 'infrastructure/namespace.yaml']);
    for (const p of dups) expect(p.message).toMatch(/^Namespace "prod" is also defined at infrastructure\/namespace\.yaml:1: the same lines, built twice, by two kustomizations/);
  });

  it('says a problem of a base that several roots build once', () => {
    // base/, overlays/a and overlays/b are each a root: the base is built three times.
    const found = findings({
      'base/kustomization.yaml': 'resources:\n- deployment.yaml\nnamePrefx: x-\n',
      'base/deployment.yaml': DEPLOYMENT,
      'overlays/a/kustomization.yaml': 'resources:\n- ../../base\nnamePrefix: a-\n',
      'overlays/b/kustomization.yaml': 'resources:\n- ../../base\nnamePrefix: b-\n',
    });
    expect(found.map((f) => `${f.file}:${f.line}:${f.column} ${f.code}`)).toEqual(['base/deployment.yaml:16:26 invalid-port', 'base/kustomization.yaml:3:1 unknown-field']);
  });
});
