import { sql } from 'kysely';
import { DAY_MS, MINUTE_MS, type LimitSpec, type Usage } from '../../shared/limits';
import type { RelayDb } from '../db';
import { listChannels } from '../store/channels';
import type { ProcessCounters } from './counters';

/** Every status a message can have (shared/schemas/relay-api MessageView); each is reported, 0 included, so dashboards see no gaps. */
export const MESSAGE_STATUSES = ['queued', 'scheduled', 'sending', 'retrying', 'sent', 'failed', 'cancelled'] as const;

export interface ChannelWindowRow {
  channelId: string;
  limits: LimitSpec;
  usage: Usage;
  held: boolean;
  status: string;
}

export interface DatabaseGauges {
  messages: Record<string, number>;
  channels: ChannelWindowRow[];
}

/**
 * Per channel, the same numbers as shared/limits `usage()` over the ledger
 * (sends at or before `now`; the minute and the 24 h window are sliding), but
 * summed in the database: a scrape costs one grouped query however many sends
 * the last day holds. metrics.test.ts checks both agree on the same ledger.
 */
export async function ledgerUsage(db: RelayDb, now: number): Promise<Map<string, { minute: number; dayMessages: number; dayRecipients: number }>> {
  const rows = await db
    .selectFrom('ledger')
    .select([
      'channel_id',
      sql<number | string>`sum(case when at > ${now - MINUTE_MS} and at <= ${now} then 1 else 0 end)`.as('minute'),
      sql<number | string>`sum(case when at <= ${now} then 1 else 0 end)`.as('day_messages'),
      sql<number | string>`sum(case when at <= ${now} then recipients else 0 end)`.as('day_recipients'),
    ])
    .where('at', '>', now - DAY_MS)
    .groupBy('channel_id')
    .execute();
  // PostgreSQL returns sums of integers as bigint strings; SQLite as numbers.
  return new Map(rows.map((r) => [r.channel_id, { minute: Number(r.minute), dayMessages: Number(r.day_messages), dayRecipients: Number(r.day_recipients) }]));
}

/** Database-wide gauges: the same on every replica sharing the database. */
export async function databaseGauges(db: RelayDb, now: number): Promise<DatabaseGauges> {
  // Grouped by channel as well, in the order of the messages_channel index (channel_id, status): one pass
  // over that index with no sort, summed per status here. Grouped by status alone, SQLite sorts every row.
  const counts = await db.selectFrom('messages').select(['status', sql<number | string>`count(*)`.as('n')]).groupBy(['channel_id', 'status']).execute();
  const messages: Record<string, number> = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0]));
  for (const r of counts) messages[r.status] = (messages[r.status] ?? 0) + Number(r.n);
  const used = await ledgerUsage(db, now);
  const channels = (await listChannels(db)).map((ch): ChannelWindowRow => {
    const u = used.get(ch.id) ?? { minute: 0, dayMessages: 0, dayRecipients: 0 };
    return {
      channelId: ch.id,
      limits: ch.limits,
      status: ch.status,
      held: ch.heldUntil !== null && ch.heldUntil > now,
      usage: {
        perMinute: { limit: ch.limits.perMinute, used: u.minute },
        perDay: { limit: ch.limits.perDay, used: ch.limits.perDayUnit === 'recipients' ? u.dayRecipients : u.dayMessages, unit: ch.limits.perDayUnit },
      },
    };
  });
  return { messages, channels };
}

/** A label value in the text exposition format: backslash, double quote and newline escaped. */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

type Sample = { labels?: Record<string, string>; value: number };

class Exposition {
  private out: string[] = [];
  metric(name: string, type: 'gauge' | 'counter', help: string, samples: Sample[]): void {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const s of samples) {
      const labels = s.labels && Object.keys(s.labels).length ? `{${Object.entries(s.labels).map(([k, v]) => `${k}="${labelValue(v)}"`).join(',')}}` : '';
      this.out.push(`${name}${labels} ${Number.isFinite(s.value) ? s.value : 0}`);
    }
  }
  text(): string {
    return this.out.join('\n') + '\n';
  }
}

export interface MetricsInput {
  gauges: DatabaseGauges;
  counters: ProcessCounters;
  version: string;
  rssBytes: number;
}

/**
 * Prometheus text exposition format 0.0.4. Labels carry channel ids, statuses
 * and status classes only: never addresses, subjects, channel names or secrets.
 */
export function renderMetrics({ gauges, counters, version, rssBytes }: MetricsInput): string {
  const x = new Exposition();
  x.metric('sendway_build_info', 'gauge', 'Relay version (always 1).', [{ labels: { version }, value: 1 }]);
  x.metric(
    'sendway_messages',
    'gauge',
    'Messages in the outbox by status (database-wide: the same on every replica).',
    Object.entries(gauges.messages).map(([status, value]) => ({ labels: { status }, value })),
  );
  const byStatus = (s: string) => gauges.channels.filter((c) => c.status === s).length;
  x.metric('sendway_channels', 'gauge', 'Channels by status.', [
    { labels: { status: 'active' }, value: byStatus('active') },
    { labels: { status: 'needs_reconnect' }, value: byStatus('needs_reconnect') },
  ]);
  x.metric('sendway_channels_held', 'gauge', 'Channels whose queue is held (provider quota spent) right now.', [
    { value: gauges.channels.filter((c) => c.held).length },
  ]);
  x.metric(
    'sendway_channel_held',
    'gauge',
    '1 while this channel is held, else 0.',
    gauges.channels.map((c) => ({ labels: { channel: c.channelId }, value: c.held ? 1 : 0 })),
  );
  x.metric(
    'sendway_channel_window_used',
    'gauge',
    'Sends counted in the sliding minute and the rolling 24 h window (day window in the channel limit unit).',
    gauges.channels.flatMap((c) => [
      { labels: { channel: c.channelId, window: 'minute', unit: 'messages' }, value: c.usage.perMinute.used },
      { labels: { channel: c.channelId, window: 'day', unit: c.usage.perDay.unit }, value: c.usage.perDay.used },
    ]),
  );
  x.metric(
    'sendway_channel_window_limit',
    'gauge',
    'The channel limit for that window (absent when the channel has none).',
    gauges.channels.flatMap((c) => [
      ...(c.usage.perMinute.limit === null ? [] : [{ labels: { channel: c.channelId, window: 'minute', unit: 'messages' }, value: c.usage.perMinute.limit }]),
      ...(c.usage.perDay.limit === null ? [] : [{ labels: { channel: c.channelId, window: 'day', unit: c.usage.perDay.unit }, value: c.usage.perDay.limit }]),
    ]),
  );
  x.metric('sendway_deliveries_total', 'counter', 'Delivery outcomes by this replica since it started.', [
    { labels: { outcome: 'sent' }, value: counters.messages.sent },
    { labels: { outcome: 'failed' }, value: counters.messages.failed },
    { labels: { outcome: 'retried' }, value: counters.messages.retried },
  ]);
  x.metric('sendway_channel_holds_total', 'counter', 'Times this replica held a channel (quota spent) since it started.', [{ value: counters.messages.held }]);
  x.metric(
    'sendway_http_requests_total',
    'counter',
    'HTTP requests answered by this replica, by status class.',
    Object.entries(counters.http).map(([code, value]) => ({ labels: { code }, value })),
  );
  x.metric('process_resident_memory_bytes', 'gauge', 'Resident set size of this relay process.', [{ value: rssBytes }]);
  x.metric('process_start_time_seconds', 'gauge', 'When this relay process started, in seconds since the epoch.', [{ value: Math.floor(counters.startedAt / 1000) }]);
  return x.text();
}
