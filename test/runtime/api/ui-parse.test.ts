import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { closeReason, parseClientMessage } from '../../../src/runtime/api/exec-socket.js';
import { parseAction } from '../../../src/runtime/api/ui-handlers.js';
import { parseTicketRequest, sanitizingSink } from '../../../src/runtime/api/ui-streams.js';

const WEB = { kind: 'Deployment', namespace: 'shop', name: 'web' };

describe('actions are the intents the CLI records', () => {
  it.each([
    [{ action: 'restart', ...WEB }, { type: 'restart', deployment: 'Deployment/shop/web' }],
    [{ action: 'pause', ...WEB }, { type: 'pause', deployment: 'Deployment/shop/web' }],
    [{ action: 'resume', ...WEB }, { type: 'resume', deployment: 'Deployment/shop/web' }],
    [{ action: 'undo', ...WEB }, { type: 'undo', deployment: 'Deployment/shop/web' }],
    [{ action: 'undo', ...WEB, toRevision: 0 }, { type: 'undo', deployment: 'Deployment/shop/web' }],
    [{ action: 'undo', ...WEB, toRevision: 2 }, { type: 'undo', deployment: 'Deployment/shop/web', toRevision: 2 }],
    [{ action: 'undo', kind: 'StatefulSet', namespace: 'db', name: 'pg' }, { type: 'undo', deployment: 'StatefulSet/db/pg' }],
    [{ action: 'restart', kind: 'DaemonSet', namespace: 'ops', name: 'agent' }, { type: 'restart', deployment: 'DaemonSet/ops/agent' }],
    [{ action: 'scale', ...WEB, replicas: 3 }, { type: 'scale', key: 'Deployment/shop/web', replicas: 3 }],
    [{ action: 'scale', kind: 'ReplicaSet', namespace: 'shop', name: 'web-1', replicas: 0 }, { type: 'scale', key: 'ReplicaSet/shop/web-1', replicas: 0 }],
  ])('%j → %j', (body, spec) => {
    expect(parseAction(body)).toEqual(spec);
  });

  it.each([
    [null, /JSON object/],
    [[], /JSON object/],
    [{ action: 'delete', ...WEB }, /action must be one of/],
    [{ action: 'pause', kind: 'DaemonSet', namespace: 'ops', name: 'agent' }, /kind must be one of Deployment for pause/],
    [{ action: 'scale', kind: 'DaemonSet', namespace: 'ops', name: 'agent', replicas: 1 }, /kind must be one of/],
    [{ action: 'restart', kind: 'Deployment', namespace: 'Shop', name: 'web' }, /namespace/],
    [{ action: 'restart', kind: 'Deployment', namespace: 'shop', name: '../web' }, /name/],
    [{ action: 'scale', ...WEB }, /replicas must be/],
    [{ action: 'scale', ...WEB, replicas: -1 }, /replicas must be/],
    [{ action: 'scale', ...WEB, replicas: 1.5 }, /replicas must be/],
    [{ action: 'scale', ...WEB, replicas: '3' }, /replicas must be/],
    [{ action: 'restart', ...WEB, replicas: 3 }, /replicas is for scale only/],
    [{ action: 'restart', ...WEB, toRevision: 1 }, /toRevision is for undo only/],
    [{ action: 'undo', ...WEB, toRevision: -2 }, /toRevision must be/],
    [{ action: 'restart', ...WEB, extra: 1 }, /unknown field "extra"/],
  ])('%j is refused: %s', (body, message) => {
    expect(parseAction(body)).toMatch(message);
  });
});

describe('exec ticket requests', () => {
  const ok = { namespace: 'default', pod: 'web-1', command: ['sh'], tty: true };
  it.each([
    [ok, ok],
    [{ ...ok, container: 'web' }, { ...ok, container: 'web' }],
  ])('%j is accepted', (body, expected) => {
    expect(parseTicketRequest(body)).toEqual(expected);
  });
  it.each([
    [{ ...ok, tty: false }, /tty must be true/],
    [{ ...ok, command: [] }, /command must be/],
    [{ ...ok, command: 'sh -c id' }, /command must be/],
    [{ ...ok, command: ['sh', 1] }, /command must be/],
    [{ ...ok, command: ['a\0b'] }, /command must be/],
    [{ ...ok, command: Array(65).fill('x') }, /command must be/],
    [{ ...ok, pod: 'Web' }, /pod must be/],
    [{ ...ok, container: 'a/b' }, /container must be/],
    [{ ...ok, namespace: undefined }, /namespace/],
    [{ ...ok, privileged: true }, /unknown field/],
  ])('%j is refused: %s', (body, message) => {
    expect(parseTicketRequest(body)).toMatch(message);
  });
});

describe('exec socket messages', () => {
  it.each([
    ['{"type":"resize","cols":80,"rows":24}', { type: 'resize', cols: 80, rows: 24 }],
    ['{"type":"resize","cols":0,"rows":24}', undefined],
    ['{"type":"resize","cols":80.5,"rows":24}', undefined],
    ['{"type":"resize","cols":100000,"rows":24}', undefined],
    ['{"type":"other"}', undefined],
    ['not json', undefined],
  ])('%s → %j', (text, message) => {
    expect(parseClientMessage(text)).toEqual(message);
  });

  it.each([
    [{ exitCode: 0 }, '{"exitCode":0}'],
    [{ exitCode: 137 }, '{"exitCode":137}'],
    [{ error: 'no such container' }, '{"error":"no such container"}'],
  ])('close reason %j', (reason, text) => {
    expect(closeReason(reason)).toBe(text);
  });

  it.each(['x'.repeat(500), 'é'.repeat(200), '"\\'.repeat(100)])('a long error is cut to fit a close frame (123 bytes) and stays JSON', (message) => {
    const text = closeReason({ error: message });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(123);
    expect((JSON.parse(text) as { error: string }).error.endsWith('…')).toBe(true);
  });
});

describe('log output for a browser', () => {
  it.each([
    [['plain line\n'], 'plain line\n'],
    [['\u001b[2Jcleared\n'], '\\u001b[2Jcleared\n'],
    [['tab\tkept\r\n'], 'tab\tkept\n'],
    [['progress\r50%\n'], 'progress\\u000d50%\n'],
    // A UTF-8 character split across two chunks is decoded whole, not as two replacement characters.
    [[Buffer.from([0xc3]), Buffer.from([0xa9, 0x0a])], 'é\n'],
  ] as const)('%j → %j', async (chunks, expected) => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const sink = sanitizingSink(out);
    for (const c of chunks) sink.write(c);
    await new Promise<void>((resolve) => sink.end(resolve));
    expect(text).toBe(expected);
  });
});

describe('sanitizingSink: a slow reader', () => {
  it('holds the log until the reader takes what it has, instead of buffering it here', async () => {
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough({ highWaterMark: 4 });
    const sink = sanitizingSink(out);
    let accepted = 0;
    sink.write(Buffer.from('a line of output\n'), () => accepted++);
    await new Promise((r) => setImmediate(r));
    expect(accepted).toBe(0);
    expect(out.read()?.toString()).toBe('a line of output\n');
    await new Promise((r) => setImmediate(r));
    expect(accepted).toBe(1);
  });
});
