import type { Readable, Writable } from 'node:stream';
import { escapeControl } from '../model/excerpt.js';

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

/**
 * The CLI's print boundary (SPEC §8: terminal control bytes from input are never printed raw).
 * Everything berth prints for people goes through print() or write(), which escape what a
 * terminal would act on (model/excerpt.ts escapeControl): names, messages, table cells and
 * describe values come from manifests, file names and Docker, and an ESC or an 8-bit CSI in
 * them would move the cursor, retitle the window or rewrite the screen. JSON stays valid (the
 * escape is JSON's own) and text without controls passes unchanged.
 *
 * Not through here, on purpose: the container output of `berth logs` and `berth exec`, which
 * are the container's own bytes passed through as kubectl passes them.
 */
export function print(stream: Writable, text: string): void {
  write(stream, text.endsWith('\n') || text === '' ? text : `${text}\n`);
}

export function write(stream: Writable, text: string): void {
  stream.write(escapeControl(text));
}

/**
 * Text rendered with berth's own ANSI styling, whose renderer escaped every piece of data it
 * put in (formatProblemsText, the diff's renderText, apply's progress line): written as is so
 * the colours work. Nothing else may use this.
 */
export function writeStyled(stream: Writable, text: string): void {
  stream.write(text);
}

/** NO_COLOR (https://no-color.org) and non-TTY output are plain. */
export function useColor(io: CliIO): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io.stdout.isTTY === true;
}
