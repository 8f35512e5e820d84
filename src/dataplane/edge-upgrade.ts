/**
 * Upgrade requests (WebSocket) through the edge: routed like any request, then the request head
 * (with X-Forwarded-*, Connection/Upgrade kept) goes to the endpoint over a fresh TCP connection
 * and bytes are piped both ways, the backend's 101 included. A tunnel counts in its endpoint's
 * `active` until either side closes, so a drain waits for it.
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { EdgeHttpOptions } from './edge-http.js';
import { resolveRequest } from './edge-resolve.js';
import { errorText } from './log.js';

export function handleUpgrade(o: EdgeHttpOptions, tunnels: Set<Duplex>, req: http.IncomingMessage, client: Duplex, head: Buffer, scheme: 'http' | 'https', listenPort: number): void {
  client.on('error', () => {});
  const started = o.now();
  const r = resolveRequest(o.context(scheme, listenPort), req);
  const counters = r.route ? o.metrics.get(r.route.app, r.route.route.id) : undefined;
  const rawReply = (status: number, text: string, location?: string) => {
    if (counters) o.metrics.record(counters, status, o.now() - started);
    const loc = location === undefined ? '' : `Location: ${location}\r\n`;
    client.end(`HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${loc}Connection: close\r\n\r\n${text}`);
  };
  if (r.kind === 'reply') return rawReply(r.status, r.text, r.location);
  const headers = { ...r.headers, connection: 'Upgrade', upgrade: String(req.headers.upgrade ?? '') };
  let lines = `${req.method ?? 'GET'} ${r.path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) lines += `${k}: ${one}\r\n`;
  lines += '\r\n';

  const attempt = (index: number): void => {
    const ep = r.candidates[index]!;
    const upstream = net.connect({ host: ep.ip, port: ep.port });
    const timer = setTimeout(() => upstream.destroy(new Error(`connect timeout after ${o.connectTimeoutMs} ms`)), o.connectTimeoutMs);
    let connected = false;
    upstream.once('connect', () => {
      clearTimeout(timer);
      connected = true;
      o.pool.connected(ep);
      o.pool.opened(ep);
      tunnels.add(client);
      if (counters) o.metrics.record(counters, 101, o.now() - started);
      upstream.write(lines);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        tunnels.delete(client);
        o.pool.closed(ep);
        upstream.destroy();
        client.destroy();
      };
      upstream.on('close', close);
      client.on('close', close);
    });
    upstream.on('error', (err) => {
      clearTimeout(timer);
      if (connected) return;
      o.pool.connectFailed(ep, errorText(err));
      if (index + 1 < r.candidates.length) attempt(index + 1);
      else rawReply(502, 'no endpoint could be reached\n');
    });
  };
  attempt(0);
}

function reasonPhrase(status: number): string {
  return http.STATUS_CODES[status] ?? 'Error';
}
