import { sql, type Kysely } from 'kysely';

/**
 * Ordered, append-only migrations. Each runs once, inside a transaction, and
 * is recorded in the meta table under "schema_version".
 */
const MIGRATIONS: ((db: Kysely<any>) => Promise<void>)[] = [
  async (db) => {
    await db.schema
      .createTable('meta')
      .ifNotExists()
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
];

export async function migrate(db: Kysely<any>): Promise<void> {
  await sql`create table if not exists meta (key text primary key, value text not null)`.execute(db);
  const row = await db.selectFrom('meta').select('value').where('key', '=', 'schema_version').executeTakeFirst();
  let version = row ? Number(row.value) : 0;
  while (version < MIGRATIONS.length) {
    const step = MIGRATIONS[version]!;
    await db.transaction().execute(async (trx) => {
      await step(trx);
      await trx
        .insertInto('meta')
        .values({ key: 'schema_version', value: String(version + 1) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(version + 1) }))
        .execute();
    });
    version++;
  }
}
