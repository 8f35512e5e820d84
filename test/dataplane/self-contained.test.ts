import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The data plane is compiled on its own into the image of its containers (apply/images/
// dataplane.ts), from this folder alone: an import from elsewhere in src/ type-checks here but
// breaks the image build, and with it every Service. (A shared helper once did exactly that.)
describe('src/dataplane is self-contained', () => {
  const dir = join(import.meta.dirname, '../../src/dataplane');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s imports only node built-ins and files of its own folder', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    const outside = specifiers.filter((s) => !s.startsWith('node:') && !/^\.\/[\w.-]+\.js$/.test(s));
    expect(outside).toEqual([]);
  });
});
