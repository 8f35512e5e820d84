import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { KindInfo } from '../model/kinds.js';
import { didYouMean } from './did-you-mean.js';
import { grpcPortHint } from './grpc-port-hint.js';
import { isKubernetesDefault } from './kubernetes-defaults.js';
import type { Path } from './path.js';
import { formatPath, pathFromPointer } from './path.js';
import type { Reporter } from './report.js';
import { isSecretValuePath } from './report.js';
import type { PlacementRuns } from './checks/placement.js';
import { checkPlacementField, isDaemonPlacementPath, isPodPlacementPath } from './checks/placement.js';
import { GENERATED_VALIDATORS_INDEX, IGNORED_KEYWORD, REFUSED_KEYWORD, UNIMPLEMENTED_KEYWORD, createAjv, generatedValidatorFile, schemaHash } from './schema-compile.js';
import { clip, quote } from '../model/excerpt.js';

const require = createRequire(import.meta.url);

type ValidatorLookup = (info: KindInfo) => ValidateFunction;
let lookup: ValidatorLookup | undefined;

/**
 * The kind validators, set up once per process on first use: the ones generated at build
 * time when they match the schemas on disk (one file per kind, loaded when that kind is first
 * met), else compiled with Ajv here, each kind the first time a document of that kind is seen.
 * Never per document.
 */
export function schemaValidator(info: KindInfo): ValidateFunction {
  lookup ??= generatedValidators() ?? compiledValidators();
  return lookup(info);
}

function generatedValidators(): ValidatorLookup | undefined {
  let index: Record<string, unknown>;
  try {
    index = require(`./${GENERATED_VALIDATORS_INDEX}`) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
  if (index.schemaHash !== schemaHash()) return undefined;
  // Each kind's file the first time a document of that kind is seen (require keeps it loaded).
  return (info) => (require(`./${generatedValidatorFile(info.kind)}`) as Record<string, unknown>)[info.kind] as ValidateFunction;
}

function compiledValidators(): ValidatorLookup {
  const ajv = createAjv();
  const cache = new Map<string, ValidateFunction>();
  return (info) => {
    let v = cache.get(info.kind);
    if (!v) {
      v = ajv.getSchema(info.schema);
      if (!v) throw new Error(`schema ${info.schema} is missing`);
      cache.set(info.kind, v);
    }
    return v;
  };
}

/**
 * Validates one object against its kind's schema and reports every violation. Returns the
 * paths of unimplemented and server-written fields, which the caller strips from the resource
 * so they never reach a spec hash or a diff.
 */
export function checkSchema(info: KindInfo, object: unknown, r: Reporter, emptied: readonly Path[] = [], placement: PlacementRuns = 'daemonsets'): Path[] {
  const validate = schemaValidator(info);
  if (validate(object)) return [];
  const strip: Path[] = [];
  for (const e of validate.errors ?? []) {
    const path = pathFromPointer(e.instancePath, object);
    switch (e.keyword) {
      case IGNORED_KEYWORD:
        strip.push(path);
        break;
      case UNIMPLEMENTED_KEYWORD:
        // A DaemonSet's placement runs (checks/placement.ts); every other pod's is ignored on
        // one host and runs on a Swarm (placement constraints).
        if (isDaemonPlacementPath(info.kind, path) || (placement === 'every-pod' && isPodPlacementPath(path))) {
          strip.push(...checkPlacementField(valueAt(object, path), path, r));
          break;
        }
        strip.push(path);
        // `{}` / `[]` (Helm's toYaml of an empty value) sets nothing, so nothing is ignored.
        // So does a field at its Kubernetes default (kubectl exports write them out).
        if (!isEmptyValue(valueAt(object, path)) && !isKubernetesDefault(path, valueAt(object, path), valueAt(object, path.slice(0, -1)))) r.report('unimplemented-field', path, unimplementedMessage(path, e.schema), { at: 'key' });
        break;
      case REFUSED_KEYWORD:
        r.report('unsupported-field', path, refusedMessage(path, e.schema), { at: 'key' });
        break;
      default:
        reportViolation(e, path, object, r, emptied);
    }
  }
  return strip;
}

function isEmptyValue(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
}

function unimplementedMessage(path: Path, hint: unknown): string {
  const base = `berth does not implement ${formatPath(path)}; it is ignored`;
  return typeof hint === 'string' ? `${base} (${hint})` : base;
}

function refusedMessage(path: Path, hint: unknown): string {
  const base = `berth cannot run ${formatPath(path)}, and ignoring it would change what runs`;
  return typeof hint === 'string' ? `${base}; ${hint}` : base;
}

function reportViolation(e: ErrorObject, path: Path, root: unknown, r: Reporter, emptied: readonly Path[]): void {
  const params = e.params as Record<string, unknown>;
  // A Secret's values are never quoted, only their type named (SPEC §8); the Reporter's
  // masking is the backstop, and it cannot mask a short value without mangling the sentence.
  const secret = isSecretValuePath(root, path);
  const shown = (v: unknown) => (secret ? describe(v, false) : quote(v));
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((e.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const suggestion = didYouMean(name, known);
      const where = path.length === 0 ? 'at the top level' : `in ${formatPath(path)}`;
      const hint = suggestion ? `; did you mean "${suggestion}"?` : known.length > 0 && known.length <= 8 ? `; known fields: ${known.join(', ')}` : '';
      r.report('unknown-field', [...path, name], `unknown field ${quote(name)} ${where}${hint}`, { at: 'key' });
      return;
    }
    case 'required': {
      const missing = String(params.missingProperty);
      // Written but empty (null, which unsets it): point at it, and say so.
      const full = formatPath([...path, missing]);
      if (emptied.some((p) => formatPath(p) === full)) {
        r.report('missing-field', [...path, missing], `${full} is empty, and it is required`, { at: 'key' });
        return;
      }
      const where = path.length === 0 ? 'the object' : formatPath(path);
      r.report('missing-field', [...path, missing], `${where} is missing required field "${missing}"`, { locate: path, at: 'key' });
      return;
    }
    case 'type': {
      const actual = valueAt(root, path);
      // What the person typed, where YAML made a boolean or number of it (`yes`, `0644`).
      // (Not in a document with a duplicate key: the later key's value is read, the first is found.)
      const typed = !secret && !r.doc.parsed.damaged && (typeof actual === 'boolean' || typeof actual === 'number');
      const written = typed ? r.doc.parsed.locator.scalarText([...r.doc.base, ...path]) : undefined;
      r.report('invalid-type', path, typeMessage(String(params.type), actual, !secret, written) + grpcPortHint(path, actual, (p) => valueAt(root, p)));
      return;
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => quote(v));
      const actual = valueAt(root, path);
      const suggestion = typeof actual === 'string' ? didYouMean(actual, (params.allowedValues as unknown[]).map(String)) : undefined;
      r.report('invalid-value', path, `${shown(actual)} is not one of ${allowed.join(', ')}${suggestion && !secret ? `; did you mean "${suggestion}"?` : ''}`);
      return;
    }
    case 'minimum':
      r.report('invalid-value', path, `must be at least ${String(params.limit)}, not ${shown(valueAt(root, path))}`);
      return;
    case 'maximum':
      r.report('invalid-value', path, `must be at most ${String(params.limit)}, not ${shown(valueAt(root, path))}`);
      return;
    case 'minItems':
      r.report('invalid-value', path, Number(params.limit) === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} items`);
      return;
    default:
      r.report('invalid-value', path, e.message ?? `fails schema keyword ${e.keyword}`);
  }
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object (a mapping)',
  array: 'a list',
  null: 'null',
};

function typeMessage(expected: string, actual: unknown, showValue: boolean, written?: string): string {
  const want = expected
    .split(',')
    .map((t) => ARTICLE[t] ?? t)
    .join(' or ');
  const got = describe(actual, showValue, written);
  let hint = '';
  if (expected.includes('string') && (typeof actual === 'number' || typeof actual === 'boolean'))
    hint = `; quote it${written !== undefined ? ` (${quote(written)})` : ''} if you mean the text (YAML reads unquoted ${typeof actual === 'boolean' ? 'yes/no/on/off/true/false as booleans' : 'digits as numbers'})`;
  else if ((expected.includes('integer') || expected.includes('number')) && typeof actual === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(actual))
    hint = '; remove the quotes';
  else if (expected === 'boolean' && typeof actual === 'string') hint = '; write true or false, without quotes';
  else if (actual === null) hint = '; the value is empty';
  return `must be ${want}, not ${got}${hint}`;
}

/** The value's type, and with `showValue` an excerpt of it: as written, when that is known. */
function describe(v: unknown, showValue = true, written?: string): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  const shown = written !== undefined && written !== String(v) ? `${clip(written)}, which YAML reads as ${String(v)}` : String(v);
  switch (typeof v) {
    case 'string':
      return showValue ? `a string (${quote(v)})` : 'a string';
    case 'number':
      return (Number.isInteger(v) ? 'an integer' : 'a number') + (showValue ? ` (${shown})` : '');
    case 'boolean':
      return showValue ? `a boolean (${shown})` : 'a boolean';
    case 'object':
      return 'an object (a mapping)';
    default:
      return typeof v;
  }
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}
