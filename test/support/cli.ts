import { PassThrough, Readable } from 'node:stream';
import type { CliIO } from '../../src/cli/context.js';
import { run } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one berth CLI invocation in-process with captured output, exactly as bin/berth would
 * (same argv parsing, same exit codes), so e2e tests exercise the real command paths quickly.
 */
export async function runCli(argv: string[], options: { env?: Record<string, string | undefined>; stdin?: string; cwd?: string; signal?: AbortSignal } = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const io: CliIO = {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin !== undefined ? [Buffer.from(options.stdin)] : []),
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    interrupted: options.signal ?? new AbortController().signal,
  };
  const code = await run(argv, io);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
