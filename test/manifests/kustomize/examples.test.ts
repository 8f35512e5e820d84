import { describe, expect, it } from 'vitest';
import { build, problems } from './support.js';

/**
 * kubernetes-sigs/kustomize examples/components.md, the "Components example" tree verbatim
 * (base with a configMapGenerator, components external_db and recaptcha with secretGenerators,
 * a JSON 6902 patch each, a strategic merge patch and a `behavior: merge` generator, and the
 * community overlay). The example prints no output; what it describes is checked here: the
 * merged ConfigMap, both Secrets, the volumes and mounts in the order the patches add them (each
 * inserts at 0), and every reference rewritten to the hashed names.
 */
const COMPONENTS_EXAMPLE: Record<string, string> = {
    'base/kustomization.yaml': "resources:\n- deployment.yaml\n\nconfigMapGenerator:\n- name: conf\n  literals:\n    - main.conf=|\n        color=cornflower_blue\n        log_level=info\n",
    'base/deployment.yaml': "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: example\nspec:\n  template:\n    spec:\n      containers:\n      - name: example\n        image: example:1.0\n        volumeMounts:\n        - name: conf\n          mountPath: /etc/config\n      volumes:\n        - name: conf\n          configMap:\n            name: conf\n",
    'components/external_db/kustomization.yaml': "apiVersion: kustomize.config.k8s.io/v1alpha1  # <-- Component notation\nkind: Component\n\nsecretGenerator:\n- name: dbpass\n  files:\n    - dbpass.txt\n\npatches:\n  - path: configmap.yaml\n\npatchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: example\n  path: deployment.yaml\n",
    'components/external_db/deployment.yaml': "- op: add\n  path: /spec/template/spec/volumes/0\n  value:\n    name: dbpass\n    secret:\n      secretName: dbpass\n- op: add\n  path: /spec/template/spec/containers/0/volumeMounts/0\n  value:\n    mountPath: /var/run/secrets/db/\n    name: dbpass\n",
    'components/external_db/configmap.yaml': "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf\ndata:\n  db.conf: |\n    endpoint=127.0.0.1:1234\n    name=app\n    user=admin\n    pass=/var/run/secrets/db/dbpass.txt\n",
    'components/external_db/dbpass.txt': 'dbpass\n',
    'components/recaptcha/kustomization.yaml': "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n\nsecretGenerator:\n- name: recaptcha\n  files:\n    - site_key.txt\n    - secret_key.txt\n\n# Updating the ConfigMap works with generators as well.\nconfigMapGenerator:\n- name: conf\n  behavior: merge\n  literals:\n    - recaptcha.conf=|\n        enabled=true\n        site_key=/var/run/secrets/recaptcha/site_key.txt\n        secret_key=/var/run/secrets/recaptcha/secret_key.txt\n\npatchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: example\n  path: deployment.yaml\n",
    'components/recaptcha/deployment.yaml': "- op: add\n  path: /spec/template/spec/volumes/0\n  value:\n    name: recaptcha\n    secret:\n      secretName: recaptcha\n- op: add\n  path: /spec/template/spec/containers/0/volumeMounts/0\n  value:\n    mountPath: /var/run/secrets/recaptcha/\n    name: recaptcha\n",
    'components/recaptcha/site_key.txt': 'sitekey\n',
    'components/recaptcha/secret_key.txt': 'secretkey\n',
    'overlays/community/kustomization.yaml': "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n\nresources:\n  - ../../base\n\ncomponents:\n  - ../../components/external_db\n  - ../../components/recaptcha\n",
};

interface Doc {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { template: { spec: { volumes: Array<Record<string, unknown>>; containers: Array<{ volumeMounts: Array<{ name: string; mountPath: string }> }> } } };
}

describe('kustomize examples/components.md: the community overlay', () => {
  const b = build(COMPONENTS_EXAMPLE, 'overlays/community');
  const docs = b.docs.map((d) => d.value as Doc);
  const named = (kind: string) => docs.find((d) => d.kind === kind)!;

  it('builds without problems, in kustomize order', () => {
    expect(problems(COMPONENTS_EXAMPLE, 'overlays/community')).toEqual([]);
    expect(docs.map((d) => `${d.kind} ${d.metadata.name.replace(/-[a-z0-9]{10}$/, '-HASH')}`)).toEqual([
      'ConfigMap conf-HASH',
      'Secret dbpass-HASH',
      'Secret recaptcha-HASH',
      'Deployment example',
    ]);
  });

  it('the ConfigMap has the base key, the patched key and the merged generator key', () => {
    expect(Object.keys(named('ConfigMap').data!).sort()).toEqual(['db.conf', 'main.conf', 'recaptcha.conf']);
    expect(named('ConfigMap').data!['db.conf']).toBe('endpoint=127.0.0.1:1234\nname=app\nuser=admin\npass=/var/run/secrets/db/dbpass.txt\n');
  });

  it('the Deployment mounts both Secrets and the ConfigMap by their hashed names', () => {
    const names = Object.fromEntries(docs.map((d) => [`${d.kind}/${d.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`, d.metadata.name]));
    const pod = named('Deployment').spec!.template.spec;
    expect(pod.volumes).toEqual([
      { name: 'recaptcha', secret: { secretName: names['Secret/recaptcha'] } },
      { name: 'dbpass', secret: { secretName: names['Secret/dbpass'] } },
      { name: 'conf', configMap: { name: names['ConfigMap/conf'] } },
    ]);
    expect(pod.containers[0]!.volumeMounts.map((m) => m.mountPath)).toEqual(['/var/run/secrets/recaptcha/', '/var/run/secrets/db/', '/etc/config']);
  });

  it('a patched value points at the component file that added it', () => {
    const doc = b.docs.find((d) => (d.value as Doc).kind === 'Deployment')!;
    const pos = doc.parsed.locator.locate(['spec', 'template', 'spec', 'volumes', 1, 'secret', 'secretName']);
    expect(`${pos.file}:${pos.line}`).toBe('components/external_db/deployment.yaml:6');
  });
});
