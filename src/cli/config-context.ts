import { BerthError } from '../model/errors.js';
import type { ClientConfig, ContextSettings, NamedContext } from './config-file.js';
import { configPath, readConfig } from './config-file.js';
import type { CliIO } from './context.js';

/** The environment variable each context setting stands in for. */
export const CONTEXT_ENV: ReadonlyArray<[keyof ContextSettings, string]> = [
  ['app', 'BERTH_APP'],
  ['namespace', 'BERTH_NAMESPACE'],
  ['stateDir', 'BERTH_STATE_DIR'],
];

/** The current context's settings; none when no context is current. A current-context naming no context is an error, as kubectl's. */
export function currentSettings(config: ClientConfig, path: string): ContextSettings | undefined {
  if (config.currentContext === undefined) return undefined;
  const found = config.contexts.find((c) => c.name === config.currentContext);
  if (!found)
    throw new BerthError('INVALID_CONFIG', `current context "${config.currentContext}" is not in config file ${path}`, {
      path,
      hint: 'berth config use-context NAME (berth config get-contexts lists them)',
    });
  return found.context;
}

/**
 * The context as defaults under the environment: each setting fills its variable only where
 * the environment leaves it unset. Commands already resolve flag > variable > default, so this
 * one step makes it flag > environment > context > default for every command alike.
 */
export function envWithContext(env: CliIO['env'], settings: ContextSettings | undefined): CliIO['env'] {
  if (!settings) return env;
  const out: Record<string, string | undefined> = { ...env };
  for (const [field, name] of CONTEXT_ENV) if (out[name] === undefined && settings[field] !== undefined) out[name] = settings[field];
  return out;
}

/** The command's IO with the current context applied (main.ts, before any command but `config` runs). */
export async function withConfigContext(io: CliIO): Promise<CliIO> {
  const path = configPath(io.env);
  if (path === undefined) return io;
  const settings = currentSettings(await readConfig(path), path);
  return settings ? { ...io, env: envWithContext(io.env, settings) } : io;
}

/** A setting as `set-context` takes it: a value sets it, '' unsets it (kubectl's `--namespace=`). */
export type ContextPatch = Partial<Record<keyof ContextSettings, string>>;

export function setContext(config: ClientConfig, name: string, patch: ContextPatch): { config: ClientConfig; created: boolean } {
  const existing = config.contexts.find((c) => c.name === name);
  const context: ContextSettings = { ...(existing?.context ?? {}) };
  for (const [field] of CONTEXT_ENV) {
    const v = patch[field];
    if (v === undefined) continue;
    if (v === '') delete context[field];
    else context[field] = v;
  }
  const next: NamedContext = { name, context };
  const contexts = existing ? config.contexts.map((c) => (c.name === name ? next : c)) : [...config.contexts, next];
  return { config: { ...config, contexts }, created: !existing };
}

export function useContext(config: ClientConfig, name: string): ClientConfig {
  if (!config.contexts.some((c) => c.name === name)) throw new BerthError('NOT_FOUND', `no context exists with the name: "${name}"`, {});
  return { ...config, currentContext: name };
}

export function deleteContext(config: ClientConfig, name: string, path: string): { config: ClientConfig; wasCurrent: boolean } {
  if (!config.contexts.some((c) => c.name === name)) throw new BerthError('NOT_FOUND', `cannot delete context ${name}, not in ${path}`, {});
  const wasCurrent = config.currentContext === name;
  const { currentContext, ...rest } = config;
  return { config: { ...rest, ...(currentContext !== undefined && !wasCurrent ? { currentContext } : {}), contexts: config.contexts.filter((c) => c.name !== name) }, wasCurrent };
}
