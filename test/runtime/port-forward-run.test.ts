import net from 'node:net';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runPortForward } from '../../src/runtime/port-forward.js';

/** A dial whose "pod" upper-cases what it gets, or fails with `refuse` for that port. */
function fakeDial(refuse?: number) {
  const dialed: number[] = [];
  const dial = (port: number): Duplex => {
    dialed.push(port);
    const conn = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        conn.push(Buffer.from(chunk.toString().toUpperCase()));
        cb();
      },
      final(cb) {
        conn.push(null);
        cb();
      },
    });
    if (port === refuse) setImmediate(() => conn.destroy(new Error('connect ECONNREFUSED 127.0.0.1:9')));
    return conn;
  };
  return { dial, dialed };
}

function talk(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.end(text));
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

describe('runPortForward', () => {
  it('prints kubectl lines, forwards each connection to the dialed pod port, reports a failed one, stops on abort', async () => {
    const lines: string[] = [];
    const { dial, dialed } = fakeDial(9);
    const stop = new AbortController();
    let ready!: (ports: number[]) => void;
    const listening = new Promise<number[]>((r) => (ready = r));
    const ports: number[] = [];
    const done = runPortForward(
      ['127.0.0.1'],
      [
        { local: 0, port: 8080 },
        { local: 0, port: 9 },
      ],
      dial,
      {
        listening: (a, l, r) => {
          lines.push(`Forwarding from ${a}:${l} -> ${r}`);
          ports.push(l);
          if (ports.length === 2) ready(ports);
        },
        connection: (l) => lines.push(`Handling connection for ${l}`),
        failed: (l, r, err) => lines.push(`failed ${l} -> ${r}: ${err.message}`),
      },
      stop.signal,
      new Promise(() => undefined),
    );
    const [web, refused] = await listening;
    expect(await talk(web!, 'hello')).toBe('HELLO');
    expect(await talk(web!, 'again')).toBe('AGAIN');
    // The client's connection is closed with nothing said (a reset when its bytes were still unread).
    expect(['', 'ECONNRESET']).toContain(await talk(refused!, 'x').catch((e: NodeJS.ErrnoException) => e.code));
    stop.abort();
    expect(await done).toBe('interrupted');
    expect(dialed).toEqual([8080, 8080, 9]);
    expect(lines).toEqual([
      `Forwarding from 127.0.0.1:${web} -> 8080`,
      `Forwarding from 127.0.0.1:${refused} -> 9`,
      `Handling connection for ${web}`,
      `Handling connection for ${web}`,
      `Handling connection for ${refused}`,
      `failed ${refused} -> 9: connect ECONNREFUSED 127.0.0.1:9`,
    ]);
    await expect(talk(web!, 'gone')).rejects.toThrow(/ECONNREFUSED/);
  });

  it("ends with 'lost' when the relay goes, closing its listeners", async () => {
    let lose!: () => void;
    let port = 0;
    const lost = new Promise<void>((r) => (lose = r));
    const done = runPortForward(['127.0.0.1'], [{ local: 0, port: 80 }], fakeDial().dial, { listening: (_a, l) => ((port = l), lose()), connection: () => undefined, failed: () => undefined }, new AbortController().signal, lost);
    expect(await done).toBe('lost');
    await expect(talk(port, 'x')).rejects.toThrow(/ECONNREFUSED/);
  });
});
