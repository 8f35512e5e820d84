import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from '../../ui/src/lib/sse.js';

/** Feeds the chunks in order and collects every event. */
function parse(chunks: string[]): SseEvent[] {
  const parser = createSseParser();
  return chunks.flatMap((c) => parser.push(c));
}

describe('SSE parser', () => {
  const cases: Array<[string, string[], SseEvent[]]> = [
    ['one named event', ['event: status\ndata: {"at":"t","reason":"revision"}\n\n'], [{ event: 'status', data: '{"at":"t","reason":"revision"}' }]],
    ['an unnamed event is a message', ['data: x\n\n'], [{ event: 'message', data: 'x' }]],
    ['data lines join with newlines', ['data: a\ndata: b\n\n'], [{ event: 'message', data: 'a\nb' }]],
    ['heartbeat comments dispatch nothing', [': keep-alive\n\n', ':\n\n'], []],
    ['an event without data is dropped', ['event: status\n\n'], []],
    ['no space after the colon', ['event:resources\ndata:1\n\n'], [{ event: 'resources', data: '1' }]],
    ['only one leading space is removed', ['data:  two\n\n'], [{ event: 'message', data: ' two' }]],
    ['split across chunks mid-line', ['eve', 'nt: event\nda', 'ta: 1\n', '\n'], [{ event: 'event', data: '1' }]],
    ['CRLF line ends', ['event: status\r\ndata: 1\r\n\r\n'], [{ event: 'status', data: '1' }]],
    ['CR line ends', ['event: status\rdata: 1\r\r'], [{ event: 'status', data: '1' }]],
    ['CRLF split between chunks is one line end', ['data: 1\r', '\n\r', '\n'], [{ event: 'message', data: '1' }]],
    ['the event name resets after dispatch', ['event: status\ndata: 1\n\ndata: 2\n\n'], [{ event: 'status', data: '1' }, { event: 'message', data: '2' }]],
    ['id is kept', ['id: 7\ndata: 1\n\n'], [{ event: 'message', data: '1', id: '7' }]],
    ['unknown fields are ignored', ['retry: 10\nfoo: bar\ndata: 1\n\n'], [{ event: 'message', data: '1' }]],
    ['an unfinished event waits for its blank line', ['event: status\ndata: 1\n'], []],
  ];
  it.each(cases)('%s', (_name, chunks, expected) => {
    expect(parse(chunks)).toEqual(expected);
  });

  it('delivers each event as soon as its blank line arrives', () => {
    const parser = createSseParser();
    expect(parser.push('event: status\ndata: 1\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'status', data: '1' }]);
    expect(parser.push('event: event\ndata: 2\n\n')).toEqual([{ event: 'event', data: '2' }]);
  });
});
