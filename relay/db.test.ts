import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cachingDatabase } from './db';

describe('cachingDatabase (prepared statements for Kysely)', () => {
  it('prepares each SQL text once and reuses the statement', () => {
    const sqlite = new Database(':memory:');
    const db = cachingDatabase(sqlite);
    const a = db.prepare('select 1 as x');
    const b = db.prepare('select 1 as x');
    expect(b).toBe(a);
    expect(db.prepare('select 2 as x')).not.toBe(a);
    db.close();
    expect(sqlite.open).toBe(false);
  });

  it('never hands out a statement that is still being iterated', () => {
    const sqlite = new Database(':memory:');
    sqlite.exec('create table t (v); insert into t values (1), (2)');
    const db = cachingDatabase(sqlite);
    const first = db.prepare('select v from t');
    const it = first.iterate([]);
    it.next();
    const second = db.prepare('select v from t');
    expect(second).not.toBe(first);
    expect(second.all([])).toEqual([{ v: 1 }, { v: 2 }]);
    it.return?.();
    db.close();
  });

  it('keeps at most `max` statements, dropping the least recently used', () => {
    const sqlite = new Database(':memory:');
    const db = cachingDatabase(sqlite, 2);
    const one = db.prepare('select 1');
    db.prepare('select 2');
    db.prepare('select 1'); // used again: now the most recent
    db.prepare('select 3'); // evicts "select 2"
    expect(db.prepare('select 1')).toBe(one);
    const two = db.prepare('select 2');
    expect(db.prepare('select 2')).toBe(two);
    db.close();
  });
});
