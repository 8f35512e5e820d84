import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { didYouMean } from '../manifests/did-you-mean.js';
import { parseManifestFile } from '../manifests/parse.js';
import { formatPath, pathFromPointer, type Path } from '../manifests/path.js';
import type { Locator as DocumentLocator } from '../manifests/parse.js';
import { BerthError } from '../model/errors.js';
import type { Problem } from '../model/problem.js';
import { compareProblems, hasErrors, problemLocation } from '../model/problem.js';
import { capabilityProblem, hostPathPrefixProblem, probeHostProblem, sysctlPatternProblem } from './policy-values.js';

/**
 * `berth daemon --config berth.yaml`: the same settings as the flags, camelCased. Flags win
 * over the file. Paths to secrets (API token, webhook secret, Git token, SSH key) are file names; the
 * secrets themselves never go into this file, argv or the environment dump of a unit file.
 */
export interface DaemonFileConfig {
  app?: string;
  stateDir?: string;
  backend?: 'docker' | 'swarm';
  swarmRegistry?: string;
  repo?: string;
  branch?: string;
  ref?: string;
  path?: string;
  interval?: string;
  watch?: string;
  debounce?: string;
  resync?: string;
  passTimeout?: string;
  /** Rolling online backups of the state store: this often (`0` turns them off). */
  backupInterval?: string;
  /** How many rolling backups are kept in `<state-dir>/backups`. */
  backupKeep?: number;
  listen?: string;
  tokenFile?: string;
  /** Host names the API answers to besides its listen address (`--api-host`). */
  allowedHosts?: string[];
  webhookSecretFile?: string;
  gitTokenFile?: string;
  gitUsername?: string;
  /** SSH repositories: the private key file (unencrypted OpenSSH or PEM). */
  gitSshKeyFile?: string;
  /** SSH repositories: the OpenSSH known_hosts file, the only host keys trusted. */
  gitKnownHostsFile?: string;
  allowEmpty?: boolean;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  skipUnsupported?: boolean;
  allowPrivileged?: boolean;
  allowHostNetwork?: boolean;
  hostPathPrefixes?: string[];
  allowedCapabilities?: string[];
  allowedSysctls?: string[];
  allowHostPorts?: boolean;
  allowHostNamespaces?: boolean;
  allowUnconfined?: boolean;
  allowedProbeHosts?: string[];
  allowedRegistries?: string[];
  /** This host's node labels for DaemonSet placement (`--node-label`). */
  nodeLabels?: Record<string, string>;
  /** This host's node taints as `key=value:Effect` (`--node-taint`). */
  nodeTaints?: string[];
  /** The edge's ports (`--edge-http-port/--edge-https-port`). */
  edgeHttpPort?: number;
  edgeHttpsPort?: number;
}

const DURATION = '^([0-9]+|([0-9]+(\\.[0-9]+)?(ms|s|m|h))+)$';
const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', minLength: 1, description, ...extra });

export const DAEMON_CONFIG_SCHEMA = {
  $id: 'https://berth.dev/schemas/daemon-config.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    app: str('app whose objects the daemon manages', { pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }),
    stateDir: str('state directory'),
    backend: { type: 'string', enum: ['docker', 'swarm'], description: 'where the app runs: this Docker host, or the Swarm whose manager DOCKER_HOST names' },
    swarmRegistry: str('with backend swarm: host:port of a registry every node pulls from (berth pushes its own images there)', { pattern: '^[a-zA-Z0-9.-]+(:[0-9]+)?$' }),
    repo: str('Git repository URL (http/https, ssh://, user@host:path) or local repository path'),
    branch: str('branch to follow'),
    ref: str('tag or full commit SHA to follow instead of a branch'),
    path: str('sub-path of the repository holding the manifests'),
    interval: str('Git poll interval', { pattern: DURATION }),
    watch: str('folder to watch instead of a repository'),
    debounce: str('quiet time after the last file event before a folder is read', { pattern: DURATION }),
    resync: str('drift check interval', { pattern: DURATION }),
    passTimeout: str('how long one pass may wait for a rollout step', { pattern: DURATION }),
    backupInterval: str('how often the state store is backed up (0: never)', { pattern: DURATION }),
    backupKeep: { type: 'integer', minimum: 1, maximum: 100, description: 'rolling backups kept' },
    listen: str('API address host:port', { pattern: '^(\\[[0-9a-fA-F:]+\\]|[^:\\s]+):[0-9]{1,5}$' }),
    tokenFile: str('file holding the API bearer token'),
    allowedHosts: { type: 'array', items: str('a host name the API answers to', { pattern: '^[^:/\\s@?#]+$|^\\[[0-9a-fA-F:.]+\\]$' }) },
    webhookSecretFile: str('file holding the webhook secret'),
    gitTokenFile: str('file holding the Git token'),
    gitUsername: str('username sent with the Git token or password'),
    gitSshKeyFile: str('file holding the private key for SSH repositories'),
    gitKnownHostsFile: str('known_hosts file with the host keys of SSH repositories'),
    allowEmpty: { type: 'boolean' },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] },
    skipUnsupported: { type: 'boolean' },
    allowPrivileged: { type: 'boolean' },
    allowHostNetwork: { type: 'boolean' },
    // Host policy (docs/security.md): each value is checked below (policyValueProblems), as the flags are.
    hostPathPrefixes: { type: 'array', items: { type: 'string', minLength: 1 } },
    allowedCapabilities: { type: 'array', items: { type: 'string', minLength: 1 } },
    allowedSysctls: { type: 'array', items: { type: 'string', minLength: 1 } },
    allowHostPorts: { type: 'boolean' },
    allowHostNamespaces: { type: 'boolean' },
    allowUnconfined: { type: 'boolean' },
    allowedProbeHosts: { type: 'array', items: { type: 'string', minLength: 1 } },
    allowedRegistries: { type: 'array', items: { type: 'string', minLength: 1 } },
    nodeLabels: { type: 'object', additionalProperties: { type: 'string' } },
    nodeTaints: { type: 'array', items: { type: 'string', pattern: '^[^=:\\s]+(=[^:\\s]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$' } },
    edgeHttpPort: { type: 'integer', minimum: 1, maximum: 65535, description: 'the edge listens for HTTP on this host port (default 80)' },
    edgeHttpsPort: { type: 'integer', minimum: 1, maximum: 65535, description: 'the edge listens for HTTPS on this host port (default 443)' },
  },
} as const;

let validator: ReturnType<Ajv['compile']> | undefined;

/**
 * Parses and validates a config file: every problem at once, each with file:line:column and
 * the key's path (unknown keys with a "did you mean"), like manifest validation reports.
 */
export function parseDaemonConfig(file: string, content: Buffer): { config?: DaemonFileConfig; problems: Problem[] } {
  const parsed = parseManifestFile({ path: file, content });
  if (hasErrors(parsed.problems)) return { problems: parsed.problems };
  const doc = parsed.documents[0];
  if (!doc) return { config: Object.freeze({}), problems: [] };
  if (parsed.documents.length > 1) return { problems: [problem(file, doc.locator, [], 'config-documents', 'a config file holds one YAML document', 'value')] };
  if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value))
    return { problems: [problem(file, doc.locator, [], 'config-type', 'the config file must be a mapping of settings (key: value)', 'value')] };
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(DAEMON_CONFIG_SCHEMA);
  // Every problem at once: the policy's values are checked whatever else is wrong.
  const values = policyValueProblems(file, doc.value as Record<string, unknown>, doc.locator);
  if (validator(doc.value)) {
    const problems = [...combinationProblems(file, doc.value as DaemonFileConfig, doc.locator), ...values].sort(compareProblems);
    return problems.length ? { problems } : { config: Object.freeze({ ...(doc.value as DaemonFileConfig) }), problems: [] };
  }
  const problems = [...(validator.errors ?? []).map((e) => ajvProblem(file, e, doc.value, doc.locator)), ...values];
  return { problems: dedupe(problems).sort(compareProblems) };
}

/** Reads and validates a config file; INVALID_CONFIG (exit 2) carries every problem in `data.problems`. */
export async function loadDaemonConfig(path: string): Promise<DaemonFileConfig> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (cause) {
    throw new BerthError('INPUT_UNREADABLE', `cannot read the config file ${path}`, { path, reason: (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found' : 'read-failed' }, { cause });
  }
  const { config, problems } = parseDaemonConfig(path, content);
  if (!config) {
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new BerthError('INVALID_CONFIG', `config file ${basename(path)} is invalid: ${problemLocation(first)}: ${first.message}${more}`, { path, problems });
  }
  return config;
}

function combinationProblems(file: string, c: DaemonFileConfig, locator: DocumentLocator): Problem[] {
  const out: Problem[] = [];
  if (c.repo !== undefined && c.watch !== undefined) out.push(problem(file, locator, ['watch'], 'config-conflict', 'set either repo or watch, not both', 'key'));
  if (c.branch !== undefined && c.ref !== undefined) out.push(problem(file, locator, ['ref'], 'config-conflict', 'set either branch or ref, not both', 'key'));
  if (c.watch !== undefined) for (const k of ['branch', 'ref', 'path', 'interval', 'gitTokenFile', 'gitSshKeyFile', 'gitKnownHostsFile'] as const) if (c[k] !== undefined) out.push(problem(file, locator, [k], 'config-conflict', `${k} applies to a Git repository; this config watches a folder`, 'key'));
  return out;
}

/** The host policy's values, by the rules the flags follow (runtime/policy-values.ts), each at its line. */
function policyValueProblems(file: string, c: Record<string, unknown>, locator: DocumentLocator): Problem[] {
  const checks = [
    ['hostPathPrefixes', hostPathPrefixProblem],
    ['allowedCapabilities', capabilityProblem],
    ['allowedSysctls', sysctlPatternProblem],
    ['allowedProbeHosts', probeHostProblem],
  ] as const;
  return checks.flatMap(([key, check]) =>
    (Array.isArray(c[key]) ? (c[key] as unknown[]) : []).flatMap((value, i) => {
      // A value of the wrong type is the schema's problem.
      const why = typeof value === 'string' && value !== '' ? check(value) : undefined;
      return why === undefined ? [] : [problem(file, locator, [key, i], 'config-policy-value', `${key}[${i}] ${JSON.stringify(value)} ${why.replace('--allow-privileged (host policy allowPrivileged)', 'allowPrivileged: true')}`, 'value')];
    }),
  );
}

function ajvProblem(file: string, e: ErrorObject, root: unknown, locator: DocumentLocator): Problem {
  const path: Path = pathFromPointer(e.instancePath, root);
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const hint = didYouMean(key, Object.keys(DAEMON_CONFIG_SCHEMA.properties));
    return problem(file, locator, [...path, key], 'config-unknown-key', `unknown setting "${key}"${hint ? `; did you mean "${hint}"?` : ''}`, 'key');
  }
  const what = formatPath(path) || 'the config';
  let message: string;
  switch (e.keyword) {
    case 'type':
      message = `${what} must be a ${(e.params as { type: string }).type}`;
      break;
    case 'pattern':
      message = /interval|debounce|resync|passTimeout|backupInterval/.test(String(path[0])) ? `${what} must be a duration such as 30s, 5m or 1h` : String(path[0]) === 'listen' ? `${what} must be host:port, e.g. 127.0.0.1:7420` : `${what} has an invalid value`;
      break;
    case 'enum':
      message = `${what} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
      break;
    default:
      message = `${what} ${e.message ?? 'is invalid'}`;
  }
  return problem(file, locator, path, `config-${e.keyword}`, message, 'value');
}

function problem(file: string, locator: DocumentLocator, path: Path, code: string, message: string, target: 'key' | 'value'): Problem {
  const { line, column } = locator.locate(path, target);
  return { file, line, column, path: formatPath(path), severity: 'error', code, message };
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.line}:${p.column}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
