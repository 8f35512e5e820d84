import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './daemon.js';

const run = promisify(execFile);

/**
 * A real ACME CA for tests: Debian's pebble (Let's Encrypt's test CA) with its
 * pebble-challtestsrv as the only DNS it asks (every name → 127.0.0.1, so it reaches nothing
 * off this host). Its HTTPS certificate is made here with openssl (the package ships none).
 * Everything lives in a temp dir; stop() kills both processes and removes it, and a start that
 * fails halfway cleans up what it started. design §3.3.
 */
export interface Pebble {
  /** `https://127.0.0.1:<port>/dir` */
  directoryUrl: string;
  /** PEM of the CA that signed pebble's own HTTPS certificate (an Issuer's caBundle). */
  caPem: string;
  /** PEM of the root pebble issues certificates under (to verify what it issued). */
  rootPem(): Promise<string>;
  stop(): Promise<void>;
}

export interface PebbleOptions {
  /** The port pebble's VA fetches `http://<name>:<port>/.well-known/acme-challenge/…` on. */
  httpPort: number;
  /** Lifetime of issued certificates in seconds (default 90: a renewal at 60 s). */
  validitySeconds?: number;
}

// One free-port helper for e2e support; re-exported for the ACME tests that import it from here.
export { freePort };

export async function startPebble(o: PebbleOptions): Promise<Pebble> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-pebble-'));
  const children: ChildProcess[] = [];
  const output: string[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => stopChild(c)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const f = (name: string) => join(dir, name);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    await run('openssl', ['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=pebble-test-ca', '-keyout', f('ca.key'), '-out', f('ca.pem')]);
    await run('openssl', ['req', ...ec, '-subj', '/CN=localhost', '-keyout', f('pebble.key'), '-out', f('pebble.csr')]);
    await writeFile(f('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    await run('openssl', ['x509', '-req', '-in', f('pebble.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('san.ext'), '-out', f('pebble.pem')]);
    const [acmePort, mgmtPort, tlsPort, dnsPort, dnsMgmtPort] = await distinctPorts(5);
    await writeFile(
      f('pebble.json'),
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${acmePort}`,
          managementListenAddress: `127.0.0.1:${mgmtPort}`,
          certificate: f('pebble.pem'),
          privateKey: f('pebble.key'),
          httpPort: o.httpPort,
          tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
          certificateValidityPeriod: o.validitySeconds ?? 90,
        },
      }),
    );
    const spawnLogged = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
      const c = spawn(cmd, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const keep = (b: Buffer) => output.push(b.toString()) > 200 && output.shift();
      c.stdout!.on('data', keep);
      c.stderr!.on('data', keep);
      children.push(c);
      return c;
    };
    spawnLogged('pebble-challtestsrv', ['-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${dnsMgmtPort}`, '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '']);
    spawnLogged('pebble', ['-config', f('pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' });
    const caPem = await readFile(f('ca.pem'), 'utf8');
    const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
    await waitFor(async () => (await httpsGet(directoryUrl, caPem)).status === 200, children, output);
    return { directoryUrl, caPem, rootPem: async () => (await httpsGet(`https://127.0.0.1:${mgmtPort}/roots/0`, caPem)).body, stop };
  } catch (err) {
    await stop();
    throw new Error(`pebble did not start: ${(err as Error).message}\n${output.join('')}`);
  }
}

async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function waitFor(check: () => Promise<boolean>, children: ChildProcess[], output: string[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead) throw new Error(`${dead.spawnfile} exited (${dead.exitCode ?? dead.signalCode})`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready after 10 s\n${output.join('')}`);
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const timer = setTimeout(() => c.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
