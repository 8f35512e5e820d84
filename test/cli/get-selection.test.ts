import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { notFoundText, parseSelectorFlag, selectViews } from '../../src/cli/commands/get.js';
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/context.js';
import { noResources, writeGet } from '../../src/cli/output/get-output.js';
import { kubeList, nameLines, outputDocument, parseGetOutput, renderDocument } from '../../src/cli/output/kube-objects.js';
import { parseResourceArgs, resourceText, singularText } from '../../src/cli/resource-args.js';
import { isBerthError } from '../../src/model/errors.js';
import type { Kind } from '../../src/model/types.js';
import { buildViews } from '../../src/runtime/views/index.js';
import { entry, liveState, NOW, podOf } from '../runtime/views-support.js';

/** What `berth get` selects (kinds, names, namespaces, label selectors) and how it prints documents. */
function app(name: string, labels: Record<string, string>, namespace = 'default') {
  return entry({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', image: 'img:1' }] } });
}
const INVENTORY = [
  app('web-1', { app: 'web', tier: 'front', env: 'prod' }),
  app('web-2', { app: 'web', tier: 'front', env: 'staging' }),
  app('db', { app: 'db', tier: 'back' }),
  app('cache', { app: 'cache' }),
  app('other', { app: 'web', tier: 'front' }, 'shop'),
  entry({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
];
const PODS = INVENTORY.filter((e) => e.kind === 'Pod').map((e) => podOf(INVENTORY, e.key));
const STATE = liveState({ inventory: INVENTORY, pods: PODS, networks: [{ namespace: 'default', id: 'n1', name: 'berth_t_default' }, { namespace: 'shop', id: 'n2', name: 'berth_t_shop' }] });

function select(args: string[], scope: { namespace?: string; allNamespaces?: boolean; selector?: string } = {}) {
  const query = parseResourceArgs(args);
  const views = buildViews(
    STATE,
    query.groups.map((g) => g.kind),
  );
  const { views: chosen, missing } = selectViews(views, query, { namespace: scope.namespace ?? 'default', allNamespaces: scope.allNamespaces ?? false, selector: parseSelectorFlag(scope.selector) });
  return { names: chosen.map((v) => `${v.kind}/${v.namespace}/${v.name}`), missing };
}

describe('label selectors (-l)', () => {
  it.each([
    ['app=web', ['web-1', 'web-2']],
    ['app==web,env=prod', ['web-1']],
    ['app!=web', ['cache', 'db']],
    ['tier in (front,back)', ['db', 'web-1', 'web-2']],
    ['app in (web), env notin (staging)', ['web-1']],
    ['env notin (prod)', ['cache', 'db', 'web-2']],
    ['tier', ['db', 'web-1', 'web-2']],
    ['!tier', ['cache']],
    ['app=web,!env', []],
    ['', ['cache', 'db', 'web-1', 'web-2']],
  ])('%s', (selector, names) => {
    expect(select(['pods'], { selector }).names).toEqual(names.map((n) => `Pod/default/${n}`));
  });

  it('-A with a selector spans namespaces', () => {
    expect(select(['po'], { selector: 'app=web,tier=front', allNamespaces: true }).names).toEqual(['Pod/default/web-1', 'Pod/default/web-2', 'Pod/shop/other']);
  });

  it('a malformed selector is a usage error with the position', () => {
    try {
      parseSelectorFlag('app in (web');
      expect.unreachable();
    } catch (err) {
      expect(isBerthError(err, 'USAGE')).toBe(true);
      expect((err as { data: { position: number } }).data.position).toBe(11);
    }
  });
});

describe('names, namespaces and kinds', () => {
  it('names in the namespace; missing ones become kubectl NotFound lines', () => {
    expect(select(['pods', 'db', 'nope', 'other'])).toEqual({ names: ['Pod/default/db'], missing: ['Error (NotFound): pods "nope" not found', 'Error (NotFound): pods "other" not found'] });
    expect(select(['pods', 'other'], { namespace: 'shop' })).toEqual({ names: ['Pod/shop/other'], missing: [] });
  });

  it('KIND/NAME form across kinds; cluster-scoped kinds ignore -n', () => {
    expect(select(['po/db', 'ns/shop', 'pod/cache'])).toEqual({ names: ['Pod/default/db', 'Pod/default/cache', 'Namespace//shop'], missing: [] });
  });

  it('notFoundText uses the plural and group', () => {
    expect(notFoundText('Deployment', 'web')).toBe('Error (NotFound): deployments.apps "web" not found');
  });
});

describe('parseResourceArgs', () => {
  it.each<[string[], Array<{ kind: Kind; names?: string[] }>, boolean, boolean]>([
    [['po'], [{ kind: 'Pod' }], false, false],
    [['deployments.apps', 'web'], [{ kind: 'Deployment', names: ['web'] }], true, false],
    [['deploy', 'a', 'b'], [{ kind: 'Deployment', names: ['a', 'b'] }], false, false],
    [['po,svc'], [{ kind: 'Pod' }, { kind: 'Service' }], false, true],
    [['deploy/web'], [{ kind: 'Deployment', names: ['web'] }], true, false],
    [['deploy/web', 'svc/web', 'deploy/api'], [{ kind: 'Deployment', names: ['web', 'api'] }, { kind: 'Service', names: ['web'] }], false, true],
    [['all'], ['Pod', 'Service', 'DaemonSet', 'Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet', 'Job', 'CronJob'].map((kind) => ({ kind: kind as Kind })), false, true],
    [['cj'], [{ kind: 'CronJob' }], false, false],
    [['rc'], [{ kind: 'ReplicationController' }], false, false],
    [['pvc'], [{ kind: 'PersistentVolumeClaim' }], false, false],
    [['sts'], [{ kind: 'StatefulSet' }], false, false],
    [['statefulsets.apps/db'], [{ kind: 'StatefulSet', names: ['db'] }], true, false],
  ])('%j', (args, groups, single, multiKind) => {
    expect(parseResourceArgs(args)).toEqual({ groups, single, multiKind });
  });

  it.each([[[]], [['deploy', 'web/x']], [['deploy/']]])('%j is a usage error', (args) => {
    expect(() => parseResourceArgs(args)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('a type berth does not have is NotFound (exit 1), as kubectl\'s "the server doesn\'t have a resource type"', () => {
    expect(() => parseResourceArgs(['horizontalpodautoscalers'])).toThrow(expect.objectContaining({ code: 'NOT_FOUND', data: { resource: 'horizontalpodautoscalers' } }));
  });

  it.each<[Kind, string, string]>([
    ['Pod', 'pods', 'pod'],
    ['Deployment', 'deployments.apps', 'deployment.apps'],
    ['Job', 'jobs.batch', 'job.batch'],
    ['PersistentVolumeClaim', 'persistentvolumeclaims', 'persistentvolumeclaim'],
  ])('%s reads %s / %s', (kind, plural, singular) => {
    expect(resourceText(kind)).toBe(plural);
    expect(singularText(kind)).toBe(singular);
  });
});

describe('json, yaml and name output', () => {
  const views = buildViews(STATE, ['Pod']).filter((v) => v.namespace === 'default');

  it('several objects: a v1 List; one named object: the object itself', () => {
    const list = outputDocument(views, false);
    expect(list).toEqual(kubeList(views.map((v) => v.object)));
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' } });
    expect(outputDocument(views.slice(0, 1), true)).toBe(views[0]!.object);
    expect(outputDocument([], false)).toEqual({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [] });
  });

  it('json has kubectl indentation and parses back; yaml sorts keys and parses back to the same document', () => {
    const doc = outputDocument(views, false);
    const json = renderDocument(doc, 'json');
    expect(json.split('\n')[1]).toBe('    "apiVersion": "v1",');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(doc)));
    const yaml = renderDocument(doc, 'yaml');
    expect(yaml.startsWith('apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n')).toBe(true);
    expect(load(yaml)).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('-o name', () => {
    expect(nameLines(views)).toBe('pod/cache\npod/db\npod/web-1\npod/web-2\n');
  });

  it.each([
    [undefined, 'table'],
    ['wide', 'wide'],
    ['json', 'json'],
    ['yaml', 'yaml'],
    ['name', 'name'],
  ])('-o %s', (flag, format) => {
    expect(parseGetOutput(flag)).toBe(format);
  });

  it('an unknown -o is a usage error', () => {
    expect(() => parseGetOutput('jsonpath')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('writeGet', () => {
  function capture(): { io: CliIO; out: () => string; err: () => string } {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const o: Buffer[] = [];
    const e: Buffer[] = [];
    stdout.on('data', (c: Buffer) => o.push(c));
    stderr.on('data', (c: Buffer) => e.push(c));
    const io: CliIO = { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: '/', interrupted: new AbortController().signal };
    return { io, out: () => Buffer.concat(o).toString(), err: () => Buffer.concat(e).toString() };
  }
  const options = { now: NOW, namespace: 'default', allNamespaces: false, showLabels: false, quietEmpty: false };

  it('one table per kind with something to show, separated by a blank line; kinds with nothing are left out', () => {
    const query = parseResourceArgs(['po,ns,svc']);
    const views = buildViews(STATE, ['Pod', 'Namespace', 'Service']).filter((v) => v.namespace !== 'shop');
    const c = capture();
    writeGet(c.io, views, query, 'table', options);
    expect(c.out()).toBe(
      [
        'NAME        READY   STATUS    RESTARTS   AGE',
        'pod/cache   1/1     Running   0          60m',
        'pod/db      1/1     Running   0          60m',
        'pod/web-1   1/1     Running   0          60m',
        'pod/web-2   1/1     Running   0          60m',
        '',
        'NAME                STATUS   AGE',
        'namespace/default   Active   <unknown>',
        'namespace/shop      Active   120m',
        '',
      ].join('\n'),
    );
    expect(c.err()).toBe('');
  });

  it('--show-labels adds sorted key=value pairs', () => {
    const views = buildViews(STATE, ['Pod']).filter((v) => v.name === 'web-1' || v.name === 'cache');
    const c = capture();
    writeGet(c.io, views, parseResourceArgs(['pods']), 'table', { ...options, showLabels: true });
    expect(c.out()).toBe('NAME    READY   STATUS    RESTARTS   AGE   LABELS\ncache   1/1     Running   0          60m   app=cache\nweb-1   1/1     Running   0          60m   app=web,env=prod,tier=front\n');
  });

  it('nothing found: kubectl\'s message on stderr, except for json/yaml which print an empty List', () => {
    const c = capture();
    writeGet(c.io, [], parseResourceArgs(['pods']), 'name', options);
    expect([c.out(), c.err()]).toEqual(['', 'No resources found in default namespace.\n']);
    const j = capture();
    writeGet(j.io, [], parseResourceArgs(['pods']), 'json', options);
    expect(JSON.parse(j.out())).toEqual({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [] });
    expect(noResources(parseResourceArgs(['ns']), options)).toBe('No resources found');
    expect(noResources(parseResourceArgs(['po']), { ...options, allNamespaces: true })).toBe('No resources found');
  });
});
