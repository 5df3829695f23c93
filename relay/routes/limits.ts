import { Hono } from 'hono';
import { sql } from 'kysely';
import { DAY_MS, nextSlot, usage } from '../../shared/limits';
import { LimitsList, type ChannelLimits } from '../../shared/schemas/relay-api';
import { channelDenial } from '../auth/access';
import type { AuthEnv } from '../middleware/auth';
import { listChannels, type ChannelRecord } from '../store/channels';
import type { RouteDeps } from './deps';

/** Usage and the next free slot per channel, computed with the same shared/limits code the worker paces with. */
export async function channelLimits(deps: Pick<RouteDeps, 'db'>, channel: ChannelRecord, now: number): Promise<ChannelLimits> {
  const { db } = deps;
  const entries = await db.selectFrom('ledger').select(['at', 'recipients']).where('channel_id', '=', channel.id).where('at', '>', now - DAY_MS).execute();
  const counts = await db
    .selectFrom('messages')
    .select(['status', sql<number>`count(*)`.as('n')])
    .where('channel_id', '=', channel.id)
    .groupBy('status')
    .execute();
  const count = (...statuses: string[]) => counts.filter((r) => statuses.includes(r.status)).reduce((s, r) => s + Number(r.n), 0);
  const u = usage(entries, now, channel.limits);
  let slot = nextSlot(entries, now, channel.limits, 1);
  const held = channel.heldUntil !== null && channel.heldUntil > now;
  if (held) slot = Math.max(slot, channel.heldUntil!);
  const out: ChannelLimits = {
    channelId: channel.id,
    perMinute: u.perMinute,
    perDay: u.perDay,
    perMessage: channel.limits.perMessage,
    nextSlotAt: new Date(Number.isFinite(slot) ? slot : now).toISOString(),
    queued: count('scheduled', 'queued', 'retrying', 'sending'),
    sent: count('sent'),
    failed: count('failed'),
  };
  if (held) out.held = { until: new Date(channel.heldUntil!).toISOString(), reason: channel.heldReason ?? 'held' };
  return out;
}

export function limitsRoutes(deps: RouteDeps) {
  const app = new Hono<AuthEnv>();
  app.get('/', async (c) => {
    const token = c.get('token');
    const now = deps.clock.now();
    const channels = (await listChannels(deps.db)).filter((ch) => channelDenial(token, ch) === null);
    const limits = await Promise.all(channels.map((ch) => channelLimits(deps, ch, now)));
    return c.json(LimitsList.parse({ limits }));
  });
  return app;
}
