import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AnyBerthError, ErrorCode, ErrorData, ErrorDataMap } from '../../src/model/errors.js';
import { BerthError, isBerthError } from '../../src/model/errors.js';

// One representative error per code, its data written as a call site writes it: an object
// literal checked against ErrorDataMap (a field the code does not have, or a missing required
// one, fails the typecheck). The mapped type makes a new code without a row fail too.
const REPRESENTATIVE: { [C in ErrorCode]: ErrorDataMap[C] } = {
  USAGE: { flag: '--interval', value: 'soon' },
  INPUT_UNREADABLE: { path: 'deploy/', reason: 'not-found' },
  INVALID_MANIFESTS: { schedule: '61 * * * *' },
  INVALID_CONFIG: { path: '/etc/berth.yaml', problems: [{ file: 'berth.yaml', line: 1, column: 1, path: 'interval', severity: 'error', code: 'invalid-type', message: 'x' }] },
  NOT_FOUND: { key: 'Deployment/default/web' },
  AMBIGUOUS: {},
  CONFLICT: { app: 'shop', serviceKey: 'Service/default/web', portName: 'http', port: 30080, heldBy: { app: 'blog', serviceKey: 'Service/default/blog', portName: 'http' } },
  ROLLOUT_FAILED: {},
  TIMEOUT: {},
  DOCKER_UNREACHABLE: { errno: 'ECONNREFUSED', hint: 'is dockerd running?' },
  DOCKER_ERROR: { doing: 'inspecting volume data', statusCode: 500 },
  SOURCE_UNREACHABLE: { reason: 'auth', url: 'https://git.example/shop.git', attempt: 2, status: 401 },
  SOURCE_ERROR: { reason: 'ambiguous', ref: 'abcd', candidates: ['abcd1', 'abcd2'] },
  STORE_ERROR: { op: 'open', dir: '/var/lib/berth' },
  LEASE_HELD: { app: 'shop', heldBy: { id: 'daemon:h:1:x', pid: 1, hostname: 'h', kind: 'daemon' }, expiresAt: 0 },
  POLICY_DENIED: { app: 'shop', refused: ['Deployment/default/web: privileged container'] },
  NOT_OWNED: { network: 'berth-shop-default' },
  IMAGE_UNAVAILABLE: { image: 'localhost:5000/web:1', registry: 'localhost:5000' },
  VOLUME_ERROR: { reason: 'escapes-root', path: 'data/link', mount: 'volume data of container web' },
  INTERNAL: { app: 'shop', key: 'Deployment/default/web' },
  PORT_IN_USE: { address: '127.0.0.1', port: 8080 },
};

const CODES = Object.keys(REPRESENTATIVE) as ErrorCode[];

describe('BerthError data', () => {
  it.each(CODES)('%s: the error keeps its data and isBerthError knows its code', (code) => {
    const err = new BerthError(code, 'message', REPRESENTATIVE[code]);
    expect(err.data).toEqual(REPRESENTATIVE[code]);
    expect(err).toBeInstanceOf(BerthError);
    expect(err).toBeInstanceOf(Error);
    expect(isBerthError(err)).toBe(true);
    expect(isBerthError(err, code)).toBe(true);
    expect(CODES.filter((other) => isBerthError(err, other))).toEqual([code]);
  });

  it.each([
    ['a plain Error', new Error('x')],
    ['an error-like object', { name: 'BerthError', code: 'USAGE', data: {}, message: 'x' }],
    ['undefined', undefined],
  ])('isBerthError is false for %s', (_, value) => {
    expect(isBerthError(value)).toBe(false);
    expect(isBerthError(value, 'USAGE')).toBe(false);
    expect(value instanceof BerthError).toBe(false);
  });

  it('gives data {} when a code whose fields are all optional gets none', () => {
    expect(new BerthError('TIMEOUT', 'gave up').data).toEqual({});
  });

  it('narrows data to the code isBerthError or a code check names', () => {
    // What a catch clause holds: typed unknown, each check on a value of its own.
    const caught = (): unknown => new BerthError('SOURCE_ERROR', 'x', REPRESENTATIVE.SOURCE_ERROR);
    const a = caught();
    if (!isBerthError(a, 'SOURCE_ERROR')) return expect.unreachable('isBerthError(err, its code) is true');
    expectTypeOf(a).toEqualTypeOf<BerthError<'SOURCE_ERROR'>>();
    expectTypeOf(a.data).toEqualTypeOf<ErrorData<'SOURCE_ERROR'>>();
    expect(a.data.candidates).toEqual(['abcd1', 'abcd2']);
    // instanceof narrows to a union on code, so comparing the code narrows data as well.
    const b = caught();
    if (!(b instanceof BerthError)) return expect.unreachable('a BerthError is an instance of BerthError');
    expectTypeOf(b).toEqualTypeOf<AnyBerthError>();
    expectTypeOf(b.code).toEqualTypeOf<ErrorCode>();
    expectTypeOf(b.data.hint).toEqualTypeOf<string | undefined>();
    if (b.code !== 'SOURCE_ERROR') return expect.unreachable('the code is kept');
    expectTypeOf(b.data).toEqualTypeOf<ErrorData<'SOURCE_ERROR'>>();
    expect(b.data.reason).toBe('ambiguous');
    const c = caught();
    if (!isBerthError(c)) return expect.unreachable('isBerthError(err) is true');
    expectTypeOf(c).toEqualTypeOf<AnyBerthError>();
  });

  it('refuses, at compile time, data a code does not have', () => {
    // Never called: the checks are the @ts-expect-error lines, which fail the typecheck when the
    // line compiles.
    const wrong = () => [
      // @ts-expect-error a field VOLUME_ERROR does not have
      new BerthError('VOLUME_ERROR', 'x', { reason: 'not-found', statusCode: 404 }),
      // @ts-expect-error a reason that is not one of VOLUME_ERROR's
      new BerthError('VOLUME_ERROR', 'x', { reason: 'gone' }),
      // @ts-expect-error INPUT_UNREADABLE always says why (data.reason)
      new BerthError('INPUT_UNREADABLE', 'x'),
      // @ts-expect-error SOURCE_UNREACHABLE always names the remote and the attempt
      new BerthError('SOURCE_UNREACHABLE', 'x', { reason: 'network' }),
    ];
    expect(typeof wrong).toBe('function');
  });
});

// ---------------------------------------------------------------- docs/errors.md lists the data

/** Every field of T (a union: of any member), `name?` when some shape may leave it out. */
type AllKeys<T> = T extends unknown ? keyof T : never;
type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];
type OptionalIn<T, K> = T extends unknown ? (K extends RequiredKeys<T> ? never : K) : never;
type Field<T> = Exclude<AllKeys<T>, OptionalIn<T, AllKeys<T>>> | `${OptionalIn<T, AllKeys<T>> & string}?`;
/** The fields docs/errors.md lists per code: all but `hint`, which every code may carry. */
type DocumentedField<C extends ErrorCode> = Exclude<Field<ErrorDataMap[C]>, 'hint?'>;

const DATA_FIELDS = {
  USAGE: ['flag?', 'flags?', 'value?', 'arg?', 'output?', 'resource?', 'target?', 'selector?', 'position?', 'registry?', 'listen?', 'apiHost?', 'app?', 'path?', 'directory?', 'repo?', 'refExists?', 'key?', 'revision?', 'pod?', 'container?', 'containers?', 'state?', 'service?', 'serviceKey?', 'portName?', 'address?', 'port?'],
  INPUT_UNREADABLE: ['reason', 'path?', 'dotgit?', 'workTree?', 'ref?', 'url?', 'commit?', 'candidates?', 'attempt?', 'cacheReset?', 'problems?'],
  INVALID_MANIFESTS: ['schedule?'],
  INVALID_CONFIG: ['path', 'problems?'],
  NOT_FOUND: ['key?', 'app?', 'namespace?', 'pod?', 'container?', 'service?', 'deployment?', 'port?', 'revision?', 'resource?'],
  AMBIGUOUS: [],
  CONFLICT: ['port?', 'protocol?', 'service?', 'serviceKey?', 'portName?', 'app?', 'heldBy?', 'listener?'],
  ROLLOUT_FAILED: [],
  TIMEOUT: ['app?', 'heldBy?'],
  DOCKER_UNREACHABLE: ['errno?'],
  DOCKER_ERROR: ['doing?', 'statusCode?', 'pod?', 'container?', 'exitCode?'],
  SOURCE_UNREACHABLE: ['reason', 'url', 'attempt', 'status?', 'hostKey?', 'knownHostsFile?'],
  SOURCE_ERROR: ['reason', 'ref?', 'url?', 'path?', 'commit?', 'candidates?', 'attempt?', 'cacheReset?', 'problems?'],
  STORE_ERROR: ['op?', 'sqliteCode?', 'dir?', 'file?', 'journalMode?', 'schemaVersion?', 'supportedVersion?', 'key?', 'fault?', 'integrity?'],
  LEASE_HELD: ['app', 'heldBy?', 'expiresAt?'],
  POLICY_DENIED: ['refused', 'app?', 'key?', 'revision?'],
  NOT_OWNED: ['container?', 'network?', 'volume?'],
  IMAGE_UNAVAILABLE: ['image', 'registry?', 'invalidReference?'],
  VOLUME_ERROR: ['reason', 'mount?', 'path?', 'root?', 'subPathExpr?', 'type?', 'found?'],
  INTERNAL: ['app?', 'id?', 'key?', 'part?', 'file?', 'dir?', 'binaryPath?', 'arch?'],
  PORT_IN_USE: ['address', 'port'],
} as const satisfies { [C in ErrorCode]: readonly DocumentedField<C>[] };

describe('docs/errors.md', () => {
  it('DATA_FIELDS lists every field of every code (a compile-time check)', () => {
    type Unlisted = { [C in ErrorCode]: Exclude<DocumentedField<C>, (typeof DATA_FIELDS)[C][number]> };
    expectTypeOf<Unlisted>().toEqualTypeOf<{ [C in ErrorCode]: never }>();
    expect(Object.keys(DATA_FIELDS).sort()).toEqual([...CODES].sort());
  });

  it.each(CODES)('lists the data fields of %s', (code) => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const line = doc.split('\n').find((l) => l.startsWith(`- \`${code}\`: `));
    expect(line, `docs/errors.md has a "- \`${code}\`: ..." line under "Error data"`).toBeDefined();
    const listed = line!.slice(`- \`${code}\`: `.length).split(' — ')[0]!;
    const fields = listed === 'none.' ? [] : [...listed.matchAll(/`([A-Za-z]+\??)`/g)].map((m) => m[1]);
    expect(fields.sort()).toEqual([...DATA_FIELDS[code]].sort());
  });
});
