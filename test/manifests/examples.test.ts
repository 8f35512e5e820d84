import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateRevision } from '../../src/manifests/index.js';
import { readPath } from '../../src/sources/folder.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/repo', import.meta.url));

describe('examples/repo', () => {
  it('validates clean, with every object the example promises', async () => {
    const revision = await readPath(EXAMPLE);
    const { resources, problems } = validateRevision(revision.files);
    expect(problems).toEqual([]);
    expect(resources.map((r) => [r.source.file, r.key])).toEqual([
      ['namespace.yaml', 'Namespace//shop'],
      ['notes/pod.yaml', 'Pod/shop/notes'],
      ['notes/pvc.yaml', 'PersistentVolumeClaim/shop/notes-data'],
      ['web/configmap.yaml', 'ConfigMap/shop/web-config'],
      ['web/deployment.yaml', 'Deployment/shop/web'],
      ['web/secret.yaml', 'Secret/shop/web-secret'],
      ['web/service.yaml', 'Service/shop/web'],
    ]);
  });
});
