import { useEffect, useRef, useState } from 'preact/hooks';
import { useSession } from '../hooks.js';
import { paths } from '../lib/api-paths.js';
import { keepLastLines } from '../lib/format.js';
import type { ContainerChoice } from './resource.js';

/** What the page keeps of a followed log; older lines scroll away (berth logs has them all). */
const MAX_LINES = 5000;

/**
 * A pod's logs, streamed as `berth logs -f` prints them (the daemon strips terminal control
 * bytes). Any change to the container, tail, follow or previous restarts the stream.
 */
export function LogsPanel(props: { namespace: string; pod: string; containers: readonly ContainerChoice[] }) {
  const { api } = useSession();
  const [container, setContainer] = useState(props.containers.find((c) => !c.init)?.name ?? props.containers[0]?.name ?? '');
  const [tail, setTail] = useState('100');
  const [follow, setFollow] = useState(true);
  const [previous, setPrevious] = useState(false);
  const [run, setRun] = useState(0);
  const [text, setText] = useState('');
  const [state, setState] = useState<{ phase: 'streaming' | 'ended' | 'stopped' | 'error'; message?: string }>({ phase: 'streaming' });
  const stop = useRef<() => void>(() => {});
  const out = useRef<HTMLPreElement>(null);

  const tailLines = /^\d+$/.test(tail) ? Number(tail) : undefined;
  useEffect(() => {
    const ctrl = new AbortController();
    stop.current = () => {
      ctrl.abort();
      setState({ phase: 'stopped' });
    };
    setText('');
    setState({ phase: 'streaming' });
    void (async () => {
      try {
        const res = await api.open(paths.logs({ namespace: props.namespace, pod: props.pod, ...(container ? { container } : {}), ...(tailLines !== undefined ? { tailLines } : {}), follow, previous }), ctrl.signal, 'text/plain');
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = keepLastLines(buffer + value, MAX_LINES);
          setText(buffer);
        }
        setState({ phase: 'ended' });
      } catch (err) {
        if (!ctrl.signal.aborted) setState({ phase: 'error', message: (err as Error).message });
      }
    })();
    return () => ctrl.abort();
  }, [api, props.namespace, props.pod, container, tailLines, follow, previous, run]);

  // Following: keep the newest line in view, as `tail -f` does.
  useEffect(() => {
    if (follow && out.current) out.current.scrollTop = out.current.scrollHeight;
  }, [text, follow]);

  const words = { streaming: follow ? 'Following…' : 'Reading…', ended: follow ? 'The stream ended (the container stopped).' : 'End of log.', stopped: 'Stopped.', error: `Error: ${state.message ?? ''}` };
  return (
    <section aria-labelledby="logs-h">
      <h2 id="logs-h">Logs</h2>
      <form class="controls" onSubmit={(e) => (e.preventDefault(), setRun((r) => r + 1))}>
        <label>
          Container{' '}
          <select value={container} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>
            {props.containers.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
                {c.init ? ' (init)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tail lines <input type="number" min={0} step={1} inputMode="numeric" class="narrow" value={tail} onChange={(e) => setTail((e.target as HTMLInputElement).value)} />
        </label>
        <label class="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} /> Follow
        </label>
        <label class="check">
          <input type="checkbox" checked={previous} onChange={(e) => setPrevious((e.target as HTMLInputElement).checked)} /> Previous instance
        </label>
        {state.phase === 'streaming' ? (
          <button type="button" onClick={() => stop.current()}>
            Stop
          </button>
        ) : (
          <button type="submit">Reload</button>
        )}
      </form>
      <p class="muted" role="status" id="logs-state">
        {words[state.phase]}
      </p>
      <pre class="logs" ref={out} tabIndex={0} role="log" aria-live="off" aria-label={`Logs of ${container || props.pod}`} id="logs-output">
        {text}
      </pre>
    </section>
  );
}
