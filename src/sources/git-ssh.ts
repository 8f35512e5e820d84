import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import ssh2, { type ClientChannel, type ServerHostKeyAlgorithm } from 'ssh2';
import { BerthError } from '../model/errors.js';
import { withoutPeeledRefs } from './git-advertisement.js';
import type { UnreachableReason } from '../model/errors.js';
import { fingerprint, hostEntryName, hostKeyAlgorithms, parseKnownHosts, verifyHostKey, type KnownHostLine } from './known-hosts.js';
import { redactUrl } from './git-url.js';

/**
 * Git over SSH for isomorphic-git, which only speaks smart HTTP. The two requests of an HTTP
 * fetch map onto ONE SSH session running `git-upload-pack '<path>'` (protocol v1, stateful,
 * which every forge accepts): the GET of `…/info/refs?service=git-upload-pack` starts the
 * command and returns its ref advertisement framed as smart HTTP frames it; the POST of
 * `…/git-upload-pack` writes the request to the same command's stdin and streams its stdout
 * back. isomorphic-git's request (wants, deepen, flush, haves, done, with no flush between
 * haves and done) draws the same bytes from a stateful upload-pack as from a stateless one.
 *
 * Host keys come only from the known_hosts file and are never trusted on first use.
 */
export interface GitSshOptions {
  /** Private key file (OpenSSH or PEM, unencrypted). Read at every fetch, so a rotated key needs no restart. */
  privateKeyFile?: string;
  /** OpenSSH known_hosts file: the only source of trusted host keys. Read at every fetch. */
  knownHostsFile?: string;
}

/** Where the session goes: parseGitLocation's `ssh` location. */
export interface SshTarget {
  host: string;
  port: number;
  user: string;
  path: string;
  /** The URL as shown (user kept: it is no secret). */
  url: string;
}

export interface SshCredentials {
  privateKey: Buffer;
  knownHosts: KnownHostLine[];
  knownHostsFile: string | undefined;
}

/**
 * Reads and checks the key and known_hosts files: INPUT_UNREADABLE when a file cannot be
 * read, SOURCE_ERROR (`ssh-key-encrypted`, `ssh-key-invalid`, `known-hosts-invalid`) when its content cannot be used.
 */
export async function loadSshCredentials(options: GitSshOptions & { privateKeyFile: string }): Promise<SshCredentials> {
  const keyFile = options.privateKeyFile;
  const privateKey = await readSshFile(keyFile, 'SSH key');
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) {
    if (/passphrase|encrypted/i.test(parsed.message)) {
      throw new BerthError(
        'SOURCE_ERROR',
        `the SSH key ${keyFile} is encrypted with a passphrase, which berth cannot enter: use a deploy key without one (ssh-keygen -t ed25519 -N '' -f FILE), or remove it from a copy (ssh-keygen -p -N '' -f COPY) readable only by berth`,
        { path: keyFile, reason: 'ssh-key-encrypted' },
      );
    }
    throw new BerthError('SOURCE_ERROR', `the SSH key ${keyFile} is not a private key berth can read (${parsed.message}); use an OpenSSH or PEM private key`, { path: keyFile, reason: 'ssh-key-invalid' }, { cause: parsed });
  }
  if (!parsed.isPrivateKey()) {
    throw new BerthError('SOURCE_ERROR', `the SSH key ${keyFile} holds a public key; pass the private key file (without .pub)`, { path: keyFile, reason: 'ssh-key-invalid' });
  }
  let knownHosts: KnownHostLine[] = [];
  if (options.knownHostsFile !== undefined) {
    const { lines, problems } = parseKnownHosts((await readSshFile(options.knownHostsFile, 'known_hosts')).toString('utf8'));
    if (problems.length) {
      const first = problems[0]!;
      throw new BerthError('SOURCE_ERROR', `${options.knownHostsFile}:${first.line}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
        path: options.knownHostsFile,
        reason: 'known-hosts-invalid',
        problems,
      });
    }
    knownHosts = lines;
  }
  return { privateKey, knownHosts, knownHostsFile: options.knownHostsFile };
}

async function readSshFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new BerthError('INPUT_UNREADABLE', `cannot read the ${what} file ${path}`, { path, reason: (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found' : 'read-failed' }, { cause });
  }
}

export interface GitSession {
  http: HttpClient;
  /** Ends the SSH connection; safe to call more than once, and after failures. */
  close(): void;
}

/** One fetch's SSH session, opened by the first request. Aborting `signal` tears it down. */
export function openSshSession(target: SshTarget, credentials: SshCredentials, signal: AbortSignal): GitSession {
  const session = new UploadPackSession(target, credentials, signal);
  return {
    http: {
      request: async (req: GitHttpRequest): Promise<GitHttpResponse> => {
        const method = (req.method ?? 'GET').toUpperCase();
        const head = { url: req.url, method, statusCode: 200, statusMessage: 'OK' };
        if (method === 'GET' && req.url.endsWith('/info/refs?service=git-upload-pack')) {
          const body = await session.advertise();
          return { ...head, headers: { 'content-type': 'application/x-git-upload-pack-advertisement' }, body: once(body) };
        }
        if (method === 'POST' && req.url.endsWith('/git-upload-pack')) {
          const body = await session.request(req.body);
          return { ...head, headers: { 'content-type': 'application/x-git-upload-pack-result' }, body };
        }
        throw new BerthError('SOURCE_ERROR', `Git over SSH fetches only (${method} ${req.url})`, { url: target.url, reason: 'unsupported-protocol' });
      },
    },
    close: () => session.close(),
  };
}

type Channel = ClientChannel;

class UploadPackSession {
  private readonly client = new ssh2.Client();
  private channel: Channel | undefined;
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private exitCode: number | undefined;
  private stderr = '';
  private failure: unknown;
  private wake: () => void = () => undefined;
  private closed = false;
  private socket: Socket | undefined;

  constructor(
    private readonly target: SshTarget,
    private readonly credentials: SshCredentials,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.fail(signal.reason), { once: true });
  }

  /** Connects, starts upload-pack, reads the advertisement to its flush-pkt; framed as smart HTTP frames it. */
  async advertise(): Promise<Uint8Array> {
    this.signal.throwIfAborted();
    if (this.channel) throw new Error('the advertisement of an SSH session is read once');
    this.channel = await this.start();
    for (;;) {
      const end = flushEnd(Buffer.concat(this.chunks));
      if (end === 'malformed') throw this.refusal('the server does not speak the Git protocol');
      if (end !== undefined) {
        const all = Buffer.concat(this.chunks.splice(0));
        if (end < all.length) this.chunks.push(all.subarray(end));
        return Buffer.concat([Buffer.from('001e# service=git-upload-pack\n0000'), withoutPeeledRefs(all.subarray(0, end))]);
      }
      if (this.ended) throw this.refusal('upload-pack ended before its ref advertisement');
      await this.next();
    }
  }

  /** Sends the negotiation and streams the response (pack included) until upload-pack exits. */
  async request(body: GitHttpRequest['body']): Promise<AsyncIterableIterator<Uint8Array>> {
    const channel = this.channel;
    if (!channel) throw new Error('the advertisement must be read first');
    for await (const chunk of body ?? []) {
      this.check();
      // A failure (abort, timeout, a dropped connection) wakes this wait too: no drain comes then.
      if (!channel.write(chunk)) await new Promise<void>((resolve) => (channel.once('drain', resolve), (this.wake = resolve)));
    }
    return this.stream();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel?.destroy();
    // A polite goodbye (SSH disconnect, FIN), then the socket goes whatever the server does:
    // ssh2's end() half-closes and waits for the server, which a hung server never answers.
    this.client.end();
    setImmediate(() => this.socket?.destroy());
  }

  private async *stream(): AsyncIterableIterator<Uint8Array> {
    for (;;) {
      this.check();
      const chunk = this.chunks.shift();
      if (chunk) yield chunk;
      else if (this.ended) {
        if (this.exitCode !== undefined && this.exitCode !== 0) throw this.refusal(`upload-pack exited with ${this.exitCode}`);
        return;
      } else await this.next();
    }
  }

  private start(): Promise<Channel> {
    const { host, port, user, path } = this.target;
    const algorithms = hostKeyAlgorithms(this.credentials.knownHosts, host, port);
    return new Promise<Channel>((resolve, reject) => {
      let hostKeyError: BerthError | undefined;
      const settle = (err: unknown) => {
        this.fail(err);
        reject(err);
      };
      this.signal.addEventListener('abort', () => reject(this.signal.reason), { once: true });
      this.client.on('error', (err: Error & { level?: string }) => settle(hostKeyError ?? sshError(err, this.target)));
      // After upload-pack has ended, the connection closing loses nothing.
      this.client.on('close', () => {
        if (!this.ended) settle(hostKeyError ?? unreachable('network', this.target, 'the SSH connection closed'));
      });
      this.client.on('ready', () => {
        this.client.exec(`git-upload-pack ${shellQuote(path)}`, (err, channel) => {
          if (err) return settle(unreachable('network', this.target, `cannot start git-upload-pack: ${err.message}`, err));
          channel.on('data', (d: Buffer) => this.push(d));
          channel.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString('utf8')).slice(-4096)));
          channel.on('exit', (code: number | null) => (this.exitCode = code ?? undefined));
          channel.on('close', () => this.finish());
          resolve(channel);
        });
      });
      // Our own socket, so that close() can always destroy it.
      this.socket = connect({ host, port });
      this.client.connect({
        sock: this.socket,
        username: user,
        privateKey: this.credentials.privateKey,
        ...(algorithms ? { algorithms: { serverHostKey: algorithms as ServerHostKeyAlgorithm[] } } : {}),
        keepaliveInterval: 15_000,
        hostVerifier: (key: Buffer) => {
          const verdict = verifyHostKey(this.credentials.knownHosts, host, port, key);
          if (!verdict.ok) hostKeyError = hostKeyRefusal(verdict.reason, verdict.knownTypes, key, this.target, this.credentials.knownHostsFile);
          return verdict.ok;
        },
      });
    });
  }

  private push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.wake();
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.wake();
    this.close();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private next(): Promise<void> {
    this.check();
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  /** upload-pack refused or failed: its stderr (or an ERR packet) says why. */
  private refusal(fallback: string): BerthError {
    const err = /^[0-9a-f]{4}ERR (.*)$/m.exec(Buffer.concat(this.chunks).toString('utf8'))?.[1];
    const said = (err ?? this.stderr).trim().split('\n').filter(Boolean).slice(-3).join('; ');
    const reason: UnreachableReason = /not found|does not (exist|appear)|no such/i.test(said) ? 'not-found' : /denied|permission|not authori[sz]ed|forbidden/i.test(said) ? 'auth' : 'not-git';
    return unreachable(reason, this.target, said ? `the server said: ${said}` : fallback);
  }
}

/** Offset just past the advertisement's flush-pkt; undefined until it arrived. */
function flushEnd(buf: Buffer): number | 'malformed' | undefined {
  let at = 0;
  while (at + 4 <= buf.length) {
    const len = Number.parseInt(buf.toString('latin1', at, at + 4), 16);
    if (!/^[0-9a-f]{4}$/i.test(buf.toString('latin1', at, at + 4)) || (len > 0 && len < 4)) return 'malformed';
    if (len === 0) return at + 4;
    at += len;
  }
  return undefined;
}

/** POSIX single quotes, as git quotes the path it sends (`'it'\''s'`). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function* once(body: Uint8Array): AsyncIterableIterator<Uint8Array> {
  yield body;
}

function unreachable(reason: UnreachableReason, target: SshTarget, why: string, cause?: unknown): BerthError {
  const url = redactUrl(target.url);
  // attempt: 0 until RemoteFetcher counts it (its classify step sets url and attempt).
  return new BerthError('SOURCE_UNREACHABLE', `cannot fetch ${url}: ${why}`, { url, reason, attempt: 0 }, cause === undefined ? undefined : { cause });
}

/** ssh2's failures by their `level` (and socket codes): who is at fault decides the reason. */
function sshError(err: Error & { level?: string; code?: unknown }, target: SshTarget): BerthError {
  if (err.level === 'client-authentication') {
    return unreachable('auth', target, `the server refused the SSH key for ${target.user}@${target.host} (${err.message}); add its public key to the account or deploy keys`, err);
  }
  if (err.level === 'client-timeout') return unreachable('timeout', target, `no SSH handshake (${err.message})`, err);
  return unreachable('network', target, `SSH connection failed: ${err.message}`, err);
}

function hostKeyRefusal(verdict: 'unknown' | 'mismatch' | 'revoked', knownTypes: readonly string[], key: Buffer, target: SshTarget, file: string | undefined): BerthError {
  const print = fingerprint(key);
  const keyType = key.toString('latin1', 4, 4 + key.readUInt32BE(0));
  const name = hostEntryName(target.host, target.port);
  const scan = `ssh-keyscan${target.port === 22 ? '' : ` -p ${target.port}`} ${target.host}`;
  const add = `check the fingerprint with the host's owner (${scan} | ssh-keygen -lf -), then add it: ${scan} >> ${file ?? 'FILE'}`;
  const why =
    verdict === 'revoked'
      ? `the host key of ${name} (${keyType} ${print}) is marked @revoked in ${file}`
      : verdict === 'mismatch'
        ? `the host key of ${name} (${keyType} ${print}) is not the one ${file} lists for it (${knownTypes.join(', ')}): the host may be impersonated, or its key was changed. If the change is expected, remove the old line and ${add}`
        : file === undefined
          ? `the host key of ${name} (${keyType} ${print}) cannot be checked without --git-known-hosts-file FILE (config: gitKnownHostsFile), and berth never trusts a host key on first use: ${add}`
          : `the host ${name} is not in ${file} (it offered ${keyType} ${print}); berth never trusts a host key on first use: ${add}`;
  const reason = verdict === 'revoked' ? 'host-key-revoked' : verdict === 'mismatch' ? 'host-key-mismatch' : 'host-key-unknown';
  return new BerthError('SOURCE_UNREACHABLE', `cannot fetch ${redactUrl(target.url)}: ${why}`, { url: redactUrl(target.url), reason, attempt: 0, hostKey: print, ...(file ? { knownHostsFile: file } : {}) });
}
