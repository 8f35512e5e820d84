/**
 * Build step (`npm run build`): writes dist/manifests/validators.generated.cjs, the kind
 * validators compiled ahead of time from schemas/, so `berth validate` does not load Ajv or
 * compile schemas at startup. Without the file (tests run from src/), or when schemas/ has
 * changed since it was generated, schema.ts compiles at runtime instead.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateStandaloneValidators } from './schema-compile.js';

export const GENERATED_VALIDATORS = 'validators.generated.cjs';

const target = fileURLToPath(new URL(GENERATED_VALIDATORS, import.meta.url));
writeFileSync(target, generateStandaloneValidators());
