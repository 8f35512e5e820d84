/**
 * Who owns a set of host rules: `<pid>:<starttime>@<pid namespace>` of the program that wrote
 * them. Start time (clock ticks since boot, /proc/<pid>/stat field 22) tells a live owner from a
 * recycled PID; the namespace keeps a program from judging PIDs it cannot see (the host fast
 * path runs in the host's PID namespace, so every such owner is visible to every other).
 */
import { readFileSync, readlinkSync } from 'node:fs';

export function selfOwner(): string | undefined {
  const start = startTime(process.pid);
  const ns = pidNamespace();
  return start === undefined || ns === undefined ? undefined : `${process.pid}:${start}@${ns}`;
}

/** true/false when the owner can be judged from here; undefined when it cannot. */
export function ownerAlive(owner: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8'), ns = pidNamespace()): boolean | undefined {
  const m = /^(\d+):(\d+)@(.+)$/.exec(owner);
  if (!m || ns === undefined || m[3] !== ns) return undefined;
  let stat: string;
  try {
    stat = read(`/proc/${m[1]}/stat`);
  } catch {
    return false;
  }
  return statStartTime(stat) === m[2];
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
export function statStartTime(stat: string): string | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest[19];
}

function startTime(pid: number): string | undefined {
  try {
    return statStartTime(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid').replace(/[^0-9a-z:[\]]/gi, '');
  } catch {
    return undefined;
  }
}
