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
  // 2: tokens, channels, the durable outbox and the send ledger the pacing reads.
  async (db) => {
    await sql`create table tokens (
      id text primary key,
      email text not null,
      admin integer not null default 0,
      hash text not null unique,
      created_at integer not null,
      revoked_at integer
    )`.execute(db);
    await sql`create table channels (
      id text primary key,
      name text not null,
      provider text not null,
      host text not null,
      port integer not null,
      security text not null,
      username text not null,
      password_enc text not null,
      scope text not null,
      domains text not null,
      owner_token_id text not null,
      owner_email text not null,
      limits text not null,
      status text not null,
      held_until integer,
      held_reason text,
      created_at integer not null,
      updated_at integer not null,
      deleted_at integer
    )`.execute(db);
    await sql`create table messages (
      id text primary key,
      token_id text not null,
      channel_id text not null,
      idempotency_key text not null,
      request_hash text not null,
      payload text not null,
      message_id text not null,
      subject text not null,
      to_list text not null,
      recipients integer not null,
      status text not null,
      attempts integer not null default 0,
      last_error text,
      created_at integer not null,
      send_at integer,
      next_attempt_at integer not null,
      sent_at integer,
      updated_at integer not null,
      unique (token_id, idempotency_key)
    )`.execute(db);
    await sql`create index messages_due on messages (status, next_attempt_at)`.execute(db);
    await sql`create index messages_channel on messages (channel_id, status)`.execute(db);
    await sql`create index messages_token on messages (token_id, created_at)`.execute(db);
    await sql`create table ledger (
      id integer primary key autoincrement,
      channel_id text not null,
      message_id text not null,
      at integer not null,
      recipients integer not null
    )`.execute(db);
    await sql`create index ledger_channel_at on ledger (channel_id, at)`.execute(db);
  },
  // 3: the worker's queue index: only mail still waiting, per channel, in send order.
  // Queries must spell the same literal status list (see delivery/worker.ts WAITING) for SQLite to use it.
  async (db) => {
    await sql`create index messages_waiting on messages (channel_id, next_attempt_at, created_at) where status in ('queued', 'scheduled', 'retrying')`.execute(db);
  },
  // 4: Office 365 with modern authentication. A channel authenticates with a password or with OAuth 2.0;
  // an OAuth channel's grant (refresh token and current access token, both sealed like passwords) lives beside it.
  async (db) => {
    await sql`alter table channels add column auth text not null default 'password'`.execute(db);
    await sql`create table oauth_grants (
      channel_id text primary key,
      issuer text not null,
      client_id text not null,
      tenant_id text,
      subject text not null,
      refresh_enc text not null,
      access_enc text,
      access_expires_at integer,
      access_obtained_at integer,
      generation integer not null default 1,
      created_at integer not null,
      updated_at integer not null
    )`.execute(db);
  },
  // 5: the suppression list (unsubscribed recipients, per sending domain), checked before every send.
  async (db) => {
    await sql`create table suppressions (
      domain text not null,
      address text not null,
      source text not null,
      created_at integer not null,
      primary key (domain, address)
    )`.execute(db);
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
