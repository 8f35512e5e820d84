import { describe, expect, it } from 'vitest';
import { apiResourceRows, apiResources, apiVersions, selectApiResources } from '../../src/cli/output/api-resources.js';
import type { ApiResourcesOptions } from '../../src/cli/output/api-resources.js';
import { KINDS } from '../../src/model/kinds.js';
import { runCli } from '../support/cli.js';

function names(o: ApiResourcesOptions): string[] {
  return selectApiResources(apiResources(), o).map((r) => r.name);
}

describe('api-resources', () => {
  it('lists every kind of model/kinds.ts, plus nodes and events', () => {
    const all = apiResources();
    expect(all.map((r) => r.kind)).toEqual([...KINDS.map((k) => k.kind), 'Node', 'Event']);
  });

  it.each<[string, ApiResourcesOptions, (ns: string[]) => void]>([
    ['core group first, names alphabetical within a group', {}, (ns) => expect(ns.slice(0, 4)).toEqual(['configmaps', 'events', 'namespaces', 'nodes'])],
    ['--namespaced=false: cluster-scoped only', { namespaced: false }, (ns) => expect(ns).toEqual(['namespaces', 'nodes', 'persistentvolumes', 'clusterrolebindings', 'clusterroles', 'storageclasses', 'ingressclasses', 'gatewayclasses', 'clusterissuers'])],
    ['--api-group apps', { apiGroup: 'apps' }, (ns) => expect(ns).toEqual(['daemonsets', 'deployments', 'replicasets', 'statefulsets'])],
    ['--api-group "" is the core group', { apiGroup: '' }, (ns) => expect(ns).toContain('pods')],
    ['--sort-by name', { sortBy: 'name', apiGroup: 'batch' }, (ns) => expect(ns).toEqual(['cronjobs', 'jobs'])],
    ['--sort-by kind', { sortBy: 'kind', namespaced: false }, (ns) => expect(ns.slice(0, 3)).toEqual(['clusterissuers', 'clusterroles', 'clusterrolebindings'])],
    ['--verbs create: not the read-only nodes and events', { verbs: ['create'] }, (ns) => expect(ns).not.toContain('nodes')],
    ['--verbs list includes nodes', { verbs: ['list'] }, (ns) => expect(ns).toContain('nodes')],
  ])('%s', (_name, o, check) => check(names(o)));

  it.each<[string, ApiResourcesOptions, unknown]>([
    ['table', { apiGroup: 'batch' }, { rows: [['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'], ['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob'], ['jobs', '', 'batch/v1', 'true', 'Job']] }],
    ['--no-headers', { apiGroup: 'batch', noHeaders: true }, { rows: [['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob'], ['jobs', '', 'batch/v1', 'true', 'Job']] }],
    ['-o name: plural.group, core types bare', { output: 'name', namespaced: false, apiGroup: '' }, { names: ['namespaces', 'nodes', 'persistentvolumes'] }],
    ['-o name with a group', { output: 'name', apiGroup: 'apps', sortBy: 'name' }, { names: ['daemonsets.apps', 'deployments.apps', 'replicasets.apps', 'statefulsets.apps'] }],
  ])('%s', (_name, o, want) => expect(apiResourceRows(selectApiResources(apiResources(), o), o)).toEqual(want));

  it('-o wide adds VERBS', () => {
    const r = apiResourceRows(selectApiResources(apiResources(), { apiGroup: '', namespaced: false }), { output: 'wide' });
    expect(r).toEqual({
      rows: [
        ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', 'VERBS'],
        ['namespaces', 'ns', 'v1', 'false', 'Namespace', '[create delete get list patch update watch]'],
        ['nodes', 'no', 'v1', 'false', 'Node', '[get list]'],
        ['persistentvolumes', 'pv', 'v1', 'false', 'PersistentVolume', '[create delete get list patch update watch]'],
      ],
    });
  });

  it('api-versions: each group/version once, sorted', () => {
    const vs = apiVersions(apiResources());
    expect(vs).toEqual([...vs].sort());
    expect(vs).toEqual(expect.arrayContaining(['apps/v1', 'batch/v1', 'v1', 'policy/v1', 'cert-manager.io/v1']));
    expect(new Set(vs).size).toBe(vs.length);
  });

  it.each([
    { argv: ['api-resources', '--namespaced=false', '--api-group', 'storage.k8s.io'], code: 0, out: 'NAME             SHORTNAMES   APIVERSION          NAMESPACED   KIND\nstorageclasses   sc           storage.k8s.io/v1   false        StorageClass\n', err: '' },
    { argv: ['api-resources', '-o', 'name', '--api-group', 'batch'], code: 0, out: 'cronjobs.batch\njobs.batch\n', err: '' },
    { argv: ['api-resources', '--namespaced=maybe'], code: 2, out: '', err: 'invalid argument "maybe" for "--namespaced" flag' },
    { argv: ['api-resources', '--sort-by', 'group'], code: 2, out: '', err: '--sort-by accepts only name or kind' },
    { argv: ['api-resources', '-o', 'json'], code: 2, out: '', err: 'allowed formats are: name,wide' },
  ])('berth $argv', async ({ argv, code, out, err }) => {
    const run = await runCli(argv);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe(out);
    expect(run.stderr).toContain(err);
  });

  it('berth api-versions', async () => {
    const run = await runCli(['api-versions']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toContain('networking.k8s.io/v1');
  });
});
