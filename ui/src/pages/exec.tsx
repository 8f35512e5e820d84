import { useEffect, useRef, useState } from 'preact/hooks';
import type { ExecTicketRequest, ExecTicketResponse } from '../../../src/runtime/api/contract.js';
import { useSession } from '../hooks.js';
import { DEFAULT_EXEC, paths, splitCommand } from '../lib/api-paths.js';
import type { TerminalSession } from '../terminal.js';

/**
 * A terminal in the pod, as `berth exec -it` gives one. A WebSocket cannot carry the
 * Authorization header, so the page first trades the token for a one-time ticket (30 s, one
 * use, bound to this pod, container and command) and puts only the ticket in the socket URL.
 * xterm.js is loaded here, on demand: it is most of the UI's code and most pages never need it.
 */
type Phase = { phase: 'closed' } | { phase: 'opening' } | { phase: 'open' } | { phase: 'ended'; message: string };

export function ExecPanel(props: { namespace: string; pod: string; containers: readonly string[] }) {
  const { api, access } = useSession();
  const [container, setContainer] = useState(props.containers[0] ?? '');
  const [command, setCommand] = useState(DEFAULT_EXEC.command.join(' '));
  const [phase, setPhase] = useState<Phase>({ phase: 'closed' });
  const screen = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const session = useRef<TerminalSession | undefined>(undefined);
  useEffect(() => () => session.current?.close(), []);

  const open = async (e: Event) => {
    e.preventDefault();
    const argv = splitCommand(command);
    if (argv.length === 0 || !screen.current) return;
    setPhase({ phase: 'opening' });
    try {
      const [{ openTerminal }, ticket] = await Promise.all([
        import('../terminal.js'),
        api.post<ExecTicketResponse>(paths.execTickets, { namespace: props.namespace, pod: props.pod, ...(container ? { container } : {}), command: argv, tty: true } satisfies ExecTicketRequest),
      ]);
      session.current?.close();
      session.current = openTerminal(screen.current, paths.execSocket(location, ticket.ticket), {
        open: () => setPhase({ phase: 'open' }),
        end: (message) => setPhase({ phase: 'ended', message }),
        leave: () => closeButton.current?.focus(),
      });
    } catch (err) {
      setPhase({ phase: 'ended', message: `Could not start: ${(err as Error).message}` });
    }
  };

  const busy = phase.phase === 'opening' || phase.phase === 'open';
  if (!access.exec)
    return (
      <section aria-labelledby="exec-h">
        <h2 id="exec-h">Terminal</h2>
        <p class="muted">This daemon was started with <code>--no-exec</code>: it opens no terminals.</p>
      </section>
    );
  return (
    <section aria-labelledby="exec-h">
      <h2 id="exec-h">Terminal</h2>
      <form class="controls" onSubmit={open}>
        {props.containers.length > 1 ? (
          <label>
            Container{' '}
            <select value={container} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)} disabled={busy}>
              {props.containers.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          Command <input type="text" value={command} spellcheck={false} autoComplete="off" onInput={(e) => setCommand((e.target as HTMLInputElement).value)} disabled={busy} />
        </label>
        {busy ? (
          <button type="button" ref={closeButton} onClick={() => session.current?.close()}>
            Close terminal
          </button>
        ) : (
          <button type="submit">Open terminal</button>
        )}
      </form>
      <p class="muted" role="status">
        {phase.phase === 'opening' ? 'Connecting…' : phase.phase === 'open' ? 'Connected. Every key goes to the command; Shift+Escape leaves the terminal.' : phase.phase === 'ended' ? phase.message : ''}
      </p>
      <div ref={screen} class={`terminal ${phase.phase === 'closed' ? 'hidden' : ''}`} aria-label="Terminal" />
    </section>
  );
}
