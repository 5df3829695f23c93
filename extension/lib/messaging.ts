import type { z } from 'zod';
import { Reply, SendwayError, messages, type Messages, type MessageType } from '../../shared/messages';

/**
 * Sends a typed message to the background and returns its validated answer.
 * Throws SendwayError with a message meant for the rep on any failure.
 */
export async function send<K extends MessageType>(
  type: K,
  payload: z.input<Messages[K]['request']>,
): Promise<z.output<Messages[K]['response']>> {
  let raw: unknown;
  try {
    raw = await browser.runtime.sendMessage({ type, payload });
  } catch (error) {
    throw new SendwayError('unreachable', `Sendway's background is not responding (${String(error)})`);
  }
  const reply = Reply.safeParse(raw);
  if (!reply.success) throw new SendwayError('bad_reply', `Unexpected reply to ${type}`);
  if (!reply.data.ok) throw new SendwayError(reply.data.error.code, reply.data.error.message, reply.data.error.field);
  return messages[type].response.parse(reply.data.data) as z.output<Messages[K]['response']>;
}
