import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../shared/limits';
import { TestSmtpServer } from '../helpers/smtp-server';
import { FakeClock, createChannel, getMessage, sendMessage, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';

// Limits are enforced by pacing, never by dropping: on a fake clock, messages
// wait in the queue until every window (sliding minute, rolling 24 h) has room.
describe('relay pacing (fake clock)', () => {
  const smtp = new TestSmtpServer();
  const clock = new FakeClock();
  let relay: RunningRelay;
  let token: string;

  beforeAll(async () => {
    await smtp.start();
    relay = await startRelay({ clock, autoWorker: false });
    token = await relay.createToken('rep@example.com');
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
  });
  beforeEach(() => smtp.clear());

  const drive = async () => {
    const n = await relay.relay.worker.tick();
    await relay.relay.worker.settle();
    return n;
  };
  const msg = (channelId: string, i: number, extra: Record<string, unknown> = {}) => ({
    channelId,
    from: 'rep@example.com',
    to: ['lead@customer.test'],
    subject: `paced ${i}`,
    text: 'hi',
    ...extra,
  });

  it('sends at most perMinute in any sliding minute and sends everything in the end', async () => {
    const channelId = await createChannel(relay, token, smtpChannel(smtp.port, { limits: { perMinute: 2 } }));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await sendMessage(relay, token, msg(channelId, i))).body.id);
    const t0 = clock.now();

    // Sends started together go out on separate connections: their order of arrival is not fixed.
    const arrived = () => smtp.received.map((r) => r.parsed.subject);
    expect(await drive()).toBe(2);
    expect(arrived().sort()).toEqual(['paced 0', 'paced 1']);
    expect(await drive()).toBe(0);
    expect(relay.relay.worker.nextWakeAt).toBe(t0 + 60_000);

    const limits = (await (await relay.call(token, 'GET', '/v1/limits')).json()) as { limits: { channelId: string; perMinute: { used: number; limit: number }; queued: number; nextSlotAt: string; sent: number }[] };
    const mine = limits.limits.find((l) => l.channelId === channelId)!;
    expect(mine).toMatchObject({ perMinute: { used: 2, limit: 2 }, queued: 3, sent: 2, nextSlotAt: new Date(t0 + 60_000).toISOString() });
    expect((await getMessage(relay, token, ids[2]!)).status).toBe('queued');

    clock.advance(59_999);
    expect(await drive()).toBe(0);
    clock.advance(1);
    expect(await drive()).toBe(2);
    expect(arrived().slice(2).sort()).toEqual(['paced 2', 'paced 3']);
    clock.advance(60_000);
    expect(await drive()).toBe(1);
    expect(arrived().slice(4)).toEqual(['paced 4']);
    for (const id of ids) expect((await getMessage(relay, token, id)).status).toBe('sent');
  });

  it('paces a rolling 24 h recipient budget and refuses a message over the per-message limit with 422', async () => {
    // Office 365 preset (recipients per day) pointed at the loopback server, with small numbers.
    const channelId = await createChannel(relay, token, {
      ...smtpChannel(smtp.port),
      provider: 'office365',
      limits: { perDay: 5, perMessage: 4, perMinute: 30 },
    });
    const over = await sendMessage(relay, token, msg(channelId, 0, { to: ['a@c.test', 'b@c.test', 'c@c.test'], cc: ['d@c.test', 'e@c.test'] }));
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'too_many_recipients', field: 'to' });

    const first = await sendMessage(relay, token, msg(channelId, 1, { to: ['a@c.test', 'b@c.test', 'c@c.test'] }));
    const second = await sendMessage(relay, token, msg(channelId, 2, { to: ['d@c.test', 'e@c.test', 'f@c.test'] }));
    expect(first.status).toBe(202);
    const t0 = clock.now();
    expect(await drive()).toBe(1);
    clock.advance(DAY_MS - 1);
    expect(await drive()).toBe(0);
    expect((await getMessage(relay, token, second.body.id)).status).toBe('queued');
    clock.advance(1);
    expect(await drive()).toBe(1);
    expect(smtp.received.map((r) => r.envelope.to.length)).toEqual([3, 3]);
    expect(clock.now() - t0).toBe(DAY_MS);
  });

  it('holds scheduled mail until sendAt', async () => {
    const channelId = await createChannel(relay, token, smtpChannel(smtp.port));
    const sendAt = new Date(clock.now() + 3_600_000).toISOString();
    const r = await sendMessage(relay, token, msg(channelId, 9, { sendAt }));
    expect(r.body.status).toBe('scheduled');
    expect(await drive()).toBe(0);
    expect(relay.relay.worker.nextWakeAt).toBe(Date.parse(sendAt));
    clock.advance(3_600_000);
    expect((await getMessage(relay, token, r.body.id)).status).toBe('queued');
    expect(await drive()).toBe(1);
    expect((await getMessage(relay, token, r.body.id)).status).toBe('sent');
  });
});
