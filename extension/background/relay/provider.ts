import { SendwayError, describeZodError } from '../../../shared/messages/define';
import type { ChannelView, SendOutcome } from '../../../shared/messages/channels';
import { SendMessageRequest } from '../../../shared/schemas/relay-api';
import type { DeliveryProvider } from '../channels/provider';
import { getEffectiveSettings } from '../settings';
import { accountOf, hasOriginPermission, openConnection, requireConnection } from './connection';
import { relayErrorText } from './error-text';
import { asUnavailable, fromViewId, toChannelView } from './map';

/** Last channels seen per relay, so a relay outage shows them as unreachable rather than gone. */
const CACHE_KEY = 'relay:channels';
/** POSTs in flight at once for one batch: fast enough, and gentle on the relay. */
const SEND_CONCURRENCY = 4;

async function loadCache(url: string): Promise<ChannelView[]> {
  const cached = (await browser.storage.local.get(CACHE_KEY))[CACHE_KEY] as { url: string; views: ChannelView[] } | undefined;
  return cached?.url === url ? cached.views : [];
}

async function saveCache(url: string, views: ChannelView[]): Promise<void> {
  await browser.storage.local.set({ [CACHE_KEY]: { url, views } });
}

export async function clearChannelCache(): Promise<void> {
  await browser.storage.local.remove(CACHE_KEY);
}

/** Runs `fn` over `items` with at most `limit` at once, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * SMTP channels that live on the company relay (Office 365, SparkPost,
 * SendGrid, custom SMTP). Channels are listed with their live usage from
 * GET /v1/limits; sends are posted with the caller's idempotency key so a
 * retried click never sends twice.
 */
export function createRelayProvider(): DeliveryProvider {
  return {
    name: 'relay',

    owns: (channelId) => fromViewId(channelId) !== null,

    async listChannels(signal) {
      const conn = await openConnection();
      if (!conn) return [];
      const { allowedChannels } = (await getEffectiveSettings()).values;
      try {
        const [account, channels, limits] = await Promise.all([
          accountOf(conn, signal),
          conn.client.listChannels(signal),
          conn.client.limits(signal),
        ]);
        const byId = new Map(limits.map((l) => [l.channelId, l]));
        const now = Date.now();
        const views = channels
          .filter((c) => !allowedChannels || allowedChannels.includes(c.provider))
          .map((c) => toChannelView(c, byId.get(c.id), account, now));
        await saveCache(conn.url, views);
        return views;
      } catch (error) {
        const cached = await loadCache(conn.url);
        if (!(error instanceof SendwayError)) return asUnavailable(cached, 'unreachable', String(error));
        if (error.code === 'relay_unauthorized') return asUnavailable(cached, 'signed_out', error.message);
        const message =
          error.code === 'relay_unreachable' && !(await hasOriginPermission(conn.url))
            ? relayErrorText('noPermission', [new URL(conn.url).host])
            : error.message;
        return asUnavailable(cached, 'unreachable', message);
      }
    },

    async send(channelId, items, { sendAt, signal }) {
      const relayId = fromViewId(channelId);
      if (!relayId) throw new SendwayError('unknown_channel', `No delivery channel ${channelId} is set up`, 'channelId');
      const conn = await requireConnection();
      const account = await accountOf(conn, signal);
      const known = (await loadCache(conn.url)).find((v) => v.id === channelId);
      const defaultFrom = known?.account ?? account.email;
      return mapLimit(items, SEND_CONCURRENCY, async ({ idempotencyKey, draft }): Promise<SendOutcome> => {
        // threadId only means something to Gmail; the relay threads by In-Reply-To/References.
        const { threadId: _threadId, ...content } = draft;
        const request = SendMessageRequest.safeParse({
          ...content,
          from: content.from ?? defaultFrom,
          channelId: relayId,
          ...(sendAt ? { sendAt } : {}),
        });
        if (!request.success) {
          const { code, message } = describeZodError(request.error);
          return { ok: false, code, message };
        }
        try {
          const accepted = await conn.client.sendMessage(request.data, idempotencyKey, signal);
          return {
            ok: true,
            id: accepted.id,
            status: accepted.status,
            ...(accepted.messageId ? { messageId: accepted.messageId } : {}),
          };
        } catch (error) {
          if (error instanceof SendwayError) return { ok: false, code: error.code, message: error.message };
          throw error;
        }
      });
    },
  };
}
