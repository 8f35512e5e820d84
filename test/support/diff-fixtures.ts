import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateRevision } from '../../src/manifests/index.js';
import { hasErrors } from '../../src/model/problem.js';
import type { Resource } from '../../src/model/types.js';

export const FIXTURES = new URL('../fixtures/diff/', import.meta.url).pathname;

/**
 * Resources of one fixture revision (`test/fixtures/diff/<case>/<side>/*.yaml`) through the
 * real pipeline: validateRevision converts, defaults and keys them exactly as `berth diff`
 * does. A fixture with an error is a broken test, so that throws.
 */
export function loadFixtureResources(caseName: string, side: 'from' | 'to'): Resource[] {
  const dir = join(FIXTURES, caseName, side);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((path) => ({ path, content: readFileSync(join(dir, path)) }));
  const { resources, problems } = validateRevision(files);
  if (hasErrors(problems)) throw new Error(`fixture ${caseName}/${side} is invalid: ${JSON.stringify(problems, null, 2)}`);
  return resources;
}
