import { readFileSync } from 'node:fs';

/**
 * Whether a pid on this host is running: signal 0 checks without sending anything. Given to the
 * store by cli/ (the lease store asks it about same-host holders), so runtime/ never reads the
 * process table itself.
 *
 * Signal 0 also succeeds for a zombie: a daemon killed with -9 whose parent (a shell, a
 * supervisor) has not reaped it yet. Such a process will never renew its lease, so its state
 * in /proc decides (issue 13: a restart within half a second of a kill -9 got LEASE_HELD naming
 * the dead pid).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user; still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    // No procfs (or the process left between the two calls): signal 0's answer stands,
    // unless the entry is gone because the process is.
    return processExists(pid);
  }
  return !isDeadState(procState(stat));
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The state letter of a /proc/PID/stat line. The command name is in parentheses and may itself
 * contain spaces and parentheses, so the state is the field after the LAST ')'.
 */
export function procState(stat: string): string | undefined {
  const end = stat.lastIndexOf(')');
  if (end < 0) return undefined;
  return /^\s+(\S)/.exec(stat.slice(end + 1))?.[1];
}

/** Z (zombie) and X (dead): the process has exited and only its table entry is left. */
export function isDeadState(state: string | undefined): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}
