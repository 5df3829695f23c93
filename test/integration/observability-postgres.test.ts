import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinDir, startPostgres, type PgServer } from '../helpers/postgres';
import { createChannel, sendMessage, smtpChannel, startRelay, waitForStatus, type RunningRelay } from '../helpers/relay';
import { TestSmtpServer } from '../helpers/smtp-server';

const METRICS_TOKEN = 'metrics-scrape-token-0123456789';
const SECRET = 'shared-relay-secret-0123456789abcdef';

/** The samples of the named metrics, as "name{labels} value" lines. */
const samples = (text: string, ...names: string[]) =>
  text
    .split('\n')
    .filter((l) => names.some((n) => l.startsWith(`${n}{`) || l.startsWith(`${n} `)))
    .sort();

// Two relay replicas on one PostgreSQL database: readiness runs its select 1 through the same
// Kysely code as on SQLite, and /metrics reports the same database-wide truth on both replicas.
describe.skipIf(!postgresBinDir())('observability with PostgreSQL replicas', () => {
  const smtp = new TestSmtpServer();
  let pg: PgServer;
  let url: string;
  let a: RunningRelay;
  let b: RunningRelay;
  let token: string;

  beforeAll(async () => {
    await smtp.start();
    pg = await startPostgres();
    url = await pg.createDatabase();
    const env = { DATABASE_URL: url, RELAY_SECRET: SECRET, RELAY_METRICS_TOKEN: METRICS_TOKEN };
    a = await startRelay({ env });
    b = await startRelay({ env });
    token = await a.createToken('rep@example.com');
    const channelId = await createChannel(a, token, smtpChannel(smtp.port));
    const ids: string[] = [];
    for (const [i, r] of [a, b, a, b].entries()) {
      const sent = await sendMessage(r, token, { channelId, from: 'rep@example.com', to: [`lead${i}@customer.test`], subject: `Hello ${i}`, text: 'Hi' });
      expect(sent.status).toBe(202);
      ids.push(sent.body.id);
    }
    for (const id of ids) await waitForStatus(a, token, id, ['sent']);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await pg?.stop();
    await smtp.stop();
  });

  const scrape = async (r: RunningRelay) => {
    const res = await r.call(null, 'GET', '/metrics', undefined, { Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('both replicas are ready', async () => {
    for (const r of [a, b]) {
      const res = await r.call(null, 'GET', '/readyz');
      expect(await res.json()).toEqual({ ready: true, checks: { database: 'ok', worker: 'ok', shutdown: 'ok' } });
    }
  });

  it('both replicas report the same outbox and window usage; delivery counters add up across them', async () => {
    const [ta, tb] = [await scrape(a), await scrape(b)];
    const shared = ['sendway_messages', 'sendway_channel_window_used', 'sendway_channel_window_limit', 'sendway_channels', 'sendway_channels_held'];
    expect(samples(ta, ...shared)).toEqual(samples(tb, ...shared));
    expect(ta).toContain('sendway_messages{status="sent"} 4');
    expect(ta).toMatch(/sendway_channel_window_used\{channel="[^"]+",window="minute",unit="messages"\} 4/);
    const sent = (t: string) => Number(/sendway_deliveries_total\{outcome="sent"\} (\d+)/.exec(t)![1]);
    expect(sent(ta) + sent(tb)).toBe(4);
  });

  it('turns unready naming the database when PostgreSQL goes away, without leaking its password, and stays live', async () => {
    await pg.stop();
    const res = await a.call(null, 'GET', '/readyz');
    expect(res.status).toBe(503);
    const text = await res.text();
    const body = JSON.parse(text) as { ready: boolean; checks: Record<string, string> };
    expect(body.ready).toBe(false);
    expect(body.checks.database).toBe('unavailable');
    // The driver's error (host, port) goes to the log, once, not to the public probe.
    const failed = a.logs.filter((l) => l.includes('"readiness_failed"'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/"database":"unavailable"/);
    expect(failed[0]).toMatch(/"error":"[^"]+"/);
    await a.call(null, 'GET', '/readyz');
    expect(a.logs.filter((l) => l.includes('"readiness_failed"'))).toHaveLength(1);
    expect(text).not.toContain(new URL(url).password);
    expect((await a.call(null, 'GET', '/healthz')).status).toBe(200);
    for (const l of [...a.logs, ...b.logs]) expect(l).not.toContain(new URL(url).password);
  });
});
