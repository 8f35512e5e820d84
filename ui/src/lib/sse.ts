/**
 * A Server-Sent Events parser for a byte stream read with fetch(): EventSource cannot send the
 * Authorization header, and the token must never go into a URL, so the UI reads
 * /api/v1/stream itself. Follows the WHATWG event-stream rules the daemon relies on: lines end
 * in CRLF, LF or CR (a CR may end one chunk and its LF start the next), `:` lines are comments
 * (the 15 s heartbeat), a blank line dispatches, and an event with no data is dropped.
 */
export interface SseEvent {
  /** `message` when the event named none. */
  event: string;
  data: string;
  id?: string;
}

export interface SseParser {
  /** Feeds decoded text; returns the events completed by it, in order. */
  push(text: string): SseEvent[];
}

export function createSseParser(): SseParser {
  let buffer = '';
  // A CR that ended the previous chunk: a LF starting this one belongs to it.
  let pendingCr = false;
  let event = '';
  let data: string[] = [];
  let id: string | undefined;

  const dispatch = (out: SseEvent[]) => {
    if (data.length > 0) out.push({ event: event || 'message', data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
    event = '';
    data = [];
  };

  const line = (text: string, out: SseEvent[]) => {
    if (text === '') return dispatch(out);
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
  };

  return {
    push(text) {
      const out: SseEvent[] = [];
      if (pendingCr && text.startsWith('\n')) text = text.slice(1);
      pendingCr = false;
      buffer += text;
      for (;;) {
        const end = buffer.search(/[\r\n]/);
        if (end < 0) break;
        const isCr = buffer[end] === '\r';
        if (isCr && end === buffer.length - 1) pendingCr = true;
        const skip = isCr && buffer[end + 1] === '\n' ? 2 : 1;
        line(buffer.slice(0, end), out);
        buffer = buffer.slice(end + skip);
      }
      return out;
    },
  };
}
