import type { Selectable, Transaction } from 'kysely';
import type { MessageStatus, MessageView, SendMessageRequest } from '../../shared/schemas/relay-api';
import type { RelayDb } from '../db';
import type { DB, MessagesTable } from '../schema';
import { prepared } from './prepared';
import { WAITING_SQL } from './waiting';

export type MessageRow = Selectable<MessagesTable>;

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

export function messageView(r: MessageRow, now: number): MessageView {
  // A scheduled message whose time has come is waiting in the queue like any other.
  const status = r.status === 'scheduled' && (r.send_at ?? 0) <= now ? 'queued' : (r.status as MessageStatus);
  const view: MessageView = {
    id: r.id,
    channelId: r.channel_id,
    status,
    attempts: r.attempts,
    messageId: r.message_id,
    subject: r.subject,
    to: JSON.parse(r.to_list) as string[],
    recipients: r.recipients,
    createdAt: new Date(r.created_at).toISOString(),
  };
  if (r.last_error) view.lastError = r.last_error;
  if (r.send_at !== null) view.sendAt = iso(r.send_at);
  if (r.status === 'retrying' || (r.status === 'queued' && r.next_attempt_at > now)) view.nextAttemptAt = iso(r.next_attempt_at);
  if (r.sent_at !== null) view.sentAt = iso(r.sent_at);
  return view;
}

export interface NewMessage {
  id: string;
  tokenId: string;
  channelId: string;
  idempotencyKey: string;
  requestHash: string;
  request: SendMessageRequest;
  /** The request as canonical JSON (canonical-json.ts), hashed into requestHash and stored as the content. */
  content: string;
  messageId: string;
  to: string[];
  recipients: number;
  sendAt: number | null;
  now: number;
}

/**
 * The durable insert behind a 202: the message and its content, in the caller's transaction. Returns the
 * existing row instead when the same token already used this idempotency key (the unique index decides,
 * so two concurrent requests cannot both insert).
 */
export async function insertMessage(trx: Transaction<DB>, m: NewMessage): Promise<{ row: MessageRow; created: boolean }> {
  const scheduled = m.sendAt !== null && m.sendAt > m.now;
  // The row exactly as the statement below stores it: no RETURNING, which SQLite runs through a temporary table.
  const row: MessageRow = {
    id: m.id,
    token_id: m.tokenId,
    channel_id: m.channelId,
    idempotency_key: m.idempotencyKey,
    request_hash: m.requestHash,
    message_id: m.messageId,
    subject: m.request.subject,
    to_list: JSON.stringify(m.to),
    recipients: m.recipients,
    status: scheduled ? 'scheduled' : 'queued',
    attempts: 0,
    last_error: null,
    created_at: m.now,
    send_at: m.sendAt,
    next_attempt_at: scheduled ? m.sendAt! : m.now,
    sent_at: null,
    updated_at: m.now,
    claimed_by: null,
    lease_until: null,
  };
  const inserted = await insertRow(trx, row);
  if (Number(inserted.numAffectedRows) === 1) {
    await insertContent(trx, { id: m.id, payload: m.content });
    return { row, created: true };
  }
  const existing = await trx
    .selectFrom('messages')
    .selectAll()
    .where('token_id', '=', m.tokenId)
    .where('idempotency_key', '=', m.idempotencyKey)
    .executeTakeFirstOrThrow();
  return { row: existing, created: false };
}

/** Every message accepted runs these two. */
const insertRow = prepared<MessageRow>((db, v) =>
  db
    .insertInto('messages')
    .values({
      id: v.id,
      token_id: v.token_id,
      channel_id: v.channel_id,
      idempotency_key: v.idempotency_key,
      request_hash: v.request_hash,
      message_id: v.message_id,
      subject: v.subject,
      to_list: v.to_list,
      recipients: v.recipients,
      status: v.status,
      attempts: v.attempts,
      last_error: v.last_error,
      created_at: v.created_at,
      send_at: v.send_at,
      next_attempt_at: v.next_attempt_at,
      sent_at: v.sent_at,
      updated_at: v.updated_at,
      claimed_by: v.claimed_by,
      lease_until: v.lease_until,
    })
    .onConflict((oc) => oc.columns(['token_id', 'idempotency_key']).doNothing()),
);
const selectContent = prepared<{ id: string }, { payload: string }>((db, v) => db.selectFrom('message_payloads').select('payload').where('message_id', '=', v.id));
const insertContent = prepared<{ id: string; payload: string }>((db, v) => db.insertInto('message_payloads').values({ message_id: v.id, payload: v.payload }));

/** A message's content as accepted, or undefined once it is gone (sent). */
export async function getPayload(db: RelayDb | Transaction<DB>, id: string): Promise<SendMessageRequest | undefined> {
  const row = (await selectContent(db, { id })).rows[0];
  return row ? (JSON.parse(row.payload) as SendMessageRequest) : undefined;
}

/** Drops a sent message's content (body, attachments); the metadata the API shows stays. */
export async function dropPayload(trx: Transaction<DB>, id: string): Promise<void> {
  await deleteContent(trx, { id });
}

const deleteContent = prepared<{ id: string }>((db, v) => db.deleteFrom('message_payloads').where('message_id', '=', v.id));

export async function getOwnMessage(db: RelayDb, tokenId: string, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).where('token_id', '=', tokenId).executeTakeFirst();
}

export async function listOwnMessages(db: RelayDb, tokenId: string, statuses: string[] | undefined, limit: number, before?: number): Promise<MessageRow[]> {
  let q = db.selectFrom('messages').selectAll().where('token_id', '=', tokenId);
  if (statuses?.length) q = q.where('status', 'in', statuses);
  if (before !== undefined) q = q.where('created_at', '<', before);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Cancels a message that is not yet being sent. Returns the row after, or why not. */
export async function cancelMessage(db: RelayDb, tokenId: string, id: string, now: number): Promise<'cancelled' | 'not_found' | 'conflict'> {
  const r = await db
    .updateTable('messages')
    .set({ status: 'cancelled', updated_at: now })
    .where('id', '=', id)
    .where('token_id', '=', tokenId)
    .where(WAITING_SQL)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) return 'cancelled';
  const row = await getOwnMessage(db, tokenId, id);
  return row ? 'conflict' : 'not_found';
}
