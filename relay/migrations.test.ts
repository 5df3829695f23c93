import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrate } from './migrations';
import { WAITING_SQL } from './store/waiting';

describe('migration 7: message content in its own table', () => {
  it('moves the content of unsent mail over, drops what sent mail had left (nothing) and the old column', async () => {
    const sqlite = new Database(':memory:');
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrate(db, 'sqlite', 6);
    const row = (id: string, status: string, payload: string) => ({
      id,
      token_id: 'tok_1',
      channel_id: 'ch_1',
      idempotency_key: id,
      request_hash: 'h',
      payload,
      message_id: `<${id}@example.com>`,
      subject: 'Hello',
      to_list: '["lead@customer.test"]',
      recipients: 1,
      status,
      created_at: 1,
      next_attempt_at: 1,
      updated_at: 1,
    });
    const queued = JSON.stringify({ channelId: 'ch_1', from: 'rep@example.com', to: ['lead@customer.test'], subject: 'Hello', text: 'Body of the queued one' });
    await db.insertInto('messages').values([row('m_queued', 'queued', queued), row('m_sent', 'sent', ''), row('m_failed', 'failed', queued.replace('queued one', 'failed one'))]).execute();

    await migrate(db, 'sqlite', 7);

    const content = await db.selectFrom('message_payloads').selectAll().orderBy('message_id').execute();
    expect(content).toEqual([
      { message_id: 'm_failed', payload: queued.replace('queued one', 'failed one') },
      { message_id: 'm_queued', payload: queued },
    ]);
    const columns = (await sql<{ name: string }>`pragma table_info(messages)`.execute(db)).rows.map((c) => c.name);
    expect(columns).not.toContain('payload');
    expect(columns).toEqual(expect.arrayContaining(['id', 'status', 'subject', 'to_list', 'claimed_by', 'lease_until']));
    // Every message is still there, with its metadata.
    expect(await db.selectFrom('messages').select(['id', 'status']).orderBy('id').execute()).toEqual([
      { id: 'm_failed', status: 'failed' },
      { id: 'm_queued', status: 'queued' },
      { id: 'm_sent', status: 'sent' },
    ]);
    const version = await db.selectFrom('meta').select('value').where('key', '=', 'schema_version').executeTakeFirstOrThrow();
    expect(version.value).toBe('7');
    await db.destroy();
  });
});

describe('migration 8: queue indexes that cost less to write', () => {
  async function migrated() {
    const sqlite = new Database(':memory:');
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrate(db, 'sqlite');
    return { sqlite, db };
  }
  /** How many temporary tables SQLite opens to run `text` (EXPLAIN lists one OpenEphemeral each). */
  const temporaryTables = (sqlite: Database.Database, text: string) =>
    (sqlite.prepare(`explain ${text}`).all() as { opcode: string }[]).filter((op) => op.opcode === 'OpenEphemeral').length;

  it('replaces messages_waiting and messages_due with messages_queue and messages_sending', async () => {
    const { sqlite, db } = await migrated();
    const indexes = sqlite.prepare(`select name from sqlite_master where type = 'index' and tbl_name = 'messages' and sql is not null order by name`).all();
    expect(indexes.map((i: any) => i.name)).toEqual(['messages_channel', 'messages_queue', 'messages_sending', 'messages_token']);
    await db.destroy();
  });

  it('writes a message, claims it and records the result without a temporary table', async () => {
    const { sqlite, db } = await migrated();
    const insert = `insert into messages (id, token_id, channel_id, idempotency_key, request_hash, message_id, subject, to_list, recipients, status, created_at, next_attempt_at, updated_at)
      values ('m', 't', 'c', 'k', 'h', '<m@x>', 's', '[]', 1, 'queued', 1, 1, 1) on conflict (token_id, idempotency_key) do nothing`;
    expect(temporaryTables(sqlite, insert)).toBe(0);
    const waiting = WAITING_SQL.compile(db).sql;
    expect(temporaryTables(sqlite, `update messages set status = 'sending', attempts = attempts + 1 where id = 'm' and attempts = 0 and ${waiting}`)).toBe(0);
    expect(temporaryTables(sqlite, `update messages set status = 'sent', sent_at = 2 where id = 'm'`)).toBe(0);
    // The old spelling, for contrast: a three-value list is tested through a temporary table.
    expect(temporaryTables(sqlite, `update messages set status = 'sending' where id = 'm' and status in ('queued', 'scheduled', 'retrying')`)).toBeGreaterThan(0);
    await db.destroy();
  });

  it('serves the worker\'s look-ups from the new indexes', async () => {
    const { sqlite, db } = await migrated();
    const plan = (text: string) => (sqlite.prepare(`explain query plan ${text}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    const waiting = WAITING_SQL.compile(db).sql;
    expect(plan(`select id from messages where channel_id = 'c' and ${waiting} and next_attempt_at <= 5 order by next_attempt_at, created_at limit 2`)).toMatch(
      /USING INDEX messages_queue \(channel_id=\? AND next_attempt_at<\?\)/,
    );
    expect(plan(`select id from messages where status = 'sending' and claimed_by = 'r'`)).toMatch(/USING INDEX messages_sending/);
    await db.destroy();
  });
});
