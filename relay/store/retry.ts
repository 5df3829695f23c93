import type { RelayDb } from '../db';
import { getOwnMessage } from './messages';

/** What "Retry" can bring back: mail that failed for good, or that the rep cancelled. */
export const RETRYABLE = ['failed', 'cancelled'] as const;

/**
 * Puts a failed or cancelled message back in the queue, due now, keeping its
 * Message-ID (a rep's retry of the same mail is the same mail), as long as it
 * still has its content.
 */
export async function requeue(db: RelayDb, tokenId: string, id: string, now: number): Promise<'queued' | 'not_found' | 'conflict'> {
  const r = await db
    .updateTable('messages')
    .set({ status: 'queued', attempts: 0, next_attempt_at: now, updated_at: now })
    .where('id', '=', id)
    .where('token_id', '=', tokenId)
    .where('status', 'in', RETRYABLE)
    // Its content is still there (a sent message's is dropped).
    .where((eb) => eb.exists(eb.selectFrom('message_payloads').select('message_id').whereRef('message_payloads.message_id', '=', 'messages.id')))
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) return 'queued';
  return (await getOwnMessage(db, tokenId, id)) ? 'conflict' : 'not_found';
}
