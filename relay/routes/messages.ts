import crypto from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { checkMessageFits } from '../../shared/limits';
import { addressOf, recipientCount } from '../../shared/schemas/mail';
import { Id, MessageList, MessageStatus, SendMessageRequest, type SendMessageResponse } from '../../shared/schemas/relay-api';
import { channelDenial, domainOf, fromDenial } from '../auth/access';
import type { AuthEnv } from '../middleware/auth';
import { apiError } from '../middleware/errors';
import { validJson, validQuery } from '../middleware/validate';
import { canonicalJson } from '../store/canonical-json';
import { getChannel } from '../store/channels';
import { cancelMessage, getOwnMessage, insertMessage, listOwnMessages, messageView } from '../store/messages';
import { timeOrderedId } from '../security/random-id';
import { suppressionDenial } from '../store/suppressions';
import type { RouteDeps } from './deps';

const IdempotencyKey = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'must be 1 to 200 printable ASCII characters');
/** How far ahead a message may be scheduled. */
const MAX_SCHEDULE_MS = 366 * 24 * 60 * 60_000;

export const ListMessagesQuery = z
  .object({
    status: z
      .string()
      .max(200)
      .transform((s) => s.split(',').filter(Boolean))
      .pipe(z.array(MessageStatus).max(7))
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export function messageRoutes(deps: RouteDeps) {
  const app = new Hono<AuthEnv>();
  const { db, clock } = deps;

  app.post('/', validJson(SendMessageRequest), async (c) => {
    const token = c.get('token');
    const key = IdempotencyKey.safeParse(c.req.header('Idempotency-Key'));
    if (!key.success) {
      const missing = c.req.header('Idempotency-Key') === undefined;
      return apiError(c, 400, 'invalid_request', missing ? 'an Idempotency-Key header is required, so a retried request never sends twice' : `Idempotency-Key: ${key.error.issues[0]!.message}`, 'Idempotency-Key');
    }
    const body = c.req.valid('json');
    const now = clock.now();
    let sendAt: number | null = null;
    if (body.sendAt !== undefined) {
      sendAt = Date.parse(body.sendAt);
      if (!Number.isFinite(sendAt)) return apiError(c, 400, 'invalid_request', 'sendAt: not a real date', 'sendAt');
      if (sendAt - now > MAX_SCHEDULE_MS) return apiError(c, 400, 'invalid_request', 'sendAt: at most one year ahead', 'sendAt');
    }
    const channel = Id.safeParse(body.channelId).success ? await getChannel(db, body.channelId) : undefined;
    if (!channel) return apiError(c, 404, 'not_found', 'channelId: no such channel', 'channelId');
    const denied = channelDenial(token, channel);
    if (denied) return apiError(c, 403, 'forbidden', denied, 'channelId');
    const fromBad = fromDenial(token, channel, addressOf(body.from));
    if (fromBad) return apiError(c, 403, 'forbidden', fromBad, 'from');
    const recipients = recipientCount(body);
    const fit = checkMessageFits(channel.limits, recipients);
    if (fit) {
      return apiError(c, 422, 'too_many_recipients', `this message has ${fit.recipients} recipients; the channel allows at most ${fit.limit} per message`, 'to');
    }

    // Nobody who unsubscribed from the sender's domain gets mail from it again.
    const suppressed = await suppressionDenial(db, body);
    if (suppressed) return apiError(c, 422, 'suppressed', suppressed.message, suppressed.field);

    const content = canonicalJson(body);
    const requestHash = crypto.createHash('sha256').update(content).digest('hex');
    const messageId = `<${crypto.randomUUID()}@${domainOf(addressOf(body.from))}>`;
    const { row, created } = await deps.commits.run((trx) => insertMessage(trx, {
      id: timeOrderedId('msg', now),
      tokenId: token.id,
      channelId: channel.id,
      idempotencyKey: key.data,
      requestHash,
      request: body,
      content,
      messageId,
      to: body.to.map(addressOf),
      recipients,
      sendAt,
      now,
    }));
    if (!created && row.request_hash !== requestHash) {
      return apiError(c, 409, 'idempotency_key_reused', 'this Idempotency-Key was already used for a different message', 'Idempotency-Key');
    }
    if (created) {
      deps.notify(channel.id, row.next_attempt_at, { id: row.id, request: body, bytes: Number(c.req.header('Content-Length')) || content.length });
      c.get('log').info('message_accepted', { id: row.id, channelId: channel.id, tokenId: token.id, recipients, scheduled: row.status === 'scheduled' });
    } else {
      c.header('Idempotent-Replayed', 'true');
    }
    const view = messageView(row, now);
    return c.json({ id: view.id, status: view.status, messageId: view.messageId } satisfies SendMessageResponse, 202);
  });

  app.get('/', validQuery(ListMessagesQuery), async (c) => {
    const q = c.req.valid('query');
    const rows = await listOwnMessages(db, c.get('token').id, q.status, q.limit, q.before ? Date.parse(q.before) : undefined);
    const now = clock.now();
    return c.json(MessageList.parse({ messages: rows.map((r) => messageView(r, now)) }));
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const row = Id.safeParse(id).success ? await getOwnMessage(db, c.get('token').id, id) : undefined;
    if (!row) return apiError(c, 404, 'not_found', 'no such message', 'id');
    return c.json(messageView(row, clock.now()));
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    const tokenId = c.get('token').id;
    if (!Id.safeParse(id).success) return apiError(c, 404, 'not_found', 'no such message', 'id');
    const before = await getOwnMessage(db, tokenId, id);
    if (!before) return apiError(c, 404, 'not_found', 'no such message', 'id');
    if (before.status !== 'cancelled') {
      const r = await cancelMessage(db, tokenId, id, clock.now());
      if (r === 'conflict') {
        const row = (await getOwnMessage(db, tokenId, id))!;
        return apiError(c, 409, 'not_cancellable', `the message is ${row.status} and can no longer be cancelled`);
      }
      c.get('log').info('message_cancelled', { messageId: id, channelId: before.channel_id, tokenId });
    }
    return c.json(messageView((await getOwnMessage(db, tokenId, id))!, clock.now()));
  });

  return app;
}
