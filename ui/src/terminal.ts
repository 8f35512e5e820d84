import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import type { ExecClientMessage, ExecCloseReason, ExecServerMessage } from '../../src/runtime/api/contract.js';

/**
 * xterm.js on the exec WebSocket (loaded on demand by pages/exec.tsx). Binary frames are the
 * terminal's bytes both ways; text frames carry resize (to the daemon) and the exit or error
 * (from it), as contract.ts defines them.
 */
export interface TerminalSession {
  close(): void;
}

export interface TerminalEvents {
  open(): void;
  /** Once: the command exited, the socket closed, or it never opened. */
  end(message: string): void;
  /** Shift+Escape: the terminal takes every other key (Tab too), so this is the way out for a keyboard. */
  leave(): void;
}

export function openTerminal(host: HTMLElement, url: string, on: TerminalEvents): TerminalSession {
  host.replaceChildren();
  const term = new Terminal({ cursorBlink: true, convertEol: false, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 14, scrollback: 2000 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(host);
  term.attachCustomKeyEventHandler((e) => {
    if (e.type === 'keydown' && e.key === 'Escape' && e.shiftKey) {
      on.leave();
      return false;
    }
    return true;
  });
  const unmirror = mirrorInlineStyles(host);
  fit.fit();

  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const encoder = new TextEncoder();
  let ended = false;
  const end = (message: string) => {
    if (ended) return;
    ended = true;
    on.end(message);
  };
  const send = (m: ExecClientMessage) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m));

  ws.onopen = () => {
    on.open();
    send({ type: 'resize', cols: term.cols, rows: term.rows });
    term.focus();
  };
  ws.onmessage = (e: MessageEvent) => {
    if (e.data instanceof ArrayBuffer) return term.write(new Uint8Array(e.data));
    const m = parse<ExecServerMessage>(String(e.data));
    if (m?.type === 'exit') end(`The command exited with code ${m.exitCode}.`);
    else if (m?.type === 'error') end(`Error: ${m.message}`);
  };
  ws.onclose = (e: CloseEvent) => {
    const reason = parse<ExecCloseReason>(e.reason);
    if (reason && 'exitCode' in reason) end(`The command exited with code ${reason.exitCode}.`);
    else if (reason && 'error' in reason) end(`Error: ${reason.error}`);
    else end(e.code === 1000 ? 'The terminal closed.' : `The connection closed (${e.code}).`);
  };
  const input = term.onData((data) => ws.readyState === WebSocket.OPEN && ws.send(encoder.encode(data)));
  const resized = term.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }));
  const observer = new ResizeObserver(() => fit.fit());
  observer.observe(host);

  return {
    close() {
      observer.disconnect();
      input.dispose();
      resized.dispose();
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
      unmirror();
      term.dispose();
    },
  };
}

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/**
 * xterm writes its theme and cell sizes into <style> elements, which the daemon's CSP
 * (`style-src 'self'`, no inline styles) rightly refuses. The same rules go in through the
 * CSSOM instead, as constructed stylesheets, which CSP does not govern and which hold only
 * xterm's own text, never page data.
 */
function mirrorInlineStyles(root: HTMLElement): () => void {
  const sheets = new Map<HTMLStyleElement, CSSStyleSheet>();
  const sync = () => {
    for (const el of root.querySelectorAll('style')) {
      let sheet = sheets.get(el);
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheets.set(el, sheet);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      }
      sheet.replaceSync(el.textContent ?? '');
    }
  };
  sync();
  const observer = new MutationObserver(sync);
  observer.observe(root, { subtree: true, childList: true, characterData: true });
  return () => {
    observer.disconnect();
    const gone = new Set(sheets.values());
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => !gone.has(s));
  };
}
