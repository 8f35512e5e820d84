import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isDeadState, processAlive, procState } from '../../src/cli/process-alive.js';

describe('procState: the state letter of /proc/PID/stat', () => {
  it.each([
    { stat: '1234 (node) S 1 1234 1234 0 -1', state: 'S' },
    { stat: '1234 (berth daemon) R 1 1234', state: 'R' },
    { stat: '1234 (odd) name)) Z 1 1234', state: 'Z' },
    { stat: '1234 (x) X 0', state: 'X' },
    { stat: 'garbage', state: undefined },
  ])('$stat → $state', ({ stat, state }) => {
    expect(procState(stat)).toBe(state);
  });
  it.each([
    { state: 'Z', dead: true },
    { state: 'X', dead: true },
    { state: 'S', dead: false },
    { state: 'R', dead: false },
    { state: 'D', dead: false },
    { state: 'T', dead: false },
    { state: undefined, dead: false },
  ])('$state dead: $dead', ({ state, dead }) => {
    expect(isDeadState(state)).toBe(dead);
  });
});

describe('processAlive', () => {
  const children: Array<ReturnType<typeof spawn>> = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it('a running process is alive; a pid nobody has is not', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
  });

  it('a zombie (exited, not yet reaped by its parent) is not alive, though signal 0 reaches it', async () => {
    // `sleep 0` exits at once; its parent has exec'd into `sleep 30`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(parent);
    const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
    // Wait (without a time limit of our own) until the kernel shows it as a zombie.
    while (procState(readFileSync(`/proc/${pid}/stat`, 'latin1')) !== 'Z') await new Promise((r) => setTimeout(r, 10));
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(processAlive(pid)).toBe(false);
  });
});
