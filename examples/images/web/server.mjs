// The example web app: a plain Node HTTP server that shows which pod answered and what
// configuration it got, so rollouts and config changes are visible from outside.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';

const port = Number(process.env.PORT ?? 8080);
const version = process.env.APP_VERSION ?? '1.0';
const startedAt = Date.now();
// BROKEN_READINESS=1 makes /healthz fail forever: the image used to demonstrate automatic rollback.
const broken = process.env.BROKEN_READINESS === '1';
const readyAfterMs = Number(process.env.READY_AFTER_MS ?? 0);

function config() {
  const file = '/etc/web/app.properties';
  return {
    greeting: process.env.GREETING ?? 'hello',
    properties: existsSync(file) ? readFileSync(file, 'utf8') : null,
    tokenConfigured: Boolean(process.env.API_TOKEN),
  };
}

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    const ok = !broken && Date.now() - startedAt >= readyAfterMs;
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
    return res.end(ok ? 'ok\n' : 'not ready\n');
  }
  if (req.url === '/config') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(config()) + '\n');
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ pod: hostname(), version, greeting: config().greeting, podIP: process.env.POD_IP ?? null }) + '\n');
});

server.keepAliveTimeout = 5000;
server.listen(port, () => console.log(JSON.stringify({ msg: 'listening', port, version })));
// Kubernetes semantics: SIGTERM means finish what is in flight, then exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
