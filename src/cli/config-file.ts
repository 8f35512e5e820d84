import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BerthError } from '../model/errors.js';
import type { CliIO } from './context.js';

/**
 * berth's client config, kubeconfig's shape cut to what berth has: named contexts, each an app,
 * a namespace and a state dir, and the current one. Read and written only by the CLI (the
 * environment and the home directory are the CLI's to read).
 *
 * ```yaml
 * apiVersion: berth.dev/v1
 * kind: Config
 * current-context: shop
 * contexts:
 *   - name: shop
 *     context: {app: shop, namespace: kc, state-dir: /srv/berth}
 * ```
 */
export interface ContextSettings {
  app?: string;
  namespace?: string;
  stateDir?: string;
}

export interface NamedContext {
  name: string;
  context: ContextSettings;
}

export interface ClientConfig {
  currentContext?: string;
  contexts: NamedContext[];
}

export const EMPTY_CONFIG: ClientConfig = { contexts: [] };

/**
 * `$BERTH_CONFIG`, else `$XDG_CONFIG_HOME/berth/config`, else `$HOME/.config/berth/config`;
 * undefined (no config) when the environment names no home: an in-process run with a bare
 * environment (tests, embedders) then never picks up the config of whoever runs it.
 */
export function configPath(env: CliIO['env']): string | undefined {
  if (env.BERTH_CONFIG) return env.BERTH_CONFIG;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'berth', 'config');
  return env.HOME ? join(env.HOME, '.config', 'berth', 'config') : undefined;
}

const SETTINGS: ReadonlyArray<[keyof ContextSettings, string]> = [
  ['app', 'app'],
  ['namespace', 'namespace'],
  ['stateDir', 'state-dir'],
];

/** The file's document as data, or INVALID_CONFIG naming the path and what is wrong. */
export function parseConfig(doc: unknown, path: string): ClientConfig {
  const bad = (what: string): never => {
    throw new BerthError('INVALID_CONFIG', `config file ${path} is invalid: ${what}`, { path });
  };
  if (doc === undefined || doc === null) return { contexts: [] };
  if (!isMap(doc)) return bad('not a mapping');
  const current = doc['current-context'];
  if (current !== undefined && current !== null && typeof current !== 'string') bad('current-context is not a string');
  const list = doc.contexts ?? [];
  if (!Array.isArray(list)) return bad('contexts is not a list');
  const names = new Set<string>();
  const contexts = list.map((entry, i): NamedContext => {
    if (!isMap(entry) || typeof entry.name !== 'string' || entry.name === '') return bad(`contexts[${i}] has no name`);
    if (names.has(entry.name)) bad(`context "${entry.name}" is listed twice`);
    names.add(entry.name);
    const raw = entry.context ?? {};
    if (!isMap(raw)) return bad(`contexts[${i}].context is not a mapping`);
    const context: ContextSettings = {};
    for (const [field, key] of SETTINGS) {
      const v = raw[key];
      if (v === undefined || v === null || v === '') continue;
      if (typeof v !== 'string') bad(`contexts[${i}].context.${key} is not a string`);
      context[field] = v as string;
    }
    return { name: entry.name, context };
  });
  return { ...(typeof current === 'string' && current !== '' ? { currentContext: current } : {}), contexts };
}

/** The document written back: kubeconfig's spelling (`current-context`, kebab-case keys). */
export function configDocument(config: ClientConfig): Record<string, unknown> {
  return {
    apiVersion: 'berth.dev/v1',
    kind: 'Config',
    'current-context': config.currentContext ?? '',
    contexts: config.contexts.map((c) => ({
      name: c.name,
      context: Object.fromEntries(SETTINGS.filter(([field]) => c.context[field] !== undefined).map(([field, key]) => [key, c.context[field]])),
    })),
  };
}

/** The config file at `path`; a missing file is an empty config (nothing set yet). */
export async function readConfig(path: string): Promise<ClientConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: [] };
    throw new BerthError('INVALID_CONFIG', `config file ${path} cannot be read: ${(err as Error).message}`, { path });
  }
  // Loaded only when a file exists: commands run without one pay nothing for the YAML parser.
  const { load } = await import('js-yaml');
  let doc: unknown;
  try {
    doc = load(text);
  } catch (err) {
    throw new BerthError('INVALID_CONFIG', `config file ${path} is not YAML: ${(err as Error).message.split('\n')[0]}`, { path });
  }
  return parseConfig(doc, path);
}

/**
 * Writes the config as a whole file beside the old one, then renames it over: a reader sees
 * the old file or the new one, never half of one. Mode 0600 (a context names state dirs and
 * apps; kubectl keeps its kubeconfig private too), the directory 0700 when berth makes it.
 */
export async function writeConfig(path: string, config: ClientConfig): Promise<void> {
  const { dump } = await import('js-yaml');
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(tmp, 'wx', 0o600);
  try {
    await file.writeFile(dump(configDocument(config), { lineWidth: -1 }));
    await file.sync();
    await file.close();
    await rename(tmp, path);
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
