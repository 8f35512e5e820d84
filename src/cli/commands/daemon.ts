import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { BerthError } from '../../model/errors.js';
import { PASS_BACKOFF, SOURCE_BACKOFF } from '../../model/backoff.js';
import type { CliContext } from '../context.js';
import { writeStyled } from '../context.js';
import { addValidationOptions, validateOptionsFrom } from '../validation-flags.js';
import type { DaemonFlags, SettledDaemon } from './daemon-settings.js';
import { DAEMON_DEFAULTS } from './daemon-settings.js';
import { processAlive } from '../process-alive.js';

export function registerDaemon(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('daemon')
    .description('keep the Docker host equal to a Git repository or a folder (reconcile loop, HTTP API, webhooks, metrics)')
    .option('--config <file>', 'settings file (YAML); flags override it')
    .option('--repo <url>', 'Git repository (http/https or ssh:// URL, user@host:path, or a local path)')
    .option('--branch <name>', 'branch to follow (default: main)')
    .option('--ref <tag|sha>', 'tag or full commit SHA to follow instead of a branch')
    .option('--path <subdir>', 'sub-path of the repository holding the manifests')
    .option('--interval <duration>', `poll the repository this often (default: ${DAEMON_DEFAULTS.interval})`)
    .option('--watch <dir>', 'watch a folder instead of a repository')
    .option('--debounce <duration>', `quiet time after a file event before the folder is read (default: ${DAEMON_DEFAULTS.debounce})`)
    .option('--resync <duration>', 'drift check: reconcile this often without a trigger (default: the poll interval; 5m with --watch)')
    .option('--pass-timeout <duration>', `how long one pass waits for a rollout step (default: ${DAEMON_DEFAULTS.passTimeout})`)
    .option('--backup-interval <duration>', `back the state store up this often into <state-dir>/backups; 0 turns it off (default: ${DAEMON_DEFAULTS.backupInterval})`)
    .option('--backup-keep <n>', `rolling backups kept (default: ${DAEMON_DEFAULTS.backupKeep})`)
    .option('--listen <host:port>', `HTTP API address (default: ${DAEMON_DEFAULTS.listen}); beyond loopback needs --token-file`)
    .option('--token-file <file>', 'API bearer token: required for every endpoint but /healthz, /readyz and /webhook')
    .option('--api-host <name>', 'a host name the API answers to besides its listen address, e.g. the name webhooks are sent to (repeatable)', collect)
    .option('--webhook-secret-file <file>', 'enables POST /webhook (GitHub, Gitea, GitLab) with this secret')
    .option('--git-token-file <file>', 'Git token (else $BERTH_GIT_TOKEN, or $BERTH_GIT_USERNAME + $BERTH_GIT_PASSWORD)')
    .option('--git-ssh-key-file <file>', 'private key for an SSH repository (unencrypted OpenSSH or PEM)')
    .option('--git-known-hosts-file <file>', "known_hosts file holding the SSH repository's host key (never trusted on first use)")
    .option('--allow-empty', 'let a revision with no resources delete everything the app runs')
    .option('--no-web-ui', 'serve no web UI pages at / (its API under /api/v1 stays)')
    .option('--no-exec', 'refuse terminals in containers (the web UI\'s exec); logs and actions stay')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace (default: info or $BERTH_LOG_LEVEL)')
    .option('--app <name>', 'app whose objects this daemon manages (ownership scope)')
    .option('--state-dir <dir>', 'state directory (default: $BERTH_STATE_DIR, /var/lib/berth for root, ~/.local/state/berth)')
    .option('--backend <kind>', 'docker (this host) or swarm (the Swarm whose manager DOCKER_HOST names); default: $BERTH_BACKEND or docker')
    .option('--swarm-registry <host:port>', 'with --backend swarm: a registry every node pulls from (default: $BERTH_SWARM_REGISTRY)')
    .addOption(new Option('--cron-time-scale <n>', 'run CronJob schedules n times faster (tests)').hideHelp());
  addValidationOptions(cmd);
  cmd.action(async (flags: DaemonFlags) => {
    ctx.exitCode = await daemon(flags, ctx);
  });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function daemon(flags: DaemonFlags, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  if (flags.hostPathPrefix?.length === 0) delete flags.hostPathPrefix;
  const [{ loadDaemonConfig }, { settleDaemon }] = await Promise.all([import('../../runtime/config.js'), import('./daemon-settings.js')]);
  const configPath = flags.config ? resolve(io.cwd, flags.config) : undefined;
  const file = configPath ? await loadConfig(configPath, loadDaemonConfig, ctx) : {};
  const settled = settleDaemon(flags, file, { cwd: io.cwd, env: io.env, ...(configPath ? { configDir: dirname(configPath) } : {}) });
  return runDaemon(settled, ctx);
}

/** Every problem of an invalid config file on stderr (file:line:column), then the error itself. */
async function loadConfig<T>(path: string, load: (p: string) => Promise<T>, ctx: CliContext): Promise<T> {
  try {
    return await load(path);
  } catch (err) {
    if (err instanceof BerthError && err.code === 'INVALID_CONFIG' && err.data.problems) {
      const { formatProblemsText } = await import('../output/problems.js');
      writeStyled(ctx.io.stderr, formatProblemsText(err.data.problems, { color: false }));
    }
    throw err;
  }
}

async function runDaemon(s: SettledDaemon, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const [{ readFile }, engine, { createDockerClient }, { systemClock }, { createLogger }, { openStore }, { createGitSource, checkGitSshFiles }, daemonMod, api, handlers, metricsMod, { leaseHolder }, { VERSION }, { createControlPlane }, { edgeCertificateOrders }, { createChangeFeed }, { createUiHandlers }] =
    await Promise.all([
      import('node:fs/promises'),
      import('../engine.js'),
      import('../../apply/docker.js'),
      import('../../runtime/clock.js'),
      import('../../runtime/log.js'),
      import('../../runtime/store/index.js'),
      import('../../sources/git.js'),
      import('../../runtime/daemon/daemon.js'),
      import('../../runtime/api/server.js'),
      import('../../runtime/api/handlers.js'),
      import('../../runtime/api/metrics.js'),
      import('../lease-holder.js'),
      import('../version-info.js'),
      import('../../runtime/compose.js'),
      import('../../runtime/edge-challenges.js'),
      import('../../runtime/api/change-feed.js'),
      import('../../runtime/api/ui-handlers.js'),
    ]);
  const readSecret = async (path: string, what: string): Promise<string> => {
    try {
      const text = (await readFile(path, 'utf8')).trim();
      if (!text) throw new BerthError('INVALID_CONFIG', `the ${what} file ${path} is empty`, { path });
      return text;
    } catch (err) {
      if (err instanceof BerthError) throw err;
      throw new BerthError('INPUT_UNREADABLE', `cannot read the ${what} file ${path}`, { path, reason: 'read-failed' }, { cause: err });
    }
  };
  const app = engine.resolveApp({ ...(s.app ? { app: s.app } : {}) }, io.env);
  const stateDir = engine.resolveStateDir({ ...(s.stateDir ? { stateDir: s.stateDir } : {}) }, io.env);
  const token = s.tokenFile ? await readSecret(s.tokenFile, 'API token') : undefined;
  const webhookSecret = s.webhookSecretFile ? Buffer.from(await readSecret(s.webhookSecretFile, 'webhook secret'), 'utf8') : undefined;
  const gitToken = s.gitTokenFile ? await readSecret(s.gitTokenFile, 'Git token') : io.env.BERTH_GIT_TOKEN;
  const gitUser = io.env.BERTH_GIT_USERNAME ?? s.gitUsername;
  const auth = gitToken ? { token: gitToken, ...(gitUser ? { username: gitUser } : {}) } : gitUser && io.env.BERTH_GIT_PASSWORD ? { username: gitUser, password: io.env.BERTH_GIT_PASSWORD } : undefined;

  const ssh = { ...(s.gitSshKeyFile ? { privateKeyFile: s.gitSshKeyFile } : {}), ...(s.gitKnownHostsFile ? { knownHostsFile: s.gitKnownHostsFile } : {}) };
  // Read at every fetch (a rotated key or an added host key needs no restart), and once now:
  // a wrong path or an encrypted key stops the start instead of failing every poll.
  if (s.source.kind === 'git') await checkGitSshFiles(s.source.url, ssh);

  const logRevision = { revision: 'none' };
  const log = createLogger({ level: s.logLevel, destination: io.stdout, base: { pid: process.pid, app }, mixin: () => ({ revision: logRevision.revision }) });
  const clock = systemClock;
  // What the web UI's event stream announces: the daemon's passes, source and containers, and every event recorded.
  const feed = createChangeFeed();
  const store = openStore({ dir: stateDir, clock, isProcessAlive: processAlive, onEvent: () => feed.publish('event', 'event') });
  let target: { noteDockerCall(op: string, mutating: boolean, name?: string): void } | undefined;
  const docker = createDockerClient({ clock, ...(io.env.DOCKER_HOST ? { host: io.env.DOCKER_HOST } : {}), onCall: (op, mutating, name) => target?.noteDockerCall(op, mutating, name) });
  const metrics = metricsMod.createDaemonMetrics();
  const validate = validateOptionsFrom(s.validation);
  const source =
    s.source.kind === 'git'
      ? {
          kind: 'git' as const,
          source: createGitSource({ url: s.source.url, ref: s.source.ref, ...(s.source.path ? { path: s.source.path } : {}), cacheDir: join(stateDir, 'git'), ...(auth ? { auth } : {}), ssh, clock }),
          pollIntervalMs: s.source.pollIntervalMs,
        }
      : { kind: 'folder' as const, dir: s.source.dir, description: `folder ${s.source.dir}`, debounceMs: s.source.debounceMs };
  const plane = createControlPlane({ docker, store, clock, log }, app, { backend: engine.resolveBackend({ ...(s.backend ? { backend: s.backend } : {}), ...(s.swarmRegistry ? { swarmRegistry: s.swarmRegistry } : {}) }, io.env) });
  const d = daemonMod.createDaemon(
    {
      docker,
      store,
      clock,
      log,
      random: Math.random,
      metrics,
      holder: leaseHolder('daemon'),
      plane,
      logRevision,
      onChange: (what, reason) => feed.publish(what, reason),
      // ACME orders answer HTTP-01 through the host's edge; an engine reached over TCP or SSH is
      // another host, whose edge berth cannot ask on loopback before the CA does.
      certificates: edgeCertificateOrders({ docker, store, clock, log }, app, /^(tcp|ssh|https?):/.test(io.env.DOCKER_HOST ?? '')),
    },
    {
      app,
      source,
      ...(s.source.kind === 'git' ? { trackedRef: s.source.ref } : {}),
      validate,
      allowEmpty: s.allowEmpty,
      resyncIntervalMs: s.resyncIntervalMs,
      passTimeoutMs: s.passTimeoutMs,
      passBackoff: PASS_BACKOFF,
      sourceBackoff: SOURCE_BACKOFF,
      ...(s.cronTimeScale !== 1 ? { cronTime: { origin: clock.now(), scale: s.cronTimeScale } } : {}),
      backup: { stateDir, ...s.backup },
    },
  );
  target = d;
  const server = api.createApiServer({
    handlers: handlers.createHandlers({ daemon: d, app, docker, store, clock, random: Math.random, metrics, log, validate, version: VERSION, ...(s.source.kind === 'git' ? { trackedRef: s.source.ref } : {}) }),
    log,
    ...(token ? { token } : {}),
    allowedHosts: s.allowedHosts,
    ...(webhookSecret ? { webhookSecret } : {}),
    // The web UI: its built files are dist/ui of this package (src/cli/commands and dist/cli/commands are both three levels down).
    ui: { handlers: createUiHandlers({ daemon: d, app, docker, store, clock, log, feed }), clock, ...(s.webUi ? { dir: fileURLToPath(new URL('../../../dist/ui/', import.meta.url)) } : {}), exec: s.exec },
  });
  try {
    // The API answers /healthz before the first pass; /readyz turns ready after the first fetch.
    const addr = await server.listen(s.listen.host, s.listen.port);
    log.info({ component: 'api', listen: `${addr.host}:${addr.port}`, auth: token ? 'token' : 'none', hosts: s.allowedHosts, webhooks: webhookSecret !== undefined, webUi: s.webUi, exec: s.exec }, 'api listening');
    await d.start();
  } catch (err) {
    await server.close();
    await d.stop();
    store.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new BerthError('USAGE', `cannot listen on ${s.listen.host}:${s.listen.port}: the address is in use`, { listen: s.listen }, { cause: err });
    throw err;
  }
  // SIGHUP: "resync now", the Unix convention. `berth scale` and `berth rollout undo|restart|
  // pause|resume` on this host record an intent and send it (cli/wake-daemon.ts), so the daemon
  // acts on it at once rather than at its next once-a-second poll of pending intents.
  const onHangup = () => d.sync('api');
  process.on('SIGHUP', onHangup);
  await new Promise<void>((resolveStop) => {
    if (io.interrupted.aborted) return resolveStop();
    io.interrupted.addEventListener('abort', () => resolveStop(), { once: true });
  });
  process.off('SIGHUP', onHangup);
  // SIGTERM: stop taking triggers (API first), let the running pass stop between steps,
  // release the lease, close the store.
  log.info({ component: 'daemon' }, 'stopping');
  await server.close();
  await d.stop();
  // Pods still running out their grace periods go to a finisher, as a command's do (cli/finisher.ts).
  if (plane.terminations.pending().length > 0) await (await import('../finisher.js')).handOffTerminations(plane, { app, stateDir, env: io.env, log });
  store.close();
  return 0;
}
