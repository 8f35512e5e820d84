import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { errorMessage } from './attempt.js';
import type { ProbeOutcome } from './types.js';

/** kubelet keeps at most 10 KiB of exec probe output. */
const MAX_OUTPUT_BYTES = 10 * 1024;
/** The output shown in a probe message (the rest is dropped). */
const MAX_OUTPUT_IN_MESSAGE = 512;
/**
 * Docker may close the attach stream a moment before it records the exit code; inspect again a
 * few times (each is a round trip to the engine) before giving up.
 */
const EXIT_CODE_INSPECTS = 20;

/**
 * kubelet's exec prober over the Docker exec API: create an exec (no TTY, no stdin), start it
 * with a hijacked stream, collect stdout+stderr (demultiplexed, capped), then read ExitCode.
 * Exit code 0 passes. Aborting `signal` closes the stream; Docker has no API to kill an exec,
 * so a command that hangs keeps running in the container (see docs/probes.md).
 */
export async function dockerExecProbe(
  docker: Dockerode,
  containerId: string,
  command: string[],
  signal: AbortSignal,
): Promise<ProbeOutcome> {
  const what = `exec ${JSON.stringify(command)}`;
  try {
    const exec = await docker.getContainer(containerId).exec({
      Cmd: command,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      abortSignal: signal,
    });
    const stream = await exec.start({ hijack: true, stdin: false, abortSignal: signal });
    const output = await collect(stream, signal);
    if (signal.aborted) return { ok: false, message: `${what}: cancelled (timeout)` };
    const code = await exitCode(exec, signal);
    const shown = summarize(output);
    if (code === 0) return { ok: true, message: shown ? `exit code 0: ${shown}` : 'exit code 0' };
    if (code === undefined) return { ok: false, message: `${what}: Docker reported no exit code` };
    return { ok: false, message: shown ? `${what} exited with code ${code}: ${shown}` : `${what} exited with code ${code}` };
  } catch (err) {
    if (signal.aborted) return { ok: false, message: `${what}: cancelled (timeout)` };
    return { ok: false, message: `${what}: ${errorMessage(err)}` };
  }
}

/** Reads Docker's multiplexed stream (8-byte frame headers) until it ends or the signal aborts. */
function collect(stream: Duplex, signal: AbortSignal): Promise<Buffer> {
  return new Promise<Buffer>((resolve) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let pending: Buffer = Buffer.alloc(0);
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', settle);
      stream.destroy();
      resolve(Buffer.concat(kept));
    };
    stream.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const payload = pending.subarray(8, 8 + size);
        pending = pending.subarray(8 + size);
        if (keptBytes < MAX_OUTPUT_BYTES) {
          const part = payload.subarray(0, MAX_OUTPUT_BYTES - keptBytes);
          kept.push(Buffer.from(part));
          keptBytes += part.length;
        }
      }
    });
    stream.on('end', settle);
    stream.on('close', settle);
    stream.on('error', settle);
    if (signal.aborted) return settle();
    signal.addEventListener('abort', settle, { once: true });
  });
}

async function exitCode(exec: Dockerode.Exec, signal: AbortSignal): Promise<number | undefined> {
  for (let i = 0; i < EXIT_CODE_INSPECTS && !signal.aborted; i++) {
    const info = await exec.inspect({ abortSignal: signal });
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
  }
  return undefined;
}

function summarize(output: Buffer): string {
  const text = output.toString('utf8').trim();
  return text.length <= MAX_OUTPUT_IN_MESSAGE ? text : `${text.slice(0, MAX_OUTPUT_IN_MESSAGE)}…`;
}
