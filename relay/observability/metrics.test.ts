import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS, usage, type LedgerEntry, type LimitSpec } from '../../shared/limits';
import { openSqlite, type RelayDb } from '../db';
import { ProcessCounters } from './counters';
import { databaseGauges, labelValue, ledgerUsage, renderMetrics } from './metrics';

const spec = (unit: LimitSpec['perDayUnit']): LimitSpec => ({ perMinute: 30, perDay: 10_000, perDayUnit: unit, perMessage: null, concurrency: null });

describe('metrics from the database', () => {
  let db: RelayDb;
  let close: () => Promise<void>;
  beforeEach(async () => {
    const opened = await openSqlite(fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-metrics-')));
    db = opened.db;
    close = opened.close;
  });
  afterEach(async () => close());

  it('counts window usage in SQL exactly like shared/limits usage() does over the same ledger', async () => {
    const now = Date.parse('2030-01-01T12:00:00Z');
    // Boundaries on purpose: exactly one minute / one day old (out), one ms inside (in), in the future (not yet counted).
    const offsets = [0, 1, MINUTE_MS - 1, MINUTE_MS, MINUTE_MS + 1, DAY_MS - 1, DAY_MS, DAY_MS + 5, -1, -MINUTE_MS];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const entries: Record<string, LedgerEntry[]> = { ch_a: [], ch_b: [] };
    for (let i = 0; i < 400; i++) {
      const ch = i % 2 ? 'ch_a' : 'ch_b';
      const at = now - (i < offsets.length * 2 ? offsets[i >> 1]! : Math.floor(rand() * (DAY_MS + 2 * MINUTE_MS)) - MINUTE_MS);
      entries[ch]!.push({ at, recipients: 1 + Math.floor(rand() * 5) });
    }
    await db
      .insertInto('ledger')
      .values(Object.entries(entries).flatMap(([ch, es]) => es.map((e, i) => ({ channel_id: ch, message_id: `m${ch}${i}`, at: e.at, recipients: e.recipients }))))
      .execute();
    const got = await ledgerUsage(db, now);
    for (const ch of ['ch_a', 'ch_b']) {
      const g = got.get(ch)!;
      const byMessages = usage(entries[ch]!, now, spec('messages'));
      const byRecipients = usage(entries[ch]!, now, spec('recipients'));
      expect(g.minute).toBe(byMessages.perMinute.used);
      expect(g.dayMessages).toBe(byMessages.perDay.used);
      expect(g.dayRecipients).toBe(byRecipients.perDay.used);
      expect(g.minute).toBeGreaterThan(0);
    }
  });

  it('reports every message status (zeros included), channels held and per-channel windows with channel ids only', async () => {
    const now = Date.parse('2030-01-01T12:00:00Z');
    const channel = (id: string, limits: LimitSpec, heldUntil: number | null) => ({
      id,
      name: 'Secret Sales Team',
      provider: 'office365',
      host: 'smtp.office365.com',
      port: 587,
      security: 'starttls',
      username: 'rep@example.com',
      password_enc: 'sealed',
      scope: 'personal',
      domains: '[]',
      owner_token_id: 'tok_1',
      owner_email: 'rep@example.com',
      limits: JSON.stringify(limits),
      status: 'active',
      held_until: heldUntil,
      held_reason: heldUntil ? 'quota' : null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    });
    await db.insertInto('channels').values([channel('ch_o365', spec('recipients'), now + 60_000), channel('ch_free', { ...spec('messages'), perMinute: null, perDay: null }, null)]).execute();
    const msg = (id: string, status: string) => ({
      id,
      token_id: 'tok_1',
      channel_id: 'ch_o365',
      idempotency_key: id,
      request_hash: 'h',
      message_id: `<${id}@example.com>`,
      subject: 'Quarterly numbers',
      to_list: '["lead@customer.test"]',
      recipients: 2,
      status,
      attempts: 0,
      last_error: null,
      created_at: now,
      send_at: null,
      next_attempt_at: now,
      sent_at: null,
      updated_at: now,
    });
    await db.insertInto('messages').values([msg('m1', 'queued'), msg('m2', 'queued'), msg('m3', 'sent'), msg('m4', 'failed')]).execute();
    await db.insertInto('ledger').values([{ channel_id: 'ch_o365', message_id: 'm3', at: now - 10_000, recipients: 2 }]).execute();

    const gauges = await databaseGauges(db, now);
    expect(gauges.messages).toEqual({ queued: 2, scheduled: 0, sending: 0, retrying: 0, sent: 1, failed: 1, cancelled: 0 });
    const counters = new ProcessCounters();
    const log = counters.countingLogger({ debug() {}, info() {}, warn() {}, error() {} });
    log.info('message_sent', { id: 'm3' });
    log.warn('message_failed', { id: 'm4' });
    log.info('message_retrying', { id: 'm2' });
    log.info('message_retrying', { id: 'm2' });
    log.warn('channel_held', { channelId: 'ch_o365' });
    counters.request(204);
    counters.request(503);
    const text = renderMetrics({ gauges, counters, version: '1.2.3', rssBytes: 1234 });

    const lines = text.trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?\d+(\.\d+)?)$/);
    expect(lines).toContain('sendway_messages{status="queued"} 2');
    expect(lines).toContain('sendway_messages{status="cancelled"} 0');
    expect(lines).toContain('sendway_channels_held 1');
    expect(lines).toContain('sendway_channel_held{channel="ch_o365"} 1');
    expect(lines).toContain('sendway_channel_window_used{channel="ch_o365",window="minute",unit="messages"} 1');
    expect(lines).toContain('sendway_channel_window_used{channel="ch_o365",window="day",unit="recipients"} 2');
    expect(lines).toContain('sendway_channel_window_limit{channel="ch_o365",window="minute",unit="messages"} 30');
    expect(lines).toContain('sendway_channel_window_limit{channel="ch_o365",window="day",unit="recipients"} 10000');
    expect(lines.filter((l) => l.startsWith('sendway_channel_window_limit{channel="ch_free"'))).toEqual([]);
    expect(lines).toContain('sendway_deliveries_total{outcome="sent"} 1');
    expect(lines).toContain('sendway_deliveries_total{outcome="failed"} 1');
    expect(lines).toContain('sendway_deliveries_total{outcome="retried"} 2');
    expect(lines).toContain('sendway_channel_holds_total 1');
    expect(lines).toContain('sendway_http_requests_total{code="2xx"} 1');
    expect(lines).toContain('sendway_http_requests_total{code="5xx"} 1');
    expect(lines).toContain('process_resident_memory_bytes 1234');
    // Labels carry ids only: no names, hosts, addresses or subjects.
    for (const secret of ['Secret Sales Team', 'rep@example.com', 'lead@customer.test', 'Quarterly', 'smtp.office365.com', 'sealed']) expect(text).not.toContain(secret);
  });
});

describe('labelValue', () => {
  it('escapes what the exposition format requires', () => {
    expect(labelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});
