import { spawn } from 'node:child_process';
import type { FileHandle } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { BerthError } from '../../model/errors.js';

/**
 * The few mount operations berth makes on the host, through util-linux's mount(8) (Node has no
 * mount(2)). A bind source is always an fd that safe-path.ts opened, handed to the child as its
 * fd 3 and named `/proc/self/fd/3`: the kernel binds that exact inode, and nothing on the way
 * resolves a path an attacker could have changed since (`--no-canonicalize` keeps mount(8) from
 * resolving the names itself).
 */
export interface MountTool {
  bindFd(source: FileHandle, target: string): Promise<void>;
  tmpfs(target: string, options: string): Promise<void>;
  /** Unmounts `target`; one that is not mounted is fine (cleanup is idempotent). */
  unmount(target: string): Promise<void>;
  /** Every mount point in this mount namespace. */
  mountpoints(): Promise<Set<string>>;
}

export const utilLinuxMount: MountTool = {
  bindFd: (source, target) => run('mount', ['--no-canonicalize', '--bind', '/proc/self/fd/3', target], source.fd),
  tmpfs: (target, options) => run('mount', ['--no-canonicalize', '-t', 'tmpfs', '-o', options, 'berth-subpaths', target]),
  async unmount(target) {
    const mounted = await this.mountpoints();
    if (!mounted.has(target)) return;
    await run('umount', ['--no-canonicalize', target]).catch(async (err: unknown) => {
      // Busy on the host side only when something of berth's still looks into it; the
      // containers hold their own copies. Detach it rather than leave it behind.
      if (!/busy/i.test((err as Error).message)) throw err;
      await run('umount', ['--no-canonicalize', '--lazy', target]);
    });
  },
  async mountpoints() {
    return new Set((await readFile('/proc/self/mountinfo', 'utf8')).split('\n').flatMap((line) => (line ? [unescapeMountinfo(line.split(' ')[4] ?? '')] : [])));
  },
};

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
export function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function run(cmd: string, args: string[], fd3?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe', ...(fd3 === undefined ? [] : [fd3])] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString('utf8');
    });
    child.on('error', (err) =>
      reject(new BerthError('VOLUME_ERROR', `cannot run ${cmd}: ${err.message}`, { reason: 'mount-failed', hint: 'berth needs util-linux mount(8) on the Docker host (docs/security.md)' }, { cause: err })),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new BerthError('VOLUME_ERROR', `${cmd} ${args.filter((a) => a !== '--no-canonicalize').join(' ')} failed (exit ${code}): ${stderr.trim()}`, {
            reason: 'mount-failed',
            hint: 'subPath and hostPath mounts need berth running as root in the Docker host\'s mount namespace (docs/security.md)',
          }),
        );
    });
  });
}
