import type { Readable, Writable } from 'node:stream';

/**
 * Everything a command may touch of the outside world. main.ts builds it from `process`;
 * tests build it from buffers, so commands never read process.* themselves.
 */
export interface CliIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Resolves when the user interrupts (SIGINT/SIGTERM); long-running commands race against it. */
  interrupted: AbortSignal;
}

export interface CliContext {
  io: CliIO;
  /** Set by a command's action; main returns it as the process exit code. */
  exitCode: number;
}

export function print(stream: Writable, text: string): void {
  stream.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
}

/** NO_COLOR (https://no-color.org) and non-TTY output are plain. */
export function useColor(io: CliIO): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io.stdout.isTTY === true;
}
