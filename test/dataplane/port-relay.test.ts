import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dataFrames, encodeFrame, FRAME, FrameDecoder, MAX_PAYLOAD, openPayload } from '../../src/dataplane/relay-frames.js';
import { createRelayMux } from '../../src/runtime/port-relay-client.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('relay frames', () => {
  const frames = [encodeFrame(FRAME.open, 1, openPayload(8080)), encodeFrame(FRAME.data, 7, Buffer.from('hello')), encodeFrame(FRAME.end, 7), encodeFrame(FRAME.close, 2, Buffer.from('refused'))];
  const whole = Buffer.concat(frames);

  it.each([
    ['in one chunk', [whole]],
    ['byte by byte', [...whole].map((b) => Buffer.from([b]))],
    ['cut inside a header and a payload', [whole.subarray(0, 4), whole.subarray(4, 16), whole.subarray(16)]],
  ])('decodes frames %s', (_what, chunks) => {
    const d = new FrameDecoder();
    const got = chunks.flatMap((c) => d.push(c));
    expect(got.map((f) => [f.type, f.id, f.payload.toString('hex')])).toEqual([
      [FRAME.open, 1, '1f90'],
      [FRAME.data, 7, Buffer.from('hello').toString('hex')],
      [FRAME.end, 7, ''],
      [FRAME.close, 2, Buffer.from('refused').toString('hex')],
    ]);
  });

  it.each([
    ['an unknown type', Buffer.from([9, 0, 0, 0, 1, 0, 0, 0, 0]), /unknown frame type 9/],
    ['an oversized payload', Buffer.from([2, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]), /exceeds/],
  ])('refuses %s', (_what, bytes, message) => {
    expect(() => new FrameDecoder().push(bytes)).toThrow(message);
  });

  it('splits data larger than one frame', () => {
    const chunk = Buffer.alloc(MAX_PAYLOAD * 2 + 10, 1);
    const out = new FrameDecoder().push(Buffer.concat(dataFrames(3, chunk)));
    expect(out.map((f) => f.payload.length)).toEqual([MAX_PAYLOAD, MAX_PAYLOAD, 10]);
  });
});

/** The relay program as Docker runs it, but on this host: stdin/stdout pipes, dialing 127.0.0.1. */
describe('port relay program with the mux client', () => {
  let child: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
  const servers: net.Server[] = [];
  afterEach(async () => {
    child?.kill('SIGKILL');
    child = undefined;
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  function startRelay() {
    const c = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/dataplane/port-relay.ts')], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    child = c;
    return { mux: createRelayMux(c.stdin, c.stdout), exited: new Promise<number | null>((r) => c.once('exit', (code) => r(code))) };
  }

  /** A server on 127.0.0.1 only that answers each line with its upper case, and says bye on end. */
  async function loopbackServer(): Promise<number> {
    const server = net.createServer((s) => {
      s.on('data', (d) => s.write(d.toString().toUpperCase()));
      s.on('end', () => s.end('bye'));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    return (server.address() as net.AddressInfo).port;
  }

  function exchange(conn: NodeJS.ReadWriteStream, text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let got = '';
      conn.on('data', (d: Buffer) => (got += d.toString()));
      conn.on('end', () => resolve(got));
      conn.on('error', reject);
      conn.write(text);
      conn.end();
    });
  }

  it('carries several connections at once, half-close included, and exits when its stdin ends', async () => {
    const port = await loopbackServer();
    const { mux, exited } = startRelay();
    const replies = await Promise.all(['one', 'two', 'three'].map((t) => exchange(mux.open(port), t)));
    expect(replies).toEqual(['ONEbye', 'TWObye', 'THREEbye']);
    const big = 'x'.repeat(300_000);
    expect(await exchange(mux.open(port), big)).toBe(`${big.toUpperCase()}bye`);
    child!.stdin.end();
    expect(await exited).toBe(0);
    await mux.ended;
  });

  it('reports a refused port as the connection error, and keeps serving others', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen({ host: '127.0.0.1', port: 0 }, r));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const port = await loopbackServer();
    const { mux } = startRelay();
    await expect(exchange(mux.open(deadPort), 'x')).rejects.toThrow(/ECONNREFUSED 127\.0\.0\.1.*ECONNREFUSED ::1|ECONNREFUSED/);
    expect(await exchange(mux.open(port), 'ok')).toBe('OKbye');
  });

  it('ends every connection as lost when the relay dies', async () => {
    const port = await loopbackServer();
    const { mux } = startRelay();
    const conn = mux.open(port);
    const failed = new Promise<Error>((r) => conn.on('error', r));
    conn.write('hi');
    child!.kill('SIGKILL');
    await mux.ended;
    expect((await failed).message).toBe('lost connection to pod');
  });
});
