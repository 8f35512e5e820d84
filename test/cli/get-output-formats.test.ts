import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/context.js';
import { alignTabs, parseCustomColumnsFile, parseCustomColumnsSpec, renderCustomColumns } from '../../src/cli/output/custom-columns.js';
import { writeGet } from '../../src/cli/output/get-output.js';
import { parseGetOutput } from '../../src/cli/output/kube-objects.js';
import { labelColumnHeader, parseObjectPrinter, renderObjects } from '../../src/cli/output/object-printers.js';
import { naturalLess, sortByJsonPath } from '../../src/cli/output/sort-by.js';
import { parseResourceArgs } from '../../src/cli/resource-args.js';
import { isBerthError } from '../../src/model/errors.js';
import { buildViews } from '../../src/runtime/views/index.js';
import { entry, liveState, NOW, podOf } from '../runtime/views-support.js';

/** -o custom-columns, --sort-by, -L and --show-kind as kubectl prints them. */
const pod = (name: string, labels: Record<string, string>, containers: Array<{ name: string; image: string }>, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers }, ...extra });
const LIST = {
  apiVersion: 'v1',
  kind: 'List',
  metadata: { resourceVersion: '' },
  items: [
    pod('web-10', { app: 'web' }, [{ name: 'web', image: 'nginx:1' }, { name: 'log', image: 'busybox' }], { status: { restartCount: 3, memory: '1Gi' } }),
    pod('web-2', { app: 'web', tier: 'front' }, [{ name: 'web', image: 'nginx:1' }], { status: { restartCount: 12, memory: '500Mi' } }),
    pod('db', {}, [{ name: 'db', image: 'postgres:16' }], { status: { memory: '2Gi' } }),
  ],
};

describe('custom columns', () => {
  it.each([
    ['NAME:.metadata.name,IMAGE:.spec.containers[*].image', 'NAME     IMAGE\nweb-10   nginx:1,busybox\nweb-2    nginx:1\ndb       postgres:16\n'],
    ['N:metadata.name,TIER:{.metadata.labels.tier}', 'N        TIER\nweb-10   <none>\nweb-2    front\ndb       <none>\n'],
    ['NAME:.metadata.name,LABELS:.metadata.labels', 'NAME     LABELS\nweb-10   map[app:web]\nweb-2    map[app:web tier:front]\ndb       map[]\n'],
    ['C:.spec.containers[0]', 'C\nmap[image:nginx:1 name:web]\nmap[image:nginx:1 name:web]\nmap[image:postgres:16 name:db]\n'],
    ['R:.status.restartCount,M:.status.memory', 'R        M\n3        1Gi\n12       500Mi\n<none>   2Gi\n'],
  ])('%s', (spec, expected) => {
    expect(renderCustomColumns(LIST, parseCustomColumnsSpec(spec), { noHeaders: false })).toBe(expected);
  });

  it('a single object prints one row; --no-headers drops the header', () => {
    expect(renderCustomColumns(LIST.items[2], parseCustomColumnsSpec('NAME:.metadata.name'), { noHeaders: true })).toBe('db\n');
  });

  it('an empty List prints the header line only, as kubectl does', () => {
    expect(renderCustomColumns({ kind: 'List', items: [] }, parseCustomColumnsSpec('NAME:.metadata.name'), { noHeaders: false })).toBe('NAME\n');
  });

  it('the file form: a line of headers and a line of paths', () => {
    const cols = parseCustomColumnsFile('NAME          IMAGES\n.metadata.name   .spec.containers[*].image\n');
    expect(cols.map((c) => [c.header, c.path.raw])).toEqual([['NAME', '{.metadata.name}'], ['IMAGES', '{.spec.containers[*].image}']]);
  });

  it.each([
    ['', 'custom-columns format specified but no custom columns given'],
    ['NAME', 'unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>'],
    ['NAME:{.a}{.b}', 'unexpected path string'],
  ])('spec %j is refused', (spec, message) => {
    expect(() => parseCustomColumnsSpec(spec)).toThrow(message);
  });

  it('a file whose headers and paths differ in number is refused', () => {
    expect(() => parseCustomColumnsFile('A B\n.a\n')).toThrow("number of headers (2) and field specifications (1) don't match");
  });

  it("aligns as kubectl's tabwriter: cells at least 6 wide, 3 spaces of padding", () => {
    expect(alignTabs([['A', 'B', 'C'], ['longer-name', 'x', 'y']])).toBe('A             B     C\nlonger-name   x     y\n');
  });
});

describe('--sort-by', () => {
  const names = (path: string) => sortByJsonPath(LIST.items, (p) => p, path).map((p) => p.metadata.name);
  it.each([
    ['.metadata.name', ['db', 'web-2', 'web-10']],
    ['{.metadata.name}', ['db', 'web-2', 'web-10']],
    ['metadata.name', ['db', 'web-2', 'web-10']],
    ['.status.restartCount', ['db', 'web-10', 'web-2']],
    ['.status.memory', ['web-2', 'web-10', 'db']],
    ['.spec.containers[0].image', ['web-10', 'web-2', 'db']],
    ['.metadata.labels.tier', ['web-10', 'db', 'web-2']],
  ])('%s', (path, expected) => {
    expect(names(path)).toEqual(expected);
  });

  it('a path no object has is an error, as in kubectl', () => {
    expect(() => names('.status.nope')).toThrow('couldn\'t find any field with path "{.status.nope}" in the list of objects');
  });

  it('maps cannot be sorted', () => {
    expect(() => names('.metadata.labels')).toThrow(/unsortable type/);
  });

  it.each([
    ['a2', 'a10', true],
    ['a10', 'a2', false],
    ['web-01', 'web-1', false],
    ['2026-03-01T09:00:00Z', '2026-03-01T10:00:00Z', true],
    ['abc', 'abd', true],
    ['ab', 'abc', true],
  ])('naturalLess(%s, %s) = %s', (a, b, less) => {
    expect(naturalLess(a, b)).toBe(less);
  });
});

describe('-o template formats', () => {
  const read = (files: Record<string, string>) => (path: string) => {
    if (!(path in files)) throw new Error('ENOENT: no such file');
    return files[path]!;
  };
  it('jsonpath=, jsonpath-file=, custom-columns-file= and the plain formats', () => {
    expect(parseObjectPrinter('json', read({}))).toBeUndefined();
    expect(parseObjectPrinter(undefined, read({}))).toBeUndefined();
    const p = parseObjectPrinter('jsonpath={.items[*].metadata.name}', read({}))!;
    expect(renderObjects(LIST, p, { allowMissingKeys: true, noHeaders: false })).toBe('web-10 web-2 db');
    const f = parseObjectPrinter('jsonpath-file=t.txt', read({ 't.txt': '{range .items[*]}{.metadata.name}{"\\n"}{end}' }))!;
    expect(renderObjects(LIST, f, { allowMissingKeys: true, noHeaders: false })).toBe('web-10\nweb-2\ndb\n');
    const c = parseObjectPrinter('custom-columns-file=c.txt', read({ 'c.txt': 'NAME\n.metadata.name\n' }))!;
    expect(renderObjects(LIST.items[0], c, { allowMissingKeys: true, noHeaders: false })).toBe('NAME\nweb-10\n');
  });

  it.each([
    ['jsonpath', 'template format specified but no template given'],
    ['jsonpath=', 'template format specified but no template given'],
    ['jsonpath={.items[', 'error parsing jsonpath {.items[, unterminated array'],
    ['custom-columns=', 'custom-columns format specified but no custom columns given'],
    ['jsonpath-file=missing.txt', 'error reading template missing.txt'],
  ])('-o %s is a usage error', (output, message) => {
    try {
      parseObjectPrinter(output, read({}));
      expect.unreachable();
    } catch (err) {
      expect(isBerthError(err, 'USAGE')).toBe(true);
      expect((err as Error).message).toContain(message);
    }
  });

  it("an executing error reads as kubectl's", () => {
    const p = parseObjectPrinter('jsonpath={.items[7]}', read({}))!;
    expect(() => renderObjects(LIST, p, { allowMissingKeys: true, noHeaders: false })).toThrow('error executing jsonpath "{.items[7]}": Error executing template: array index out of bounds: index 7, length 3.');
    const strict = parseObjectPrinter('jsonpath={.nope}', read({}))!;
    expect(() => renderObjects(LIST, strict, { allowMissingKeys: false, noHeaders: false })).toThrow('Error executing template: nope is not found.');
  });

  it('an unknown format lists the template formats too', () => {
    expect(() => parseGetOutput('go-template')).toThrow('allowed formats are: custom-columns,custom-columns-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,wide,yaml');
  });

  it.each([
    ['app', 'APP'],
    ['app.kubernetes.io/name', 'NAME'],
    ['Tier', 'TIER'],
  ])('-L %s heads its column %s', (key, header) => {
    expect(labelColumnHeader(key)).toBe(header);
  });
});

describe('writeGet with -L, --show-kind and a printer', () => {
  const INVENTORY = [
    entry(pod('web-1', { app: 'web', 'app.kubernetes.io/name': 'shop' }, [{ name: 'c', image: 'img:1' }])),
    entry(pod('db', { app: 'db' }, [{ name: 'c', image: 'img:1' }])),
  ];
  const STATE = liveState({ inventory: INVENTORY, pods: INVENTORY.map((e) => podOf(INVENTORY, e.key)), networks: [{ namespace: 'default', id: 'n1', name: 'berth_t_default' }] });
  const views = buildViews(STATE, ['Pod']).filter((v) => v.kind === 'Pod');
  function capture(): { io: CliIO; out: () => string } {
    const stdout = new PassThrough();
    const chunks: string[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c.toString()));
    return { io: { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: '/', interrupted: new AbortController().signal }, out: () => chunks.join('') };
  }
  const options = { now: NOW, namespace: 'default', allNamespaces: false, showLabels: false, quietEmpty: false };

  it('-L adds upper-cased label columns (empty where the label is missing) before LABELS', () => {
    const c = capture();
    writeGet(c.io, views, parseResourceArgs(['pods']), 'table', { ...options, labelColumns: ['app', 'app.kubernetes.io/name'], showLabels: true });
    const [header, ...rows] = c.out().trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'APP', 'NAME', 'LABELS']);
    const web = rows.find((r) => r.startsWith('web-1'))!;
    expect(web).toMatch(/ web {3}shop {3}app.kubernetes.io\/name=shop,app=web$/);
    expect(rows.find((r) => r.startsWith('db'))).toMatch(/ db {3}(?: +)app=db$/);
  });

  it('--show-kind names rows kind/name for one kind', () => {
    const c = capture();
    writeGet(c.io, views, parseResourceArgs(['pods']), 'table', { ...options, showKind: true });
    expect(c.out().split('\n').slice(1, -1).map((r) => r.split(' ')[0])).toEqual(expect.arrayContaining(['pod/web-1', 'pod/db']));
  });

  it('a printer applies to the List, or to the object when one is named', () => {
    const list = capture();
    const printer = parseObjectPrinter('jsonpath={.kind}:{.items[*].metadata.name}', () => '')!;
    writeGet(list.io, views, parseResourceArgs(['pods']), 'json', { ...options, printer });
    expect(list.out()).toMatch(/^List:(web-1 db|db web-1)$/);
    const one = capture();
    writeGet(one.io, views.filter((v) => v.name === 'db'), parseResourceArgs(['pods', 'db']), 'json', { ...options, printer: parseObjectPrinter('jsonpath={.kind}/{.metadata.name}', () => '')! });
    expect(one.out()).toBe('Pod/db');
  });
});

describe('get refuses bad output options before reading anything', () => {
  async function berth(argv: string[]) {
    const { run } = await import('../../src/cli/main.js');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const err: string[] = [];
    stderr.on('data', (c: Buffer) => err.push(c.toString()));
    const code = await run(argv, { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: '/', interrupted: new AbortController().signal });
    return { code, stderr: err.join('') };
  }
  it.each([
    [['get', 'pods', '-o', 'jsonpath={.items['], 'error: error parsing jsonpath {.items[, unterminated array'],
    [['get', 'pods', '-o=jsonpath={.items['], 'error: error parsing jsonpath {.items[, unterminated array'],
    [['get', 'pods', '-o', 'custom-columns=NAME'], 'error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>'],
    [['get', 'pods,events', '-o', 'jsonpath={.items}'], 'error: berth get lists events with other kinds only as tables'],
    [['get', 'pods', '--allow-missing-template-keys=maybe'], 'error: invalid argument "maybe" for "--allow-missing-template-keys" flag'],
  ])('%j', async (argv, message) => {
    const r = await berth(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
