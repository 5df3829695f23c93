import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrate } from './migrations';

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

    await migrate(db, 'sqlite');

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
