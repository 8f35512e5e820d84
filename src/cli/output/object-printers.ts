import { BerthError } from '../../model/errors.js';
import type { CustomColumn } from './custom-columns.js';
import { parseCustomColumnsFile, parseCustomColumnsSpec, renderCustomColumns } from './custom-columns.js';
import type { JsonPathTemplate } from './jsonpath.js';
import { executeJsonPath, JsonPathError, parseJsonPath } from './jsonpath.js';

/**
 * The `-o` formats that print what a template picks out of the objects (`get` of every kind
 * and `get events`): `jsonpath=`, `jsonpath-file=`, `jsonpath-as-json=`, `custom-columns=`,
 * `custom-columns-file=`. They apply to the document `-o json` would print: the List, or the
 * object itself when exactly one was named, as kubectl does.
 */
export type ObjectPrinter = { type: 'jsonpath'; template: JsonPathTemplate; asJson: boolean } | { type: 'custom-columns'; columns: CustomColumn[] };

export const TEMPLATE_FORMATS = ['jsonpath', 'jsonpath-file', 'jsonpath-as-json', 'custom-columns', 'custom-columns-file'] as const;

/** The printer `-o VALUE` names, or undefined when VALUE is not a template format. `readText` reads the -file variants. */
export function parseObjectPrinter(output: string | undefined, readText: (path: string) => string): ObjectPrinter | undefined {
  if (output === undefined) return undefined;
  const eq = output.indexOf('=');
  const name = eq < 0 ? output : output.slice(0, eq);
  if (!(TEMPLATE_FORMATS as readonly string[]).includes(name)) return undefined;
  const value = eq < 0 ? '' : output.slice(eq + 1);
  const usage = (message: string) => new BerthError('USAGE', message, { output });
  if (value === '') throw usage(name.startsWith('custom-columns') ? 'custom-columns format specified but no custom columns given' : 'template format specified but no template given');
  const text = name.endsWith('-file') ? readFileOrFail(value, readText, usage) : value;
  try {
    if (name.startsWith('custom-columns')) return { type: 'custom-columns', columns: name === 'custom-columns' ? parseCustomColumnsSpec(text) : parseCustomColumnsFile(text) };
    return { type: 'jsonpath', template: parseJsonPath(text), asJson: name === 'jsonpath-as-json' };
  } catch (err) {
    if (!(err instanceof JsonPathError)) throw err;
    throw usage(name.startsWith('custom-columns') ? err.message : `error parsing jsonpath ${text}, ${err.message}`);
  }
}

function readFileOrFail(path: string, readText: (path: string) => string, usage: (m: string) => BerthError): string {
  try {
    return readText(path);
  } catch (err) {
    throw usage(`error reading template ${path}: ${(err as Error).message}`);
  }
}

/**
 * What the printer prints for the document. A template that fails on these objects throws a
 * JsonPathError (phase `execute`) worded as kubectl's: `error executing jsonpath "{.x}": …`.
 */
export function renderObjects(doc: unknown, printer: ObjectPrinter, o: { allowMissingKeys: boolean; noHeaders: boolean }): string {
  if (printer.type === 'custom-columns') return renderCustomColumns(doc, printer.columns, { noHeaders: o.noHeaders });
  try {
    return executeJsonPath(printer.template, doc, { allowMissingKeys: o.allowMissingKeys, asJson: printer.asJson });
  } catch (err) {
    if (!(err instanceof JsonPathError)) throw err;
    const raw = printer.template.raw;
    throw new JsonPathError(`error executing jsonpath ${JSON.stringify(raw)}: Error executing template: ${err.message}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t${raw}\n`, 'execute');
  }
}

/** kubectl's -L header: the key's last path segment, upper-cased (`app.kubernetes.io/name` → NAME). */
export function labelColumnHeader(key: string): string {
  const upper = key.toUpperCase();
  return upper.slice(upper.lastIndexOf('/') + 1);
}

/** `-L a,b -L c`: the keys in order. */
export function collectLabelColumns(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter((k) => k !== '')];
}

/** `--allow-missing-template-keys=false`. */
export function parseBoolFlag(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new BerthError('USAGE', `invalid argument "${value}" for "--allow-missing-template-keys" flag: expected true or false`, { value });
}
