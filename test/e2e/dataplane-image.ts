import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DockerClient } from '../../src/apply/docker.js';
import { buildNodeImage } from '../../src/apply/images/index.js';
import type { RootfsEntry } from '../../src/apply/images/rootfs.js';

/**
 * The data-plane test image: the host's node binary and its shared libraries (through the
 * shared src/apply image builder), the data-plane programs compiled fresh from src/dataplane
 * (so the test proves the current source, whatever state dist/ is in), and three small test
 * programs: an HTTP backend that answers its id, an HTTP client and a DNS client that print JSON.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const execFileP = promisify(execFile);

export const PROXY_CONFIG_DIR = '/var/run/berth-proxy';
export const DNS_CONFIG_DIR = '/var/run/berth-dns';

const BACKEND = `
import http from 'node:http';
http.createServer((req, res) => res.end(process.env.ID)).listen(Number(process.env.PORT ?? 8080));
`;

/** node http-client.mjs URL N → JSON array of N response bodies, one new connection each. */
const HTTP_CLIENT = `
import http from 'node:http';
const [url, n] = process.argv.slice(2);
const get = () => new Promise((resolve, reject) => {
  http.get(url, { agent: false }, (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)); }).on('error', reject);
});
const out = [];
for (let i = 0; i < Number(n); i++) out.push(await get().catch((e) => 'ERR ' + e.code));
console.log(JSON.stringify(out));
`;

/** Asks the system resolver (/etc/resolv.conf → Docker's 127.0.0.11 → its forwarders) and prints JSON. */
const DNS_CLIENT = `
import dns from 'node:dns/promises';
const tryIt = (p) => p.then((v) => (Array.isArray(v) ? v.sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1) : v), (e) => 'ERR ' + e.code);
console.log(JSON.stringify({
  clusterIp: await tryIt(dns.resolve4('web.shop.svc.cluster.local')),
  short: await tryIt(dns.resolve4('web')),
  headless: await tryIt(dns.resolve4('db.shop.svc.cluster.local')),
  srv: await tryIt(dns.resolveSrv('_http._tcp.db.shop.svc.cluster.local')),
  cname: await tryIt(dns.resolveCname('ext.shop.svc.cluster.local')),
  externalA: await tryIt(dns.resolve4('ext.shop.svc.cluster.local')),
  missing: await tryIt(dns.resolve4('nope.shop.svc.cluster.local')),
}));
`;

/** Compiles src/dataplane alone (it imports nothing else from src/) into a temp dir. */
async function compileDataplane(): Promise<{ dir: string; files: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-dp-build-'));
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
      noEmitOnError: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
      rootDir: join(root, 'src/dataplane'),
      outDir: join(dir, 'out'),
    },
    include: [join(root, 'src/dataplane/*.ts')],
  };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  await execFileP(join(root, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: root });
  const files = (await readdir(join(dir, 'out'))).filter((f) => f.endsWith('.js'));
  return { dir, files };
}

export async function buildDataplaneTestImage(docker: DockerClient, ref: string): Promise<void> {
  const build = await compileDataplane();
  try {
    const entries: RootfsEntry[] = [
      ...(await Promise.all(build.files.map(async (f): Promise<RootfsEntry> => ({ type: 'file', path: `app/${f}`, content: await readFile(join(build.dir, 'out', f)) })))),
      // The compiled programs are ES modules; without node_modules there is no other package.json to say so.
      { type: 'file', path: 'app/package.json', content: Buffer.from('{"type":"module"}\n') },
      { type: 'file', path: 'app/backend.mjs', content: Buffer.from(BACKEND) },
      { type: 'file', path: 'app/http-client.mjs', content: Buffer.from(HTTP_CLIENT) },
      { type: 'file', path: 'app/dns-client.mjs', content: Buffer.from(DNS_CLIENT) },
      { type: 'directory', path: PROXY_CONFIG_DIR.slice(1), mode: 0o755 },
      { type: 'directory', path: DNS_CONFIG_DIR.slice(1), mode: 0o755 },
    ];
    await buildNodeImage(docker, ref, entries, {
      nodePath: process.execPath,
      cmd: ['node', '/app/proxy.js', '--config-dir', PROXY_CONFIG_DIR],
      workdir: '/app',
      labels: { 'berth.test': 'dataplane' },
    });
  } finally {
    await rm(build.dir, { recursive: true, force: true });
  }
}
