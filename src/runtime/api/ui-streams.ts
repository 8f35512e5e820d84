import { Writable, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { DockerClient } from '../../apply/docker.js';
import type { Clock } from '../../model/clock.js';
import { escapeControl } from '../../model/excerpt.js';
import { checkDns1123Label, checkDns1123Subdomain } from '../../model/names.js';
import type { ObservedContainer } from '../../plan/observed.js';
import { chooseContainer } from '../container-choice.js';
import { execInContainer, findPod } from '../container-io.js';
import type { Logger } from '../log.js';
import { afterDrain } from '../log-streams.js';
import { podLogs } from '../pod-logs.js';
import { livePods } from '../pod-target.js';
import { podsNamed } from '../views/index.js';
import type { Store } from '../store/index.js';
import type { ExecTicketRequest } from './contract.js';
import { errorResponse, type ApiResponse } from './http.js';
import { missingParam, type LogsQueryParams } from './query.js';
import type { ExecTarget } from './tickets.js';

export interface UiStreamDeps {
  app: string;
  docker: DockerClient;
  store: Store;
  clock: Clock;
  log: Logger;
}

/** One exec session's ends, as the server's WebSocket gives them (./exec-socket.ts). */
export interface ExecSession {
  stdin: Readable;
  stdout: Writable;
  /** The terminal's size as the browser last said. */
  size(): { rows: number; columns: number } | undefined;
  onResize(fn: () => void): () => void;
  /** Aborts when the socket closes: the command's stream is dropped. */
  signal: AbortSignal;
}

export interface UiStreams {
  logs(query: LogsQueryParams): Promise<ApiResponse>;
  /** A ticket request checked against what runs: the target to bind the ticket to, or the refusal. */
  execTarget(body: unknown): Promise<{ target: ExecTarget } | { refusal: ApiResponse }>;
  /** Runs a ticket's command; resolves with its exit code. */
  exec(target: ExecTarget, session: ExecSession): Promise<number>;
}

const MAX_ARGS = 64;
const MAX_ARG_CHARS = 4096;

/** The web UI's logs and exec: the pod, container and streams `berth logs` and `berth exec` use. */
export function createUiStreams(deps: UiStreamDeps): UiStreams {
  /** The pod named in `namespace`, and its container as `logs`/`exec` choose it (-c, the default-container annotation, the first). */
  async function containerOf(namespace: string, pod: string, container: string | undefined, command: 'logs' | 'exec'): Promise<{ pod: Parameters<typeof chooseContainer>[0]; container: ObservedContainer }> {
    // Only this pod's containers are inspected: a terminal or a log is one pod, and a read of
    // every container's details costs an inspect each (hundreds at a few hundred pods).
    const { state, annotationsOf } = await livePods(deps, deps.app, podsNamed(namespace, [pod]));
    const found = findPod(state.host.pods, { kind: 'Pod', name: pod }, namespace).pod;
    return { pod: found, container: chooseContainer(found, container, annotationsOf(found), command).container };
  }

  return {
    async logs(query) {
      const missing = missingParam('/api/v1/logs', query, ['namespace', 'pod']);
      if (missing) return { status: 400, body: { error: missing } };
      let target: Awaited<ReturnType<typeof containerOf>>;
      try {
        target = await containerOf(query.namespace!, query.pod!, query.container, 'logs');
      } catch (err) {
        const refusal = errorResponse(err);
        if (refusal) return refusal;
        throw err;
      }
      return {
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        headers: { 'X-Accel-Buffering': 'no' },
        stream: async (out, closed) => {
          const sink = sanitizingSink(out);
          const options = { follow: query.follow ?? false, previous: query.previous ?? false, timestamps: false, prefix: false, ignoreErrors: false, maxRequests: 1, signal: closed, ...(query.tailLines !== undefined ? { tail: query.tailLines } : {}) };
          try {
            await podLogs(deps.docker, [target], options, sink, sink, () => undefined);
          } catch (err) {
            // The status is sent already: the reader sees why the stream ended as its last line.
            if (!closed.aborted) out.write(`\nerror: ${escapeControl((err as Error)?.message ?? String(err))}\n`);
          }
        },
      };
    },

    async execTarget(body) {
      const request = parseTicketRequest(body);
      if (typeof request === 'string') return { refusal: { status: 400, body: { error: request } } };
      try {
        const { container } = await containerOf(request.namespace, request.pod, request.container, 'exec');
        if (container.state !== 'running') return { refusal: { status: 409, body: { error: `container ${container.name} of pod ${request.pod} is not running (state: ${container.state})` } } };
        return { target: { namespace: request.namespace, pod: request.pod, container: container.name, command: request.command, tty: true } };
      } catch (err) {
        const refusal = errorResponse(err);
        if (refusal) return { refusal };
        throw err;
      }
    },

    async exec(target, session) {
      const { container } = await containerOf(target.namespace, target.pod, target.container, 'exec');
      deps.log.info({ component: 'api', pod: `${target.namespace}/${target.pod}`, container: container.name, command: target.command[0] }, 'web UI exec');
      // A terminal's bytes, raw by nature: the browser's terminal renders them, as `berth exec -t` passes them to the user's.
      return execInContainer(deps, container, { command: target.command, stdin: session.stdin, tty: target.tty, stdout: session.stdout, stderr: session.stdout, size: session.size, onResize: session.onResize, signal: session.signal });
    },
  };
}

/**
 * Container output for a browser: decoded as UTF-8 across chunk boundaries and with terminal
 * controls escaped as the CLI's print boundary escapes them (model/excerpt.ts escapeControl),
 * so an ESC sequence a container prints shows as text, never acts on whatever renders it.
 * Only the print boundary's exceptions pass: newlines and tabs (and CRLF, read as a newline).
 */
export function sanitizingSink(out: Writable): Writable {
  const decoder = new StringDecoder('utf8');
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      // CRLF line ends are line ends (a Windows-built program's), not a control to show.
      const text = escapeControl(decoder.write(chunk).replace(/\r\n/g, '\n'));
      // A reader slower than the container (a stalled tab) holds the stream back rather than
      // this process buffering a followed log without end.
      if (!text || out.destroyed || out.write(text)) return done();
      afterDrain(out, done);
    },
    final(done) {
      const rest = escapeControl(decoder.end());
      if (rest && !out.destroyed) out.write(rest);
      done();
    },
  });
}

/** The body of POST /api/v1/exec/tickets, checked, or why it is not acceptable. */
export function parseTicketRequest(body: unknown): ExecTicketRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object: { namespace, pod, container?, command, tty: true }';
  const b = body as Partial<Record<keyof ExecTicketRequest, unknown>>;
  const extra = Object.keys(b).find((k) => !['namespace', 'pod', 'container', 'command', 'tty'].includes(k));
  if (extra) return `unknown field ${JSON.stringify(extra.slice(0, 40))}; a ticket request takes namespace, pod, container, command, tty`;
  if (typeof b.namespace !== 'string' || checkDns1123Label(b.namespace) !== undefined) return 'namespace must be a namespace name';
  if (typeof b.pod !== 'string' || checkDns1123Subdomain(b.pod) !== undefined) return 'pod must be a pod name';
  if (b.container !== undefined && (typeof b.container !== 'string' || checkDns1123Label(b.container) !== undefined)) return 'container must be a container name';
  if (!Array.isArray(b.command) || b.command.length === 0 || b.command.length > MAX_ARGS || !b.command.every((a) => typeof a === 'string' && a.length <= MAX_ARG_CHARS && !a.includes('\0')))
    return `command must be a list of 1 to ${MAX_ARGS} strings (the program and its arguments, no shell parsing)`;
  if (b.tty !== true) return 'tty must be true: the web terminal always runs the command on a terminal';
  return { namespace: b.namespace, pod: b.pod, ...(typeof b.container === 'string' ? { container: b.container } : {}), command: b.command as string[], tty: true };
}
