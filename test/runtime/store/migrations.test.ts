import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/runtime/store/database.js';
import { migrate, readSchemaVersion, type Migration } from '../../../src/runtime/store/migrations.js';
import { thrown } from './harness.js';

const v1: Migration = { version: 1, description: 'things', sql: 'CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;' };
const v2: Migration = { version: 2, description: 'things.colour', sql: "ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'blue';" };
const broken: Migration = { version: 3, description: 'fails half way', sql: 'CREATE TABLE half (x INTEGER); SELECT no_such_function();' };

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});
const memory = (): Db => {
  const db = new Database(':memory:');
  dbs.push(db);
  return db;
};
const tables = (db: Db) =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();

describe('migrate', () => {
  it.each([
    { name: 'empty → newest in one go', steps: [[v1, v2]], want: { from: 0, to: 2 } },
    { name: 'one version at a time', steps: [[v1], [v1, v2]], want: { from: 1, to: 2 } },
    { name: 'already current', steps: [[v1, v2], [v1, v2]], want: { from: 2, to: 2 } },
  ])('$name', ({ steps, want }) => {
    const db = memory();
    let result = { from: -1, to: -1 };
    for (const migrations of steps) result = migrate(db, migrations);
    expect(result).toEqual(want);
    expect(readSchemaVersion(db)).toBe(2);
    expect(tables(db)).toEqual(['meta', 'things']);
  });

  it('keeps rows written under an older schema', () => {
    const db = memory();
    migrate(db, [v1]);
    db.prepare("INSERT INTO things (name) VALUES ('a')").run();
    migrate(db, [v1, v2]);
    expect(db.prepare('SELECT name, colour FROM things').all()).toEqual([{ name: 'a', colour: 'blue' }]);
  });

  it('leaves the schema untouched when a step fails', () => {
    const db = memory();
    migrate(db, [v1]);
    expect(thrown(() => migrate(db, [v1, v2, broken]))).toBeInstanceOf(Error);
    expect(readSchemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['meta', 'things']);
    expect(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('things')).toEqual(['id', 'name']);
  });

  it.each([
    { name: 'newer', value: '7', data: { schemaVersion: 7, supportedVersion: 2 } },
    { name: 'unreadable', value: 'seven', data: { schemaVersion: 'seven' } },
  ])('refuses a $name schema version with STORE_ERROR', ({ value, data }) => {
    const db = memory();
    migrate(db, [v1]);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(value);
    expect(thrown(() => migrate(db, [v1, v2]))).toMatchObject({ code: 'STORE_ERROR', data });
  });
});
