/**
 * A real OpenSSH server for tests: Debian's `/usr/sbin/sshd -D` on loopback with a temp
 * config, a generated ed25519 host key and one authorized client key, serving Git through the
 * `git-upload-pack` on the PATH (the repositories of test/support/git-server.ts makeRepo).
 *
 *   const sshd = await startSshServer();
 *   const repo = await makeRepo(sshd.root, 'app.git', { files });
 *   createGitSource({ url: sshd.url('app.git'), ssh: { privateKeyFile: sshd.clientKey, knownHostsFile: await sshd.knownHosts() }, ... })
 *   await sshd.close();                      // kills sshd, removes the temp dir
 *
 * It listens twice: on 127.0.0.1:<free port> (for `ssh://` URLs) and on port 22 of a random
 * other loopback address (127.x.y.z, so nothing else on the host can hold it), because an
 * scp-like URL (`user@host:path`) cannot name a port; so no other sshd may listen on port 22 of
 * all addresses (scripts/setup-host.sh keeps the package's own from starting). Tests run as
 * root (CI does), so the
 * login is `root`; StrictModes is off as the temp files are not in a home directory.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from './git-server.js';

export interface SshServer {
  /** Temp dir: keys, config, and the bare repositories (pass to makeRepo). */
  readonly root: string;
  readonly port: number;
  /** The second address, listening on port 22. */
  readonly scpHost: string;
  /** The authorized client's private key file. */
  readonly clientKey: string;
  /** `ssh://root@127.0.0.1:PORT<root>/<repo>` */
  url(repo: string): string;
  /** `root@127.x.y.z:<root>/<repo>` (scp-like, port 22) */
  scpUrl(repo: string): string;
  /**
   * Writes a known_hosts file listing this server's host key for both addresses, made the way
   * docs/sources.md tells operators to (ssh-keyscan), optionally hashed with `ssh-keygen -H`.
   */
  knownHosts(options?: { hashed?: boolean; name?: string }): Promise<string>;
  /** Generates another key pair (not authorized, or encrypted with a passphrase). */
  newKey(name: string, passphrase?: string): Promise<{ privateKey: string; publicKey: string }>;
  /** sshd's per-connection processes still running (0 once every client has disconnected). */
  connections(): Promise<number>;
  close(): Promise<void>;
}

export function run(cmd: string, args: readonly string[], options: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, [...args], { cwd: options.cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something on host:port answers with an SSH banner. */
async function waitForBanner(host: string, port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host);
      s.once('data', (d: Buffer) => {
        s.destroy();
        resolve(d.toString('latin1').startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not answer on ${host}:${port}: ${log()}`);
}

export async function startSshServer(): Promise<SshServer> {
  const temp = await makeTempDir('berth-sshd-');
  const root = temp.path;
  let child: ChildProcess | undefined;
  try {
    // sshd's privilege separation needs this directory; the package creates it at boot only.
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'berth-test-host', '-f', join(root, 'host_ed25519')]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'berth-test-client', '-f', join(root, 'client')]);
    await writeFile(join(root, 'authorized_keys'), await readFile(join(root, 'client.pub')));
    const port = await freePort();
    const scpHost = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    const config = [
      `ListenAddress 127.0.0.1:${port}`,
      `ListenAddress ${scpHost}:22`,
      `HostKey ${join(root, 'host_ed25519')}`,
      `PidFile ${join(root, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(root, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'AllowUsers root',
      'LogLevel VERBOSE',
      '',
    ].join('\n');
    await writeFile(join(root, 'sshd_config'), config);
    let log = '';
    // A process group of its own: close() kills the listener and every connection's process.
    child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(root, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8192)));
    await waitForBanner('127.0.0.1', port, child, () => log);
    await waitForBanner(scpHost, 22, child, () => log);
    const sshd = child;
    return {
      root,
      port,
      scpHost,
      clientKey: join(root, 'client'),
      url: (repo) => `ssh://root@127.0.0.1:${port}${root}/${repo}`,
      scpUrl: (repo) => `root@${scpHost}:${root}/${repo}`,
      async knownHosts(options = {}) {
        const file = join(root, options.name ?? (options.hashed ? 'known_hosts_hashed' : 'known_hosts'));
        const scanned = [await run('ssh-keyscan', ['-t', 'ed25519', '-p', String(port), '127.0.0.1']), await run('ssh-keyscan', ['-t', 'ed25519', scpHost])];
        await writeFile(file, scanned.join(''));
        if (options.hashed) await run('ssh-keygen', ['-q', '-H', '-f', file]);
        return file;
      },
      async newKey(name, passphrase = '') {
        const privateKey = join(root, name);
        await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', privateKey]);
        return { privateKey, publicKey: `${privateKey}.pub` };
      },
      async connections() {
        let n = 0;
        for (const pid of await readdir('/proc')) {
          if (!/^\d+$/.test(pid) || Number(pid) === sshd.pid) continue;
          const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
          // Fields after the command's closing parenthesis: state, ppid, pgrp.
          const pgrp = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2];
          if (pgrp === String(sshd.pid)) n++;
        }
        return n;
      },
      async close() {
        if (sshd.exitCode === null) {
          const exited = new Promise((r) => sshd.once('exit', r));
          process.kill(-sshd.pid!, 'SIGKILL');
          await exited;
        }
        await temp.cleanup();
      },
    };
  } catch (err) {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    await temp.cleanup();
    throw err;
  }
}
