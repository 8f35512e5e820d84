import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layer picture of STYLE.md, enforced: `cli → runtime → {sources, manifests, plan, report, apply}
// → model`, with no way back up. A folder-level cycle makes two folders one component in all
// but name (A1 removed manifests ↔ sources: a type one way, a size limit the other); a
// file-level cycle makes load order matter (A2 removed git.ts ↔ git-remote.ts). model/, plan/
// (the planner) and report/ (the CI report) must stay pure: nothing they load, directly or through what they
// import, may touch the disk, a process, the network, Docker or the store.

const SRC = join(import.meta.dirname, '../src');

/** Node built-ins and packages that do I/O. Checked on every file model/, plan/ and report/ load. */
const IO_MODULE = /^(?:(?:node:)?(?:fs|fs\/promises|child_process|net|dgram|http|https|http2|tls|dns|worker_threads)|dockerode|better-sqlite3|chokidar|isomorphic-git(?:\/.*)?)$/;

/**
 * Known I/O imports reachable from model/, plan/ or report/ today, as `importing file → module`. This
 * list may only shrink: remove an entry when its import goes, never add one.
 * - dataplane/protocol-validate.ts uses node:net's `isIP` (a pure function, but the module is
 *   the network's). plan/services.ts reaches it through dataplane/protocol.ts's
 *   `configChecksum`. It leaves when the data plane's protocol types and checksum are split
 *   from the validator (the data plane must stay self-contained, so the split stays inside it).
 */
const KNOWN_IO_IN_PURE_LAYERS: readonly string[] = ['dataplane/protocol-validate.ts → node:net'];

/**
 * Module-level declarations in runtime/ and apply/ that are allowed, as `file NAME`. State that
 * lives as long as an app is driven belongs to the composition root (runtime/compose.ts), built
 * once per command or daemon and passed down: module state is shared by every root in the
 * process (two apps, tests) and outlives all of them. Each entry says why it is not such state.
 */
const ALLOWED_MODULE_DECLARATIONS: Record<string, string> = {
  // Constant lookup tables: filled once at load, never changed.
  'runtime/daemon/loop.ts URGENT_TRIGGERS': 'constant: trigger reasons that skip the debounce',
  'apply/volumes/safe-mounts.ts REFUSALS': 'constant: reason codes of refused mounts',
  'apply/docker.ts COLLECTIONS': 'constant: Docker API path segments for operation names',
  'apply/docker.ts COLLECTION_VERBS': 'constant: Docker API path segments for operation names',
  'apply/probes/http-probe.ts REDIRECT_CODES': 'constant: HTTP status codes a probe follows',
  // Memoised loads of pure things: the same value for every root.
  'runtime/config.ts validator': 'memo: the compiled config schema',
  'apply/docker.ts DockerodeClass': 'memo: dockerode, loaded on first use',
};

/** Module state waiting for the composition root: none is left, and none may come back. */
const KNOWN_MODULE_STATE: readonly string[] = [];

/** No file in src/ is longer than this: past it, a file holds more than one thing to read. */
const MAX_FILE_LINES = 400;

/** Lines of a file's text, as wc -l counts them when the last one ends in a newline. */
function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/**
 * Names of top-level declarations that can hold state: every `let`/`var`, and every `const`
 * initialised with a new Map, Set, WeakMap or WeakSet (a `const` object or array literal is
 * taken to be a constant; the house style keeps it so).
 */
function moduleStateDeclarations(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:export\s+)?(?:let|var)\s+(\w+)/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/^(?:export\s+)?const\s+(\w+)(?:\s*:[^\n]*?)?\s*=\s*new\s+(?:Weak)?(?:Map|Set)\b/gm)) out.push(m[1]!);
  return out.sort();
}

type Graph = Map<string, Set<string>>;

interface SourceFile {
  /** Path below src/, '/' separators. */
  file: string;
  /** Other src/ files it imports (relative specifiers, resolved). */
  local: Set<string>;
  /** Bare specifiers: node built-ins and packages. */
  bare: Set<string>;
}

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every specifier a module loads: `import … from`, `export … from`, `import '…'`, `import('…')`. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

function readSources(): Map<string, SourceFile> {
  const out = new Map<string, SourceFile>();
  for (const path of listTs(SRC)) {
    const file = relative(SRC, path).split('\\').join('/');
    const local = new Set<string>();
    const bare = new Set<string>();
    for (const spec of specifiers(readFileSync(path, 'utf8'))) {
      if (spec.startsWith('.')) local.add(normalize(join(dirname(file), spec)).split('\\').join('/').replace(/\.js$/, '.ts'));
      else bare.add(spec);
    }
    out.set(file, { file, local, bare });
  }
  return out;
}

/** Strongly connected components with more than one member (Tarjan), each sorted, sorted. */
function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) out.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

const topFolder = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);

function fileGraph(sources: Map<string, SourceFile>): Graph {
  return new Map([...sources.values()].map((s) => [s.file, new Set([...s.local].filter((d) => sources.has(d)))]));
}

function folderGraph(sources: Map<string, SourceFile>): Graph {
  const g: Graph = new Map();
  for (const s of sources.values()) {
    const from = topFolder(s.file);
    const deps = g.get(from) ?? new Set<string>();
    for (const d of s.local) if (topFolder(d) !== from) deps.add(topFolder(d));
    g.set(from, deps);
  }
  return g;
}

/** For a folder cycle: the file imports that make it, so the failure says what to move. */
function edgesWithin(sources: Map<string, SourceFile>, folders: readonly string[]): string[] {
  const members = new Set(folders);
  return [...sources.values()].flatMap((s) =>
    [...s.local].filter((d) => topFolder(d) !== topFolder(s.file) && members.has(topFolder(s.file)) && members.has(topFolder(d))).map((d) => `${s.file} → ${d}`),
  );
}

/** Every I/O import loaded by files of `folders`, following local imports: `file → module`. */
function ioReachableFrom(sources: Map<string, SourceFile>, folders: readonly string[]): string[] {
  const seen = new Set<string>();
  const todo = [...sources.keys()].filter((f) => folders.includes(topFolder(f)));
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f) || !sources.has(f)) continue;
    seen.add(f);
    todo.push(...sources.get(f)!.local);
  }
  return [...seen].flatMap((f) => [...sources.get(f)!.bare].filter((m) => IO_MODULE.test(m)).map((m) => `${f} → ${m}`)).sort();
}

describe('cycle finder', () => {
  it.each<[string, Record<string, string[]>, string[][]]>([
    ['a chain', { a: ['b'], b: ['c'], c: [] }, []],
    ['two nodes importing each other', { a: ['b'], b: ['a'] }, [['a', 'b']]],
    ['a three-node loop beside a tree', { a: ['b'], b: ['c'], c: ['a'], d: ['a'] }, [['a', 'b', 'c']]],
    ['two separate loops', { a: ['b'], b: ['a'], x: ['y'], y: ['x'] }, [['a', 'b'], ['x', 'y']]],
    ['a self-import', { a: ['a'] }, [['a']]],
    ['an edge to a node outside the graph', { a: ['zzz'] }, []],
  ])('%s', (_name, edges, expected) => {
    expect(cycles(new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)])))).toEqual(expected);
  });
});

describe('module state finder', () => {
  it.each<[string, string, string[]]>([
    ['a top-level Map', 'const written = new Map<string, number>();', ['written']],
    ['an exported WeakMap with a type', 'export const runtimes: WeakMap<object, Map<string, () => void>> = new WeakMap();', ['runtimes']],
    ['a Set and a WeakSet', 'const a = new Set([1]);\nconst b = new WeakSet();', ['a', 'b']],
    ['a top-level let', 'let cache: Promise<string> | undefined;', ['cache']],
    ['a Map inside a function', 'function f() {\n  const m = new Map();\n}', []],
    ['a constant array and object', "const A = ['x'];\nconst B = { x: 1 };", []],
    ['a Map built by a call', 'const m = build(new Map());', []],
  ])('%s', (_name, text, expected) => {
    expect(moduleStateDeclarations(text)).toEqual(expected);
  });
});

describe('architecture of src/', () => {
  const sources = readSources();

  it('reads the import graph (the checks below are not vacuous)', () => {
    expect(sources.size).toBeGreaterThan(200);
    expect(sources.get('sources/folder.ts')?.local.has('model/revision.ts')).toBe(true);
    expect(sources.get('runtime/store/database.ts')?.bare.has('better-sqlite3')).toBe(true);
    expect(folderGraph(sources).get('cli')?.has('runtime')).toBe(true);
  });

  it('has no import cycle between top-level folders', () => {
    const found = cycles(folderGraph(sources)).map((c) => ({ folders: c, imports: edgesWithin(sources, c) }));
    expect(found).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(cycles(fileGraph(sources))).toEqual([]);
  });

  it('model/, plan/ and report/ load no I/O module, directly or transitively, beyond the shrinking allowlist', () => {
    expect(ioReachableFrom(sources, ['model', 'plan', 'report'])).toEqual([...KNOWN_IO_IN_PURE_LAYERS].sort());
  });

  it('runtime/ and apply/ keep no state in module scope: it belongs to the composition root', () => {
    const found = [...sources.keys()]
      .filter((f) => f.startsWith('runtime/') || f.startsWith('apply/'))
      .flatMap((f) => moduleStateDeclarations(readFileSync(join(SRC, f), 'utf8')).map((name) => `${f} ${name}`))
      .filter((d) => !(d in ALLOWED_MODULE_DECLARATIONS))
      .sort();
    expect(found).toEqual([...KNOWN_MODULE_STATE].sort());
  });

  it('runtime/api/contract.ts pulls nothing into the web UI bundle: type-only imports, of files that import nothing', () => {
    const text = readFileSync(join(SRC, 'runtime/api/contract.ts'), 'utf8');
    const statements = [...text.matchAll(/^\s*(import|export)\b([^;'"]*?)\bfrom\s*['"]([^'"]+)['"]/gm)].map((m) => ({ typeOnly: /^\s*type\b/.test(m[2]!), spec: m[3]! }));
    expect(statements.filter((st) => !st.typeOnly || !st.spec.startsWith('.'))).toEqual([]);
    expect(specifiers(text.replace(/^\s*(?:import|export)\s+type\b[^;]*;/gm, ''))).toEqual([]);
    const targets = [...new Set(statements.map((st) => [...sources.get('runtime/api/contract.ts')!.local].find((f) => f.endsWith(st.spec.replace(/^(\.\.\/)+/, '').replace(/\.js$/, '.ts')))!))];
    expect(targets).toEqual(['report/report-change.ts']);
    for (const f of targets) expect([f, specifiers(readFileSync(join(SRC, f), 'utf8'))]).toEqual([f, []]);
  });

  it(`no file is longer than ${MAX_FILE_LINES} lines`, () => {
    const long = [...sources.keys()]
      .map((f) => ({ file: f, lines: lineCount(readFileSync(join(SRC, f), 'utf8')) }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .sort((a, b) => a.file.localeCompare(b.file));
    expect(long).toEqual([]);
  });

  it('below cli/ deadlines come from the clock, never from AbortSignal.timeout (runtime/clock.ts implements it)', () => {
    const found = [...sources.keys()]
      .filter((f) => !f.startsWith('cli/') && f !== 'runtime/clock.ts')
      .filter((f) => /\bAbortSignal\.timeout\(/.test(readFileSync(join(SRC, f), 'utf8')))
      .sort();
    expect(found).toEqual([]);
  });

  it('below cli/ nothing reads the environment or the command line, and time and chance come from the clock and random given', () => {
    // cli/ turns argv and env into flags and options; everything below takes them as parameters,
    // so a test, the daemon and a command can run the same code with different settings.
    // runtime/clock.ts is the one real clock. dataplane/ is its own program with its own entry.
    const found = [...sources.keys()]
      .filter((f) => !f.startsWith('cli/') && !f.startsWith('dataplane/') && f !== 'runtime/clock.ts')
      .filter((f) => /\bprocess\.(?:env|argv)\b|\bDate\.now\(|\bMath\.random\(/.test(readFileSync(join(SRC, f), 'utf8').replace(/^\s*(?:\/\/|\*).*$/gm, '')))
      .sort();
    expect(found).toEqual([]);
  });

  it('below cli/ nothing reads the process identity (pid, liveness, host name): cli/ passes it down', () => {
    // dataplane/ is its own program (run in the proxy and DNS containers) with its own entry point.
    const found = [...sources.keys()]
      .filter((f) => !f.startsWith('cli/') && !f.startsWith('dataplane/'))
      .filter((f) => /\bprocess\.(?:pid|kill)\b|\bhostname\(\)/.test(readFileSync(join(SRC, f), 'utf8')))
      .sort();
    expect(found).toEqual([]);
  });
});
