/**
 * A small Chrome DevTools Protocol client for a node process started with `--inspect=HOST:PORT`
 * (benchmarks only: the daemon has no memory endpoint, and none is added for this). It forces a
 * full GC, reads process.memoryUsage() and writes heap snapshots. Needs the global WebSocket
 * (node ≥ 22, or node 20 with --experimental-websocket: see package.json's bench:memory).
 */
import { createWriteStream } from 'node:fs';

export interface Inspector {
  /** HeapProfiler.collectGarbage: a full, compacting GC in the inspected process. */
  gc(): Promise<void>;
  /** process.memoryUsage() of the inspected process. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** A heap snapshot (which itself runs a full GC first) written to `file`. */
  snapshot(file: string): Promise<void>;
  /** Starts V8's sampling heap profiler, counting objects GC already collected too (what a pass allocates). */
  startAllocations(): Promise<void>;
  /** Stops it: bytes allocated per function (self), largest first. */
  stopAllocations(): Promise<Array<{ fn: string; bytes: number }>>;
  close(): void;
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

interface Message {
  id?: number;
  method?: string;
  params?: { chunk?: string };
  result?: { result?: { value?: unknown }; profile?: { head: SamplingNode } };
  error?: { message: string };
}

export async function connectInspector(port: number): Promise<Inspector> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${port}`);
  const Ws = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  if (!Ws) throw new Error('no global WebSocket: run with node --experimental-websocket (node 20) or node ≥ 22');
  const ws = new Ws(url);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  let onChunk: ((chunk: string) => void) | undefined;
  ws.addEventListener('message', (ev: MessageEvent) => {
    const m = JSON.parse(String(ev.data)) as Message;
    if (m.method === 'HeapProfiler.addHeapSnapshotChunk') onChunk?.(m.params!.chunk!);
    if (m.id === undefined) return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error) w?.reject(new Error(m.error.message));
    else w?.resolve(m);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<Message>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async gc() {
      await call('HeapProfiler.collectGarbage');
    },
    async memory() {
      const m = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      return JSON.parse(String(m.result!.result!.value)) as NodeJS.MemoryUsage;
    },
    async snapshot(file) {
      const out = createWriteStream(file);
      onChunk = (c) => out.write(c);
      try {
        await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      } finally {
        onChunk = undefined;
        await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      }
    },
    async startAllocations() {
      await call('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    },
    async stopAllocations() {
      const m = await call('HeapProfiler.stopSampling');
      const by = new Map<string, number>();
      const walk = (n: SamplingNode) => {
        const f = n.callFrame;
        const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
        by.set(key, (by.get(key) ?? 0) + n.selfSize);
        n.children.forEach(walk);
      };
      walk(m.result!.profile!.head);
      return [...by].map(([fn, bytes]) => ({ fn, bytes })).sort((a, b) => b.bytes - a.bytes);
    },
    close: () => ws.close(),
  };
}
