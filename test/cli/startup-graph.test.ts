import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 18: an instant CLI. What a process loads before a command does anything is the static
// import graph of bin/berth's entry (cli/main.ts), of the command registry, and of the one command
// module it runs. Checked on the module graph, not on wall time: an `import('…')` is loaded when
// the code reaching it runs, a static import (not `import type`, which TypeScript erases) always.

const SRC = join(import.meta.dirname, '../../src');

/** Specifiers a module loads as soon as it is loaded itself. */
function staticSpecifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  return found;
}

/** The files (below src/) and packages loading `entry` loads, transitively. */
function staticClosure(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticSpecifiers(readFileSync(join(SRC, file), 'utf8'))) {
      if (spec.startsWith('.')) visit(normalize(join(dirname(file), spec)).split('\\').join('/').replace(/\.js$/, '.ts'));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(entry);
  return { files: [...files].sort(), packages: [...packages].sort() };
}

/** The command modules the registry loads on demand, read from its `import('./x.js')` calls. */
function commandModules(): string[] {
  const text = readFileSync(join(SRC, 'cli/commands/registry.ts'), 'utf8');
  return [...text.matchAll(/\bimport\(\s*'\.\/([^']+)\.js'\s*\)/g)].map((m) => `cli/commands/${m[1]!}.ts`);
}

/** Packages no command needs loaded to parse its flags or print its help. */
const HEAVY_PACKAGES = ['dockerode', 'better-sqlite3', 'ajv', 'pino', 'chokidar', 'isomorphic-git', 'ssh2', 'acme-client', 'cron', 'tar-stream'];
/** Our own modules of the same weight: Docker, the store, the daemon, the precompiled validators. */
const HEAVY_FILES = /^(?:apply\/|runtime\/store\/|runtime\/daemon\/|runtime\/pass\/|manifests\/validators)/;

describe('start-up loads only what the command runs', () => {
  it('the entry and the registry load no command module, and no package but commander', () => {
    const { files, packages } = staticClosure('cli/main.ts');
    expect(files.filter((f) => f.startsWith('cli/commands/') && f !== 'cli/commands/registry.ts')).toEqual([]);
    expect(files.filter((f) => !/^(?:cli|model)\//.test(f))).toEqual([]);
    expect(packages).toEqual(['commander']);
  });

  it('the registry names every command module', () => {
    expect(commandModules()).toEqual(expect.arrayContaining(['cli/commands/get.ts', 'cli/commands/validate.ts', 'cli/commands/diff.ts', 'cli/commands/diff-live.ts', 'cli/commands/version.ts']));
    expect(commandModules().length).toBeGreaterThanOrEqual(22);
  });

  it.each(commandModules())('%s loads neither Docker, the store, the validators nor a heavy package until it runs', (file) => {
    const { files, packages } = staticClosure(file);
    expect(packages.filter((p) => HEAVY_PACKAGES.includes(p))).toEqual([]);
    expect(files.filter((f) => HEAVY_FILES.test(f))).toEqual([]);
  });

  it.each(['cli/commands/version.ts', 'cli/commands/validate.ts', 'cli/commands/get.ts', 'cli/commands/describe.ts', 'cli/commands/apply.ts', 'cli/commands/delete.ts', 'cli/commands/logs.ts', 'cli/commands/rollout.ts'])(
    '%s does not parse manifests until it runs (js-yaml and the checks stay out)',
    (file) => {
      const { files, packages } = staticClosure(file);
      expect(packages).not.toContain('js-yaml');
      expect(files.filter((f) => f.startsWith('manifests/checks/') || f === 'manifests/index.ts')).toEqual([]);
    },
  );

  it('diff loads isomorphic-git only for a git ref', () => {
    expect(staticClosure('cli/commands/diff.ts').packages).not.toContain('isomorphic-git');
  });
});
