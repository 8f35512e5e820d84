import { createRequire } from 'node:module';
import type { Ignore } from 'ignore';

const require = createRequire(import.meta.url);

/**
 * gitignore rules (`.berthignore`), from the `ignore` package, which is loaded here on first use
 * rather than imported: most folders have no .berthignore, and every command that reads one
 * would otherwise pay for loading it at start-up (issue 18, docs/performance.md).
 */
export function ignoreRules(text: string): Ignore {
  const ignore = require('ignore') as (options?: object) => Ignore;
  return ignore().add(text);
}
