import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, WithSchemaPlugin, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrate } from '../migrations';
import type { DB } from '../schema';
import { runPreparedDirectly } from './direct-sqlite';
import { prepared } from './prepared';

async function db() {
  const k = new Kysely<DB>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await migrate(k, 'sqlite');
  return k;
}

describe('prepared statements', () => {
  it('runs the statement with each call\'s values, constants kept, a value used twice filled twice', async () => {
    const k = await db();
    const insert = prepared<{ id: string; email: string; hash: string; now: number }>((d, v) =>
      d.insertInto('tokens').values({ id: v.id, email: v.email, admin: 0, hash: v.hash, created_at: v.now, revoked_at: null }),
    );
    await insert(k, { id: 'tok_1', email: 'a@x.test', hash: 'h1', now: 1 });
    await insert(k, { id: 'tok_2', email: 'b@x.test', hash: 'h2', now: 2 });
    const find = prepared<{ hash: string; since: number }, { id: string; email: string }>((d, v) =>
      d.selectFrom('tokens').select(['id', 'email']).where('hash', '=', v.hash).where('revoked_at', 'is', null).where('created_at', '>=', v.since).where('created_at', '<=', sql<number>`${v.since} + 1000`),
    );
    expect((await find(k, { hash: 'h2', since: 0 })).rows).toEqual([{ id: 'tok_2', email: 'b@x.test' }]);
    expect((await find(k, { hash: 'h1', since: 0 })).rows).toEqual([{ id: 'tok_1', email: 'a@x.test' }]);
    expect((await find(k, { hash: 'h1', since: 5000 })).rows).toEqual([]);
    const revoke = prepared<{ now: number; id: string }>((d, v) => d.updateTable('tokens').set({ revoked_at: v.now }).where('id', '=', v.id).where('revoked_at', 'is', null));
    expect((await revoke(k, { now: 9, id: 'tok_1' })).numAffectedRows).toBe(1n);
    expect((await revoke(k, { now: 9, id: 'tok_1' })).numAffectedRows).toBe(0n);
    expect((await find(k, { hash: 'h1', since: 0 })).rows).toEqual([]);
    await k.destroy();
  });

  it('works inside a transaction, whose changes it sees', async () => {
    const k = await db();
    const count = prepared<{ email: string }, { n: number }>((d, v) => d.selectFrom('tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('email', '=', v.email));
    await k.transaction().execute(async (trx) => {
      await trx.insertInto('tokens').values({ id: 't', email: 'c@x.test', admin: 0, hash: 'h', created_at: 1, revoked_at: null }).execute();
      expect((await count(trx, { email: 'c@x.test' })).rows[0]!.n).toBe(1);
    });
    await k.destroy();
  });

  it('builds afresh for a Kysely instance with plugins, which may spell the statement its own way', async () => {
    const k = await db();
    const find = prepared<{ id: string }, { id: string }>((d, v) => d.selectFrom('tokens').select('id').where('id', '=', v.id));
    await k.insertInto('tokens').values({ id: 't1', email: 'e@x.test', admin: 0, hash: 'h', created_at: 1, revoked_at: null }).execute();
    expect((await find(k, { id: 't1' })).rows).toEqual([{ id: 't1' }]);
    // A plugin that puts the table in another schema: this instance gets its own statement (which fails,
    // there being no such schema), and the plain one keeps the cached statement.
    const elsewhere = k.withPlugin(new WithSchemaPlugin('nowhere'));
    await expect(find(elsewhere, { id: 't1' })).rejects.toThrow(/nowhere/);
    expect((await find(k, { id: 't1' })).rows).toEqual([{ id: 't1' }]);
    await k.destroy();
  });

  it('keeps quotes and SQL in values as data', async () => {
    const k = await db();
    const insert = prepared<{ id: string; email: string }>((d, v) => d.insertInto('tokens').values({ id: v.id, email: v.email, admin: 0, hash: v.id, created_at: 1, revoked_at: null }));
    const evil = "x'); drop table tokens; --";
    await insert(k, { id: 't1', email: evil });
    expect(await k.selectFrom('tokens').select('email').execute()).toEqual([{ email: evil }]);
    await k.destroy();
  });

  it('refuses a run that leaves a value out, rather than binding nothing', async () => {
    const k = await db();
    const find = prepared<{ id: string }>((d, v) => d.selectFrom('tokens').select('id').where('id', '=', v.id));
    expect(() => find(k, {} as { id: string })).toThrow(/needs a value for "id"/);
    // …and a statement that reads fewer values than a run passes (a column left out of `build`).
    const spread = prepared<{ id: string; email: string }>((d, v) => d.insertInto('tokens').values({ ...v, admin: 0, hash: 'h', created_at: 1 }));
    expect(() => spread(k, { id: 't', email: 'e@x.test' })).toThrow(/does not use the value "id"/);
    await k.destroy();
  });

  it('runs straight on a registered SQLite connection inside a transaction, as part of it, and outside one while none is open', async () => {
    const sqlite = new Database(':memory:');
    const ran: string[] = [];
    const k = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }), log: (e) => void ran.push(e.query.sql) });
    runPreparedDirectly(k, sqlite, () => sqlite.inTransaction);
    await migrate(k, 'sqlite');
    const insert = prepared<{ id: string }>((d, v) => d.insertInto('tokens').values({ id: v.id, email: 'e@x.test', admin: 0, hash: v.id, created_at: 1, revoked_at: null }));
    const revoke = prepared<{ id: string }>((d, v) => d.updateTable('tokens').set({ revoked_at: 2 }).where('id', '=', v.id));
    const find = prepared<{ id: string }, { id: string; revoked_at: number | null }>((d, v) => d.selectFrom('tokens').select(['id', 'revoked_at']).where('id', '=', v.id));
    ran.length = 0;

    await k.transaction().execute(async (trx) => {
      expect(await insert(trx, { id: 't1' })).toMatchObject({ numAffectedRows: 1n, insertId: 1n, rows: [] });
      expect((await revoke(trx, { id: 't1' })).numAffectedRows).toBe(1n);
      expect((await revoke(trx, { id: 'nobody' })).numAffectedRows).toBe(0n);
      expect((await find(trx, { id: 't1' })).rows).toEqual([{ id: 't1', revoked_at: 2 }]);
    });
    // Kysely ran only the transaction's begin and commit; the statements went to the connection.
    expect(ran).toEqual(['begin', 'commit']);

    // A failing transaction takes the statements run directly with it.
    await expect(
      k.transaction().execute(async (trx) => {
        await insert(trx, { id: 't2' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // A constraint error is a rejected promise, as through Kysely.
    await expect(k.transaction().execute((trx) => insert(trx, { id: 't1' }))).rejects.toThrow(/UNIQUE/);

    // Outside a transaction, with none open, directly too: it sees what is committed.
    ran.length = 0;
    expect((await find(k, { id: 't2' })).rows).toEqual([]);
    expect((await find(k, { id: 't1' })).rows).toEqual([{ id: 't1', revoked_at: 2 }]);
    expect(ran).toEqual([]);

    // While a transaction is open, a statement outside it goes through Kysely and waits for the connection:
    // it never runs inside someone else's transaction, and sees that transaction's writes only once committed.
    let later: Promise<{ rows: { id: string; revoked_at: number | null }[] }> | undefined;
    await k.transaction().execute(async (trx) => {
      await insert(trx, { id: 't3' });
      later = find(k, { id: 't3' });
      await new Promise((r) => setTimeout(r, 20));
      expect(ran).toEqual(['begin']);
    });
    expect((await later!).rows).toEqual([{ id: 't3', revoked_at: null }]);
    expect(ran).toEqual(['begin', 'commit', 'select "id", "revoked_at" from "tokens" where "id" = ?']);
    await k.destroy();
  });
});
