import { Hono } from 'hono';
import { SendMessageRequest, Id } from '../../shared/schemas/relay-api';
import { channelDenial } from '../auth/access';
import type { AuthEnv } from '../middleware/auth';
import { apiError } from '../middleware/errors';
import { getChannel } from '../store/channels';
import { getOwnMessage, getPayload, messageView } from '../store/messages';
import { RETRYABLE, requeue } from '../store/retry';
import { suppressionDenial } from '../store/suppressions';
import type { RouteDeps } from './deps';

/**
 * POST /v1/messages/:id/retry — a rep's "Retry" on a failed or cancelled message: back in
 * the queue with the same Message-ID, if the token may still use the channel
 * and no recipient has unsubscribed since.
 */
export function messageRetryRoutes(deps: RouteDeps) {
  const app = new Hono<AuthEnv>();
  app.post('/:id/retry', async (c) => {
    const id = c.req.param('id');
    const token = c.get('token');
    if (!Id.safeParse(id).success) return apiError(c, 404, 'not_found', 'no such message', 'id');
    const row = await getOwnMessage(deps.db, token.id, id);
    if (!row) return apiError(c, 404, 'not_found', 'no such message', 'id');
    if (!(RETRYABLE as readonly string[]).includes(row.status)) {
      return apiError(c, 409, 'not_retryable', `the message is ${row.status}; only a failed or cancelled message can be retried`);
    }
    const channel = await getChannel(deps.db, row.channel_id);
    if (!channel) return apiError(c, 409, 'channel_gone', 'the channel this message was sent through no longer exists');
    const denial = channelDenial(token, channel);
    if (denial) return apiError(c, 403, 'forbidden', denial);
    const payload = await getPayload(deps.db, id);
    if (payload) {
      const body = SendMessageRequest.safeParse(payload);
      if (body.success) {
        const suppressed = await suppressionDenial(deps.db, body.data);
        if (suppressed) return apiError(c, 422, 'suppressed', suppressed.message, suppressed.field);
      }
    }
    const now = deps.clock.now();
    const r = await requeue(deps.db, token.id, id, now);
    if (r === 'not_found') return apiError(c, 404, 'not_found', 'no such message', 'id');
    if (r === 'conflict') return apiError(c, 409, 'not_retryable', 'the message can no longer be retried (its content is gone or it changed state)');
    c.get('log').info('message_retried', { id, tokenId: token.id, channelId: row.channel_id });
    deps.notify(row.channel_id, now);
    return c.json(messageView((await getOwnMessage(deps.db, token.id, id))!, now));
  });
  return app;
}
