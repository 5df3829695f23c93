/**
 * Pacing of the relay's real queue (issue 10, item 3, second half): N
 * one-recipient messages accepted at once on a channel with Office 365's
 * limits (30 per sliding minute, 10,000 per rolling 24 h), delivered by the
 * real worker to a real SMTP server while a compressed clock jumps to each
 * next free slot. Counts window violations in the times the relay recorded
 * (sentAt), and finish time ÷ theoretical minimum.
 */
import { DAY_MS, MINUTE_MS, PRESET_LIMITS } from '../shared/limits';
import { TestSmtpServer } from '../test/helpers/smtp-server';
import { FakeClock, createChannel, smtpChannel, startRelay } from '../test/helpers/relay';

const spec = PRESET_LIMITS.office365;

/** Independent check: slide over the sorted send times and count sends that land in an over-full window. */
export function countViolations(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let violations = 0;
  let minuteHead = 0;
  let dayHead = 0;
  sorted.forEach((t, i) => {
    while (t - sorted[minuteHead]! >= MINUTE_MS) minuteHead++;
    while (t - sorted[dayHead]! >= DAY_MS) dayHead++;
    if (i - minuteHead + 1 > spec.perMinute || i - dayHead + 1 > spec.perDay) violations++;
  });
  return violations;
}

export async function measureRelayPacing({ n = 2000 } = {}) {
  const smtp = await new TestSmtpServer().start();
  const clock = new FakeClock();
  const relay = await startRelay({ clock, autoWorker: false, env: { RELAY_LOG_LEVEL: 'silent' } });
  try {
    const token = await relay.createToken('rep@example.com');
    const channelId = await createChannel(relay, token, smtpChannel(smtp.port, { limits: { perMinute: spec.perMinute, perDay: spec.perDay, perMessage: spec.perMessage } }));
    const t0 = clock.now();
    for (let i = 0; i < n; i++) {
      const res = await relay.call(token, 'POST', '/v1/messages', { channelId, from: 'rep@example.com', to: [`c${i}@customer.test`], subject: `Step 1 ${i}`, text: 'Hello' }, { 'Idempotency-Key': `pace-${i}` });
      if (res.status !== 202) throw new Error(`POST ${res.status} ${await res.text()}`);
    }
    const started = performance.now();
    let delivered = 0;
    for (let guard = 0; delivered < n && guard < 100_000; guard++) {
      await relay.relay.worker.tick();
      await relay.relay.worker.settle();
      delivered = smtp.received.length;
      if (delivered >= n) break;
      const limits = (await (await relay.call(token, 'GET', '/v1/limits')).json()) as { limits: { channelId: string; nextSlotAt: string }[] };
      const next = Date.parse(limits.limits.find((l) => l.channelId === channelId)!.nextSlotAt);
      clock.t = Math.max(clock.t + 1, next);
    }
    // The send times the relay itself recorded, read from its database.
    const rows = await relay.relay.db.selectFrom('messages').select('sent_at').where('status', '=', 'sent').execute();
    const times = rows.map((r) => Number(r.sent_at));
    const makespan = Math.max(...times) - t0;
    const theoretical = (Math.ceil(n / spec.perMinute) - 1) * MINUTE_MS;
    return {
      messages: n,
      delivered,
      recordedSends: times.length,
      violations: countViolations(times),
      makespanMinutes: makespan / MINUTE_MS,
      theoreticalMinMinutes: theoretical / MINUTE_MS,
      makespanRatio: theoretical === 0 ? 1 : makespan / theoretical,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await relay.stop();
    await smtp.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureRelayPacing({ n: Number(process.env.BENCH_PACING_N ?? 2000) }), null, 2));
}
