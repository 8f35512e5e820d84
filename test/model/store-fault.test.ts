import { describe, expect, it } from 'vitest';
import { BerthError } from '../../src/model/errors.js';
import { faultOfSqliteCode, storeFaultOf } from '../../src/model/store-fault.js';

describe('store faults', () => {
  it.each([
    ['SQLITE_CORRUPT', 'corrupt'],
    ['SQLITE_CORRUPT_INDEX', 'corrupt'],
    ['SQLITE_NOTADB', 'corrupt'],
    ['SQLITE_FULL', 'full'],
    ['SQLITE_READONLY', 'readonly'],
    ['SQLITE_READONLY_DBMOVED', 'readonly'],
    ['SQLITE_CANTOPEN', 'readonly'],
    ['SQLITE_IOERR_WRITE', 'io'],
    ['SQLITE_BUSY', 'error'],
  ])('%s is %s', (code, fault) => {
    expect(faultOfSqliteCode(code)).toBe(fault);
  });

  const sqlite = (code: string) => Object.assign(new Error('sqlite says no'), { code });
  it.each([
    ['a STORE_ERROR naming the SQLite code', new BerthError('STORE_ERROR', 'x', { op: 'addEvent', sqliteCode: 'SQLITE_FULL' }), 'full'],
    ['a STORE_ERROR wrapped in another error', new BerthError('INTERNAL', 'pass', {}, { cause: new BerthError('STORE_ERROR', 'x', { sqliteCode: 'SQLITE_CORRUPT' }) }), 'corrupt'],
    ["SQLite's own error", sqlite('SQLITE_IOERR_SHORT_READ'), 'io'],
    ['a STORE_ERROR without a SQLite code', new BerthError('STORE_ERROR', 'unreadable host key', { key: 'k' }), 'error'],
    ['a Docker error', new BerthError('DOCKER_ERROR', 'no', {}), undefined],
    ['a plain error', new Error('boom'), undefined],
    ['not an error', 'boom', undefined],
  ])('%s', (_, err, fault) => {
    expect(storeFaultOf(err)).toBe(fault);
  });
});
