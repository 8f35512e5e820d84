import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  port: number;
  /** Requests seen, in order. */
  requests: { url: string; headers: http.IncomingHttpHeaders }[];
  /** Resolves with the socket-close promise of the next request to /slow once it arrives. */
  nextSlowRequest(): Promise<{ closed: Promise<void> }>;
  close(): Promise<void>;
}

/**
 * A probe target on 127.0.0.1 (port 0): /status/<code>, /redirect?to=<location>, /loop (redirects to itself), /slow (never
 * answers), /big (1 MiB body). Any other path answers 200.
 */
export async function startLoopbackServer(tls?: { key: string; cert: string }): Promise<LoopbackServer> {
  const requests: LoopbackServer['requests'] = [];
  const slowWaiters: ((v: { closed: Promise<void> }) => void)[] = [];
  const handler: http.RequestListener = (req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/status/')) {
      res.writeHead(Number(url.pathname.slice('/status/'.length))).end('status');
    } else if (url.pathname === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
    } else if (url.pathname === '/loop') {
      res.writeHead(302, { location: '/loop' }).end();
    } else if (url.pathname === '/slow') {
      const closed = once(req.socket, 'close').then(() => undefined);
      slowWaiters.shift()?.({ closed });
    } else if (url.pathname === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.alloc(1024 * 1024, 120));
    } else {
      res.writeHead(200).end('ok');
    }
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    nextSlowRequest: () => new Promise((resolve) => slowWaiters.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
