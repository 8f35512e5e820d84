/**
 * Upgrade requests (WebSocket) through the edge: routed like any request, then the request head
 * (with X-Forwarded-*, Connection/Upgrade kept) goes to the endpoint over a fresh TCP connection.
 * The tunnel opens only when the backend answers 101: until then nothing more of the client's
 * goes upstream, and any other answer is relayed and the connection closed, so bytes sent after
 * the head can never reach the backend as a request the edge did not route (upgrade smuggling).
 * Only `websocket` upgrades without a body are accepted: an h2c upgrade would let the client
 * speak HTTP/2 to any path of the backend. A tunnel counts in its endpoint's `active` until
 * either side closes, so a drain waits for it; TCP keep-alive finds peers that vanished.
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { EdgeHttpOptions } from './edge-http.js';
import { hopByHop, resolveRequest } from './edge-resolve.js';
import { errorText } from './log.js';

/** A tunnel peer silent this long gets TCP keep-alive probes (then goes if it does not answer). */
export const TUNNEL_KEEPALIVE_MS = 60_000;

export function handleUpgrade(o: EdgeHttpOptions, tunnels: Set<Duplex>, req: http.IncomingMessage, client: Duplex, head: Buffer, scheme: 'http' | 'https', listenPort: number): void {
  client.on('error', () => {});
  try {
    upgrade(o, tunnels, req, client, head, scheme, listenPort);
  } catch (err) {
    // Never an uncaught exception: that would take every host's ingress down.
    o.log.error('upgrade failed', { err: errorText(err), url: req.url });
    client.destroy();
  }
}

function upgrade(o: EdgeHttpOptions, tunnels: Set<Duplex>, req: http.IncomingMessage, client: Duplex, head: Buffer, scheme: 'http' | 'https', listenPort: number): void {
  // Nothing the client sends after the head is read until the backend switched protocols.
  client.pause();
  const started = o.now();
  const rawReply = (status: number, text: string, location?: string) => {
    const loc = location === undefined ? '' : `Location: ${location}\r\n`;
    client.end(`HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${loc}Connection: close\r\n\r\n${text}`);
  };
  const te = req.headers['transfer-encoding'];
  const cl = req.headers['content-length'];
  if (te !== undefined || (cl !== undefined && cl !== '0')) return rawReply(400, 'an upgrade request carries no body\n');
  if (String(req.headers.upgrade ?? '').trim().toLowerCase() !== 'websocket') return rawReply(400, 'only WebSocket upgrades are supported\n');
  const r = resolveRequest(o.context(scheme, listenPort), req);
  const counters = r.route ? o.metrics.get(r.route.app, r.route.route.id) : undefined;
  const record = (status: number) => {
    if (counters) o.metrics.record(counters, status, o.now() - started);
  };
  if (r.kind === 'reply') {
    record(r.status);
    return rawReply(r.status, r.text, r.location);
  }
  const headers = { ...r.headers, connection: 'Upgrade', upgrade: String(req.headers.upgrade ?? '') };
  const route = r;
  const backendMs = r.route.route.timeouts?.backendRequestMs ?? o.backendTimeoutMs;

  const attempt = (index: number): void => {
    const ep = route.candidates[index]!;
    // Node's client parses the answer: 'upgrade' only on a 101, 'response' for anything else.
    const ureq = http.request({ host: ep.ip, port: ep.port, method: req.method, path: route.path, headers, agent: false, setHost: false });
    const timer = setTimeout(() => ureq.destroy(new Error(`connect timeout after ${o.connectTimeoutMs} ms`)), o.connectTimeoutMs);
    let connected = false;
    let answered = false;
    let closed = false;
    let headTimer: NodeJS.Timeout | undefined;
    const end = (status?: number, text?: string) => {
      if (closed) return;
      closed = true;
      clearTimeout(headTimer);
      tunnels.delete(client);
      o.pool.closed(ep);
      ureq.destroy();
      if (status === undefined) client.destroy();
      else {
        record(status);
        rawReply(status, text ?? '');
      }
    };
    const close = () => end();
    ureq.on('socket', (s) => {
      const onConnect = () => {
        clearTimeout(timer);
        connected = true;
        o.pool.connected(ep);
        o.pool.opened(ep);
        tunnels.add(client);
        // A backend that accepts and never answers must not hold the client forever.
        headTimer = setTimeout(() => end(504, 'the backend did not answer in time\n'), backendMs);
        client.on('close', close);
        s.on('close', close);
        if (client.destroyed) close();
      };
      if (s.connecting) s.once('connect', onConnect);
      else onConnect();
    });
    ureq.on('upgrade', (ures: http.IncomingMessage, upstream: net.Socket, upgradeHead: Buffer) => {
      answered = true;
      clearTimeout(headTimer);
      record(101);
      let text = `HTTP/1.1 101 ${reasonPhrase(101)}\r\n`;
      for (let i = 0; i + 1 < ures.rawHeaders.length; i += 2) text += `${ures.rawHeaders[i]!}: ${ures.rawHeaders[i + 1]!}\r\n`;
      client.write(`${text}\r\n`);
      if (upgradeHead.length > 0) client.write(upgradeHead);
      if (head.length > 0) upstream.write(head);
      upstream.on('close', close);
      upstream.on('error', close);
      for (const sock of [upstream, client]) if (sock instanceof net.Socket) sock.setKeepAlive(true, TUNNEL_KEEPALIVE_MS);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    ureq.on('response', (ures) => {
      // Refused: relay the answer with the connection closing after it; the client's later bytes are never read.
      answered = true;
      clearTimeout(headTimer);
      record(ures.statusCode ?? 502);
      let text = `HTTP/1.1 ${ures.statusCode ?? 502} ${reasonPhrase(ures.statusCode ?? 502)}\r\n`;
      for (let i = 0; i + 1 < ures.rawHeaders.length; i += 2) {
        if (!hopByHop(ures.rawHeaders[i]!)) text += `${ures.rawHeaders[i]!}: ${ures.rawHeaders[i + 1]!}\r\n`;
      }
      client.write(`${text}Connection: close\r\n\r\n`);
      ures.pipe(client);
      ures.on('error', close);
      ures.on('close', close);
    });
    ureq.on('error', (err) => {
      clearTimeout(timer);
      if (connected) return answered ? close() : end(502, 'the backend closed the connection\n');
      o.pool.connectFailed(ep, errorText(err));
      if (index + 1 < route.candidates.length) attempt(index + 1);
      else {
        record(502);
        rawReply(502, 'no endpoint could be reached\n');
      }
    });
    ureq.end();
  };
  attempt(0);
}

function reasonPhrase(status: number): string {
  return http.STATUS_CODES[status] ?? 'Error';
}
