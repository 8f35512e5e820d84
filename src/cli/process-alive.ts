/**
 * Whether a pid on this host is running: signal 0 checks without sending anything. Given to the
 * store by cli/ (the lease store asks it about same-host holders), so runtime/ never reads the
 * process table itself.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user; still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
