import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../relay/db';
import { projectDatabase } from '../helpers/postgres';

describe('a PostgreSQL connection dropped while a transaction holds it', () => {
  it('fails that transaction, and the process and the pool carry on', async () => {
    const url = await projectDatabase('dropped_connection');
    const store = await openPostgres(url);
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => void uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const failed = store.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        // Another session ends this transaction's backend while the relay holds the client between statements.
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
        await admin.end();
        await new Promise((r) => setTimeout(r, 300));
        await sql`select 1`.execute(trx);
      });
      await expect(failed).rejects.toThrow();
      // Before the fix the client's 'error' had no listener while handed out, which ends a relay process.
      expect(uncaught).toEqual([]);
      // The pool dropped the broken client: the next statement gets a working one.
      expect((await sql<{ ok: number }>`select 1 as ok`.execute(store.db)).rows).toEqual([{ ok: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await store.close();
    }
  });
});
