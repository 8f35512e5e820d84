import { isAbsolute, resolve } from 'node:path';
import { BerthError } from '../../model/errors.js';
import { isLoopbackHost } from '../../model/image-ref.js';
import { invalidApiHost } from '../../runtime/api/guard.js';
import { isRemoteGitUrl } from '../../sources/git-url.js';
import type { DaemonFileConfig } from '../../runtime/config.js';
import { parseDuration } from '../engine-flags.js';
import type { ValidationFlags } from '../validation-flags.js';

/** Flags of `berth daemon` as commander hands them over (no defaults: the config file fills gaps). */
/**
 * The daemon's flags: the config file's settings (one definition, runtime/config.ts) minus
 * what only a file may say, plus what only the command line may say.
 */
export interface DaemonFlags
  extends ValidationFlags,
    Omit<
      DaemonFileConfig,
      | 'gitUsername'
      | 'logLevel'
      | 'skipUnsupported'
      | 'allowPrivileged'
      | 'allowHostNetwork'
      | 'hostPathPrefixes'
      | 'allowedCapabilities'
      | 'allowedSysctls'
      | 'allowHostPorts'
      | 'allowHostNamespaces'
      | 'allowUnconfined'
      | 'allowedProbeHosts'
      | 'allowedRegistries'
      | 'nodeLabels'
      | 'nodeTaints'
      | 'edgeHttpPort'
      | 'edgeHttpsPort'
      | 'allowedHosts'
      | 'backupKeep'
    > {
  /** `--backup-keep N` (commander hands over text). */
  backupKeep?: string;
  config?: string;
  /** `--api-host NAME`, repeatable: the config file's allowedHosts. */
  apiHost?: string[];
  logLevel?: string;
  cronTimeScale?: string;
  /** `--no-web-ui` makes it false (commander's default for a --no- flag is true). */
  webUi?: boolean;
  /** `--no-exec` makes it false. */
  exec?: boolean;
}

export type SourceSetting =
  | { kind: 'git'; url: string; ref: { branch: string } | { tag: string } | { commit: string }; path?: string; pollIntervalMs: number }
  | { kind: 'folder'; dir: string; debounceMs: number };

/** Everything the daemon command needs, settled from flags > config file > defaults, frozen. */
export interface SettledDaemon {
  app?: string;
  stateDir?: string;
  backend?: string;
  swarmRegistry?: string;
  source: SourceSetting;
  listen: { host: string; port: number; loopback: boolean };
  /** Names the API answers to besides its listen address (DNS rebinding protection). */
  allowedHosts: string[];
  tokenFile?: string;
  webhookSecretFile?: string;
  gitTokenFile?: string;
  gitUsername?: string;
  gitSshKeyFile?: string;
  gitKnownHostsFile?: string;
  allowEmpty: boolean;
  resyncIntervalMs: number;
  passTimeoutMs: number;
  /** Rolling store backups: every intervalMs (0: off), the newest `keep` kept. */
  backup: { intervalMs: number; keep: number };
  logLevel: string;
  cronTimeScale: number;
  /** Serve the web UI's pages at `/` (false: `--no-web-ui`; the API stays). */
  webUi: boolean;
  /** Open terminals in containers over the API (false: `--no-exec`). */
  exec: boolean;
  validation: ValidationFlags;
}

export const DAEMON_DEFAULTS = Object.freeze({
  interval: '1m',
  debounce: '200ms',
  passTimeout: '10m',
  backupInterval: '1h',
  backupKeep: 3,
  listen: '127.0.0.1:7420',
  logLevel: 'info',
});

/**
 * Merges flags over the config file over defaults and checks what only makes sense together
 * (exactly one source; branch or ref; a token when listening beyond loopback). Pure: paths
 * are resolved against `cwd` (config paths against the config file's directory).
 */
export function settleDaemon(flags: DaemonFlags, file: DaemonFileConfig, options: { cwd: string; configDir?: string; env: Readonly<Record<string, string | undefined>> }): SettledDaemon {
  const fromFile = (p: string | undefined) => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(options.configDir ?? options.cwd, p));
  const fromFlag = (p: string | undefined) => (p === undefined ? undefined : resolve(options.cwd, p));
  const pick = <T>(flag: T | undefined, conf: T | undefined): T | undefined => (flag !== undefined ? flag : conf);
  const repo = pick(flags.repo, file.repo);
  const watch = flags.watch !== undefined ? fromFlag(flags.watch) : fromFile(file.watch);
  if (repo === undefined && watch === undefined) throw new BerthError('USAGE', 'berth daemon needs a source: --repo URL or --watch DIR (or repo/watch in --config)');
  if (repo !== undefined && watch !== undefined) throw new BerthError('USAGE', 'use either --repo or --watch, not both');
  // Anything on the command line is readable by every local user (ps, /proc): no credentials there.
  // A query string is refused too: forges accept tokens there (?access_token=, ?private_token=).
  // An SSH user (`ssh://git@host/…`) is an address, not a credential; a password is one.
  if (flags.repo !== undefined && (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*@/i.test(flags.repo) || (/^[a-z][a-z0-9+.-]*:\/\//i.test(flags.repo) && flags.repo.includes('?'))) && !/^(ssh|git\+ssh|ssh\+git):\/\/[^/@:]*@/i.test(flags.repo))
    throw new BerthError('USAGE', '--repo must not contain credentials (they would show in ps); use --git-token-file or $BERTH_GIT_TOKEN', {
      hint: 'or $BERTH_GIT_USERNAME and $BERTH_GIT_PASSWORD',
    });
  const branch = pick(flags.branch, file.branch);
  const ref = pick(flags.ref, file.ref);
  if (branch !== undefined && ref !== undefined) throw new BerthError('USAGE', 'use either --branch or --ref, not both');
  const duration = (name: string, value: string) => {
    try {
      return parseDuration(value);
    } catch {
      throw new BerthError('USAGE', `invalid --${name} "${value}" (use e.g. 30s, 5m, 1h)`, { flag: `--${name}`, value });
    }
  };
  const pollIntervalMs = duration('interval', pick(flags.interval, file.interval) ?? DAEMON_DEFAULTS.interval);
  if (pollIntervalMs < 1000) throw new BerthError('USAGE', '--interval must be at least 1s');
  const path = pick(flags.path, file.path);
  const source: SourceSetting =
    repo !== undefined
      ? {
          kind: 'git',
          url: isRemoteGitUrl(repo) ? repo : (flags.repo !== undefined ? fromFlag(repo) : fromFile(repo))!,
          ref: ref === undefined ? { branch: branch ?? 'main' } : /^[0-9a-f]{40}$/i.test(ref) ? { commit: ref.toLowerCase() } : { tag: ref },
          ...(path !== undefined ? { path } : {}),
          pollIntervalMs,
        }
      : { kind: 'folder', dir: watch!, debounceMs: duration('debounce', pick(flags.debounce, file.debounce) ?? DAEMON_DEFAULTS.debounce) };
  const gitSshKeyFile = flags.gitSshKeyFile !== undefined ? fromFlag(flags.gitSshKeyFile) : fromFile(file.gitSshKeyFile);
  const gitKnownHostsFile = flags.gitKnownHostsFile !== undefined ? fromFlag(flags.gitKnownHostsFile) : fromFile(file.gitKnownHostsFile);
  if (source.kind === 'folder' && (branch !== undefined || ref !== undefined || path !== undefined || gitSshKeyFile !== undefined || gitKnownHostsFile !== undefined))
    throw new BerthError('USAGE', '--branch, --ref, --path, --git-ssh-key-file and --git-known-hosts-file apply to --repo, not --watch');
  const listen = parseListen(pick(flags.listen, file.listen) ?? DAEMON_DEFAULTS.listen);
  const tokenFile = flags.tokenFile !== undefined ? fromFlag(flags.tokenFile) : fromFile(file.tokenFile);
  if (!listen.loopback && tokenFile === undefined)
    throw new BerthError('USAGE', `refusing to listen on ${listen.host}:${listen.port} without an API token; pass --token-file (or listen on 127.0.0.1)`, { listen: `${listen.host}:${listen.port}` });
  const allowedHosts = flags.apiHost?.length ? flags.apiHost : (file.allowedHosts ?? []);
  for (const name of allowedHosts) {
    const why = invalidApiHost(name);
    if (why) throw new BerthError('USAGE', `invalid --api-host "${name}": use ${why}`, { apiHost: name });
  }
  const resync = pick(flags.resync, file.resync);
  const scale = Number(flags.cronTimeScale ?? '1');
  if (!Number.isFinite(scale) || scale < 1) throw new BerthError('USAGE', `invalid --cron-time-scale "${flags.cronTimeScale}"`);
  const hostPathPrefix = flags.hostPathPrefix?.length ? flags.hostPathPrefix : file.hostPathPrefixes;
  const webhookSecretFile = flags.webhookSecretFile !== undefined ? fromFlag(flags.webhookSecretFile) : fromFile(file.webhookSecretFile);
  const gitTokenFile = flags.gitTokenFile !== undefined ? fromFlag(flags.gitTokenFile) : fromFile(file.gitTokenFile);
  const stateDir = flags.stateDir !== undefined ? fromFlag(flags.stateDir) : fromFile(file.stateDir);
  const app = pick(flags.app, file.app);
  const backend = pick(flags.backend, file.backend);
  const swarmRegistry = pick(flags.swarmRegistry, file.swarmRegistry);
  const backupKeep = flags.backupKeep !== undefined ? Number(flags.backupKeep) : (file.backupKeep ?? DAEMON_DEFAULTS.backupKeep);
  if (!Number.isInteger(backupKeep) || backupKeep < 1 || backupKeep > 100) throw new BerthError('USAGE', `invalid --backup-keep "${String(flags.backupKeep)}" (a whole number from 1 to 100)`, { flag: '--backup-keep' });
  return deepFreeze({
    ...(app !== undefined ? { app } : {}),
    ...(stateDir !== undefined ? { stateDir } : {}),
    ...(backend !== undefined ? { backend } : {}),
    ...(swarmRegistry !== undefined ? { swarmRegistry } : {}),
    source,
    listen,
    allowedHosts: [...allowedHosts],
    ...(tokenFile !== undefined ? { tokenFile } : {}),
    ...(webhookSecretFile !== undefined ? { webhookSecretFile } : {}),
    ...(gitTokenFile !== undefined ? { gitTokenFile } : {}),
    ...(file.gitUsername !== undefined ? { gitUsername: file.gitUsername } : {}),
    ...(gitSshKeyFile !== undefined ? { gitSshKeyFile } : {}),
    ...(gitKnownHostsFile !== undefined ? { gitKnownHostsFile } : {}),
    allowEmpty: pick(flags.allowEmpty, file.allowEmpty) ?? false,
    resyncIntervalMs: resync !== undefined ? duration('resync', resync) : source.kind === 'git' ? pollIntervalMs : duration('resync', '5m'),
    passTimeoutMs: duration('pass-timeout', pick(flags.passTimeout, file.passTimeout) ?? DAEMON_DEFAULTS.passTimeout),
    backup: { intervalMs: duration('backup-interval', pick(flags.backupInterval, file.backupInterval) ?? DAEMON_DEFAULTS.backupInterval), keep: backupKeep },
    logLevel: pick(flags.logLevel, file.logLevel) ?? options.env.BERTH_LOG_LEVEL ?? DAEMON_DEFAULTS.logLevel,
    cronTimeScale: scale,
    webUi: flags.webUi !== false,
    exec: flags.exec !== false,
    validation: {
      skipUnsupported: pick(flags.skipUnsupported, file.skipUnsupported) ?? false,
      allowPrivileged: pick(flags.allowPrivileged, file.allowPrivileged) ?? false,
      allowHostNetwork: pick(flags.allowHostNetwork, file.allowHostNetwork) ?? false,
      hostPathPrefix: [...(hostPathPrefix ?? [])],
      // Lists: the command line replaces the file's list (as --host-path-prefix does), never merges.
      allowCapability: [...(list(flags.allowCapability) ?? file.allowedCapabilities ?? [])],
      allowSysctl: [...(list(flags.allowSysctl) ?? file.allowedSysctls ?? [])],
      allowHostPorts: pick(flags.allowHostPorts, file.allowHostPorts) ?? false,
      allowHostNamespaces: pick(flags.allowHostNamespaces, file.allowHostNamespaces) ?? false,
      allowUnconfined: pick(flags.allowUnconfined, file.allowUnconfined) ?? false,
      allowProbeHost: [...(list(flags.allowProbeHost) ?? file.allowedProbeHosts ?? [])],
      allowRegistry: [...(list(flags.allowRegistry) ?? file.allowedRegistries ?? [])],
      nodeLabel: [...(list(flags.nodeLabel) ?? Object.entries(file.nodeLabels ?? {}).map(([k, v]) => `${k}=${v}`))],
      nodeTaint: [...(list(flags.nodeTaint) ?? file.nodeTaints ?? [])],
      ...pickDefined('edgeHttpPort', flags.edgeHttpPort ?? file.edgeHttpPort),
      ...pickDefined('edgeHttpsPort', flags.edgeHttpsPort ?? file.edgeHttpsPort),
    },
  });
}

function pickDefined<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

function list(values: readonly string[] | undefined): readonly string[] | undefined {
  return values?.length ? values : undefined;
}

/** `127.0.0.1:7420`, `[::1]:7420`, `0.0.0.0:7420`, `:7420` (all interfaces). */
export function parseListen(text: string): { host: string; port: number; loopback: boolean } {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:\s]*)):([0-9]{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new BerthError('USAGE', `invalid --listen "${text}" (use host:port, e.g. 127.0.0.1:7420)`, { listen: text });
  const host = m[1] ?? (m[2] || '0.0.0.0');
  return { host, port, loopback: isLoopbackHost(host) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
