import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const BERTH_BIN = fileURLToPath(new URL('../../../bin/berth', import.meta.url));

export interface LogLine {
  /** When this test process received the line (ms). */
  receivedAt: number;
  level?: string;
  msg?: string;
  component?: string;
  revision?: string;
  [key: string]: unknown;
}

export interface DaemonProcess {
  pid: number;
  port: number;
  url: string;
  /** Parsed JSON log lines so far. */
  logs: LogLine[];
  /** Anything on stdout/stderr that was not a JSON log line (errors before logging starts). */
  text(): string;
  /** With the daemon's API token (startDaemon's `token`) unless `init` sets Authorization itself. */
  api(path: string, init?: RequestInit): Promise<{ status: number; body: unknown; text: string }>;
  /** Without any token, as a local user or a web page would ask. */
  anonymous(path: string, init?: RequestInit): Promise<{ status: number; body: unknown; text: string }>;
  /** Exit code (null when killed by a signal) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  alive(): boolean;
}

/** A free TCP port on loopback (a tiny race with other processes, acceptable in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const running = new Set<DaemonProcess>();

/**
 * Starts `bin/berth daemon <args>` as a real process (so kill -9 and SIGTERM are real),
 * listening on a free loopback port, and waits until /healthz answers (or the process exits,
 * which `exited` then reports). Logs are JSON on stdout, parsed as they arrive.
 */
export async function startDaemon(args: string[], options: { env?: Record<string, string>; port?: number; waitHealthy?: boolean; token?: string } = {}): Promise<DaemonProcess> {
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, [BERTH_BIN, 'daemon', ...args, '--listen', `127.0.0.1:${port}`], {
    env: { ...process.env, NO_COLOR: '1', BERTH_LOG_LEVEL: 'debug', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let other = '';
  let buffer = '';
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        logs.push({ ...(JSON.parse(line) as object), receivedAt: Date.now() });
      } catch {
        other += `${line}\n`;
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', (c: Buffer) => (other += c.toString('utf8')));
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => ((alive = false), resolve({ code, signal }))));
  const url = `http://127.0.0.1:${port}`;
  const proc: DaemonProcess = {
    pid: child.pid!,
    port,
    url,
    logs,
    text: () => other,
    api(path, init) {
      const headers = new Headers(init?.headers);
      if (options.token && !headers.has('authorization')) headers.set('authorization', `Bearer ${options.token}`);
      return proc.anonymous(path, { ...init, headers });
    },
    async anonymous(path, init) {
      const res = await fetch(`${url}${path}`, init);
      const text = await res.text();
      let body: unknown = undefined;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, body, text };
    },
    exited,
    kill: (signal) => {
      if (alive) child.kill(signal);
    },
    alive: () => alive,
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  if (options.waitHealthy !== false) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (!alive) break;
      const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`daemon did not answer /healthz within 30 s:\n${other}`);
      await sleep(100);
    }
  }
  return proc;
}

/** Kills every daemon this file started that is still running (afterEach/afterAll). */
export async function killDaemons(): Promise<void> {
  const all = [...running];
  for (const d of all) d.kill('SIGKILL');
  await Promise.all(all.map((d) => d.exited));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes; returns the value. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(everyMs);
  }
}

export interface StatusBody {
  source: { revision: string | null; firstFetchDone: boolean; fetchedAt: string | null };
  sync: {
    state: string;
    appliedRevision: string | null;
    failedRevision: string | null;
    lastError: { message: string; problems: Array<{ file: string; line: number; column: number; message: string; severity: string }> } | null;
    divergences: Array<{ deployment: string; reason: string; revision: number; message: string }>;
  };
  lastPass?: { result: string };
  loop: { running: boolean; pending: string[] };
}

export async function status(d: DaemonProcess): Promise<StatusBody> {
  const r = await d.api('/api/v1/status');
  return r.body as StatusBody;
}

/** Waits until the daemon applied `revision` and the sync state is Synced. */
export function converged(d: DaemonProcess, revision: string, timeoutMs = 90_000): Promise<StatusBody> {
  return eventually(`revision ${revision.slice(0, 8)} synced`, async () => {
    const s = await status(d);
    return s.sync.appliedRevision === revision && s.sync.state === 'Synced' && !s.loop.running && s.loop.pending.length === 0 ? s : undefined;
  }, timeoutMs, 300);
}

/** One event of the daemon's stream: `sentAt` is the daemon's own time (`data.at`), `receivedAt` this process's. */
export interface StreamFrame {
  event: string;
  reason: string;
  sentAt: number;
  receivedAt: number;
}

/** Reads GET /api/v1/stream as the web UI does (fetch with the header), frames parsed as they come. */
export async function openEventStream(d: Pick<DaemonProcess, 'url'>, token: string): Promise<{ status: number; contentType: string | null; frames: StreamFrame[]; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(`${d.url}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  const frames: StreamFrame[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(frame)?.[1];
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (!event || !data) continue;
        const body = JSON.parse(data) as { reason: string; at: string };
        frames.push({ event, reason: body.reason, sentAt: Date.parse(body.at), receivedAt: Date.now() });
      }
    }
  })();
  return { status: res.status, contentType: res.headers.get('content-type'), frames, close: () => abort.abort() };
}
