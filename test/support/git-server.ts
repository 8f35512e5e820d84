/**
 * A real Git smart-HTTP server for tests: a Node http server on 127.0.0.1 that runs
 * `git http-backend` as a CGI program, plus helpers that author repositories with the git CLI.
 *
 * Typical use (every piece cleans up after itself in `close()` / `cleanup()`):
 *
 *   const server = await startGitServer();              // or { auth: { username, password } }
 *   const repo = await makeRepo(server.root, 'app.git', { files: { 'web.yaml': '...' } });
 *   const url = server.url('app.git');                  // http://127.0.0.1:PORT/app.git
 *   await repo.commitFiles({ 'web.yaml': '...v2' });    // commit + push to the bare repo
 *   await repo.forcePush({ 'web.yaml': '...' });        // rewrite history (tip not a descendant)
 *   await server.close();                               // stops server, removes a temp root
 *
 * Repositories live as bare repos under `root` (what http-backend serves); each has a work
 * clone under `root/.work/<name>` used to author commits, pushed over the filesystem, so the
 * server only ever sees fetches unless a test pushes over HTTP itself (receive-pack is enabled).
 * Commit dates are deterministic and strictly increasing, so two commits never share a SHA
 * by accident and tests can assert on `committedAt`.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface GitServerOptions {
  /** Directory holding bare repositories (GIT_PROJECT_ROOT). Default: a new temp dir, removed on close. */
  root?: string;
  /** Require HTTP basic auth with exactly these credentials (401 otherwise). */
  auth?: { username: string; password: string };
  /**
   * Port to listen on; default 0 (any free port). Pass a stopped server's port to bring "the
   * same remote" back after `close()` (with the same `root`), e.g. to test recovery.
   */
  port?: number;
}

export interface GitRequestLog {
  method: string;
  path: string;
  query: string;
  status: number;
  /** Username the request authenticated as, if any. */
  user?: string;
}

export interface GitServer {
  /** `http://127.0.0.1:PORT/<repo>`; never contains credentials. */
  url(repo: string): string;
  readonly root: string;
  readonly port: number;
  /** Every request served, in order (tests assert e.g. "no network for a cached commit"). */
  readonly requests: GitRequestLog[];
  /** Stops listening, drops open connections, kills running backends; removes a temp root. */
  close(): Promise<void>;
}

/** Environment that isolates the git CLI from the machine's user/system config. */
export function isolatedGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
    ...extra,
  };
}

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const ownsRoot = options.root === undefined;
  const root = options.root ?? (await mkdtemp(join(tmpdir(), 'berth-git-srv-')));
  await mkdir(root, { recursive: true });
  const requests: GitRequestLog[] = [];
  const sockets = new Set<Socket>();
  const children = new Set<ReturnType<typeof spawn>>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const log: GitRequestLog = { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), status: 0 };
    requests.push(log);
    res.on('finish', () => {
      log.status = res.statusCode;
    });

    let user: string | undefined;
    if (options.auth) {
      user = checkBasicAuth(req.headers.authorization, options.auth);
      if (user === undefined) {
        req.resume();
        res.writeHead(401, { 'www-authenticate': 'Basic realm="berth-test"', 'content-type': 'text/plain' });
        res.end('authentication required\n');
        return;
      }
      log.user = user;
    }
    runBackend(req, res, url, user);
  }

  function runBackend(req: IncomingMessage, res: ServerResponse, url: URL, user: string | undefined): void {
    // Over HTTP (stateless RPC) upload-pack serves any commit reachable from a ref by SHA, as
    // GitHub, GitLab and Gitea do; receive-pack is enabled so tests may also push over HTTP.
    const config: Array<[string, string]> = [
      ['http.receivepack', 'true'],
      ['uploadpack.allowFilter', 'true'],
    ];
    const env: NodeJS.ProcessEnv = isolatedGitEnv({
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      GIT_CONFIG_COUNT: String(config.length),
      ...Object.fromEntries(config.flatMap(([k, v], i) => [[`GIT_CONFIG_KEY_${i}`, k], [`GIT_CONFIG_VALUE_${i}`, v]])),
    });
    if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding'] !== undefined) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;
    if (user !== undefined) env.REMOTE_USER = user;

    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => {}); // backend may exit before reading the whole body
    req.pipe(child.stdin);
    child.on('error', (err) => {
      children.delete(child);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`git http-backend failed to start: ${err.message}\n`);
    });
    child.on('close', (code) => {
      children.delete(child);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`git http-backend exited ${code} without a response: ${stderr}\n`);
      } else if (!res.writableEnded) {
        res.end();
      }
    });
    pipeCgiResponse(child.stdout, res);
    res.on('close', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let closed = false;
  return {
    url: (repo) => `http://127.0.0.1:${port}/${repo.replace(/^\/+/, '')}`,
    root,
    port,
    requests,
    async close() {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      for (const c of children) c.kill('SIGKILL');
      await done;
      if (ownsRoot) await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

function checkBasicAuth(header: string | undefined, want: { username: string; password: string }): string | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  const username = decoded.slice(0, i);
  const password = decoded.slice(i + 1);
  return username === want.username && password === want.password ? username : undefined;
}

/**
 * CGI response: header lines (`Status: 404 Not Found`, `Content-Type: ...`) up to a blank
 * line, then the body. Lines may end in CRLF or LF.
 */
function pipeCgiResponse(stdout: NodeJS.ReadableStream, res: ServerResponse): void {
  let head = Buffer.alloc(0);
  let inBody = false;
  stdout.on('data', (chunk: Buffer) => {
    if (inBody) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = findHeaderEnd(head);
    if (!end) return;
    inBody = true;
    let status = 200;
    let statusText: string | undefined;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end.at).toString('latin1').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i <= 0) continue;
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') {
        status = Number.parseInt(value, 10) || 500;
        statusText = value.replace(/^\d+\s*/, '') || undefined;
      } else {
        headers[name] = value;
      }
    }
    if (statusText) res.writeHead(status, statusText, headers);
    else res.writeHead(status, headers);
    const rest = head.subarray(end.at + end.length);
    if (rest.length > 0) res.write(rest);
  });
}

function findHeaderEnd(buf: Buffer): { at: number; length: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Authoring repositories with the git CLI

/** Runs git with an isolated config; rejects with stderr in the message on failure. */
export function gitCli(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', [...args], { cwd, env: isolatedGitEnv(env), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} (in ${cwd}) failed: ${stderr || err.message}`));
      else resolve(stdout.trim());
    });
  });
}

/** File contents by path; `null` deletes the file. */
export type FileChanges = Record<string, string | Buffer | null>;

export interface CommitOptions {
  message?: string;
  /** Branch to commit on; created from the current branch's tip when new. Default: the repo's default branch. */
  branch?: string;
}

export interface TestRepo {
  /** Name under the server root, e.g. `app.git` (pass to `server.url(name)`). */
  readonly name: string;
  /** The bare repository the server serves; also usable as a local repo path. */
  readonly bareDir: string;
  /** The work clone used to author commits. */
  readonly workDir: string;
  readonly defaultBranch: string;
  /** Runs git in the work clone (commits get the next deterministic date: 2026-01-01Z + n minutes). */
  git(...args: string[]): Promise<string>;
  /** Writes/deletes files, commits them and pushes to the bare repo; returns the commit SHA. */
  commitFiles(files: FileChanges, options?: CommitOptions): Promise<string>;
  /**
   * Rewrites history: a new commit whose parent is the *parent* of the branch tip (or a root
   * commit when the tip has none), with the tip's tree changed by `files`, force-pushed. The new
   * tip does not descend from the old one, as after `git commit --amend && git push --force`.
   */
  forcePush(files: FileChanges, options?: CommitOptions): Promise<string>;
  /** Creates a tag (annotated when `message` is given) at `ref` (default: the default branch) and pushes it. */
  tag(name: string, options?: { ref?: string; message?: string }): Promise<string>;
  /** SHA a ref points to in the bare repo. */
  revParse(ref: string): Promise<string>;
}

export interface MakeRepoOptions {
  /** Default branch name (also HEAD of the bare repo). Default `main`. */
  branch?: string;
  /** Files of an initial commit; without them the repository starts empty. */
  files?: FileChanges;
  message?: string;
}

/**
 * Creates `<root>/<name>` as a bare repository and a work clone under `<root>/.work/<name>`.
 * Remove `root` to clean up both (startGitServer does this for a temp root it created).
 */
export async function makeRepo(root: string, name: string, options: MakeRepoOptions = {}): Promise<TestRepo> {
  const branch = options.branch ?? 'main';
  const bareDir = join(root, name);
  const workDir = join(root, '.work', name);
  await mkdir(dirname(bareDir), { recursive: true });
  await gitCli(root, ['init', '--quiet', '--bare', `--initial-branch=${branch}`, bareDir]);
  await mkdir(workDir, { recursive: true });
  await gitCli(workDir, ['init', '--quiet', `--initial-branch=${branch}`]);
  await gitCli(workDir, ['remote', 'add', 'origin', bareDir]);

  // Deterministic, strictly increasing commit dates (one minute per commit from 2026-01-01Z):
  // distinct SHAs for identical trees, and stable `committedAt` values to assert on.
  const identity = {
    GIT_AUTHOR_NAME: 'Berth Test',
    GIT_AUTHOR_EMAIL: 'test@berth.invalid',
    GIT_COMMITTER_NAME: 'Berth Test',
    GIT_COMMITTER_EMAIL: 'test@berth.invalid',
  };
  let commits = 0;
  const git = (...args: string[]) => {
    const env: Record<string, string> = { ...identity };
    if (args[0] === 'commit' || (args[0] === 'tag' && args.includes('-a'))) {
      const date = `${Date.UTC(2026, 0, 1) / 1000 + 60 * ++commits} +0000`;
      env.GIT_AUTHOR_DATE = date;
      env.GIT_COMMITTER_DATE = date;
    }
    return gitCli(workDir, args, env);
  };

  async function checkout(target: string): Promise<void> {
    const current = await git('symbolic-ref', '--short', 'HEAD');
    if (current === target) return;
    const exists = await git('rev-parse', '--verify', '--quiet', `refs/heads/${target}`).then(
      () => true,
      () => false,
    );
    await git('checkout', '--quiet', ...(exists ? [target] : ['-b', target]));
  }

  async function writeChanges(files: FileChanges): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(workDir, path);
      if (content === null) {
        await rm(full, { force: true, recursive: true });
      } else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
      }
    }
    await git('add', '--all');
  }

  const repo: TestRepo = {
    name,
    bareDir,
    workDir,
    defaultBranch: branch,
    git,
    async commitFiles(files, opts = {}) {
      const target = opts.branch ?? branch;
      await checkout(target);
      await writeChanges(files);
      await git('commit', '--quiet', '--allow-empty', '-m', opts.message ?? `change ${Object.keys(files).join(', ')}`);
      await git('push', '--quiet', 'origin', `HEAD:refs/heads/${target}`);
      return git('rev-parse', 'HEAD');
    },
    async forcePush(files, opts = {}) {
      const target = opts.branch ?? branch;
      await checkout(target);
      const hasParent = await git('rev-parse', '--verify', '--quiet', 'HEAD~1').then(
        () => true,
        () => false,
      );
      // Keep the tip's tree, move the branch to the tip's parent, commit anew: same content
      // plus `files`, but a history the old tip is not part of.
      if (hasParent) await git('reset', '--quiet', '--soft', 'HEAD~1');
      else await git('update-ref', '-d', 'HEAD');
      await writeChanges(files);
      await git('commit', '--quiet', '--allow-empty', '-m', opts.message ?? `rewrite ${Object.keys(files).join(', ')}`);
      await git('push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${target}`);
      return git('rev-parse', 'HEAD');
    },
    async tag(tagName, opts = {}) {
      const ref = opts.ref ?? branch;
      if (opts.message !== undefined) await git('tag', '-a', '-m', opts.message, tagName, ref);
      else await git('tag', tagName, ref);
      await git('push', '--quiet', 'origin', `refs/tags/${tagName}`);
      return gitCli(bareDir, ['rev-parse', `refs/tags/${tagName}^{commit}`]);
    },
    revParse: (ref) => gitCli(bareDir, ['rev-parse', '--verify', ref]),
  };

  if (options.files) await repo.commitFiles(options.files, { message: options.message ?? 'initial' });
  return repo;
}

/** A temp dir removed by the returned cleanup (for caches, work trees, ...). */
export async function makeTempDir(prefix = 'berth-test-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  // Retries: a git process or fetch of a test that timed out may still be writing into it.
  return { path, cleanup: () => rm(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }) };
}
