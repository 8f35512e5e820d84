import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDockerClient } from '../../../src/apply/docker.js';
import { buildNodeImage, imageExists } from '../../../src/apply/images/index.js';
import { systemClock } from '../../../src/runtime/clock.js';

/**
 * A gRPC health server image built without a registry: the host's node binary (through the
 * shared image builder) running test/support/grpc-health-server.ts, the same server the unit
 * tests probe on loopback, transpiled here. Tagged by content; labelled berth.test=grpc-health.
 *
 * Environment: PORT (default 7070); NOT_SERVING=1 answers NOT_SERVING; SERVING_SECONDS=n answers
 * SERVING for n seconds after the process started, NOT_SERVING afterwards. The server as a whole
 * ("") and SERVICES (comma-separated) are known; any other service gets NotFound, as the
 * standard health servers answer. Every Check is logged (`Check "" -> NOT_SERVING`).
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
const SERVER_SOURCE = join(root, 'test/support/grpc-health-server.ts');
const execFileP = promisify(execFile);
export const GRPC_HEALTH_REPO = 'berth-test/grpc-health';

const MAIN = `
import { startGrpcHealthServer } from './grpc-health-server.mjs';
const started = Date.now();
const known = new Set(['', ...(process.env.SERVICES ?? '').split(',').filter(Boolean)]);
const serving = () => {
  if (process.env.NOT_SERVING === '1') return false;
  const seconds = Number(process.env.SERVING_SECONDS ?? 'Infinity');
  return Date.now() - started < seconds * 1000;
};
await startGrpcHealthServer({
  host: '0.0.0.0',
  port: Number(process.env.PORT ?? 7070),
  answer: (service) => {
    const answer = known.has(service) ? { serving: serving() ? 'SERVING' : 'NOT_SERVING' } : { grpcStatus: 5, message: 'unknown service' };
    // One line per Check, so a test can see the probe came and what it was told.
    console.log('Check ' + JSON.stringify(service) + ' -> ' + (answer.serving ?? 'grpc-status ' + answer.grpcStatus));
    return answer;
  },
});
console.log('grpc health server listening');
// SIGTERM ends the process at once (node as PID 1 has no default handler for it).
process.on('SIGTERM', () => process.exit(143));
`;

export async function ensureGrpcHealthImage(): Promise<string> {
  const server = await compileServer();
  const hash = createHash('sha256').update(server).update(MAIN).update(process.execPath).update(process.version).digest('hex').slice(0, 12);
  const ref = `${GRPC_HEALTH_REPO}:${hash}`;
  const docker = createDockerClient({ clock: systemClock });
  if (await imageExists(docker, ref)) return ref;
  await buildNodeImage(
    docker,
    ref,
    [
      { type: 'file', path: 'app/grpc-health-server.mjs', content: server, mode: 0o644 },
      { type: 'file', path: 'app/main.mjs', content: Buffer.from(MAIN), mode: 0o644 },
    ],
    { nodePath: process.execPath, cmd: ['node', '/app/main.mjs'], workdir: '/app', labels: { 'berth.test': 'grpc-health' } },
  );
  return ref;
}

/** The server alone through the project's tsc (it imports only node: modules), as dataplane-image.ts compiles src/dataplane. */
async function compileServer(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-grpc-build-'));
  try {
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        strict: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        noEmitOnError: true,
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
        rootDir: join(root, 'test/support'),
        outDir: join(dir, 'out'),
      },
      files: [SERVER_SOURCE],
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    await execFileP(join(root, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: root });
    return await readFile(join(dir, 'out', 'grpc-health-server.js'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
