import { simpleParser } from 'mailparser';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { MINUTE_MS, DAY_MS } from '../../../shared/limits';
import type { OutgoingDraft } from '../../../shared/messages/channels';
import { GmailAuth } from './auth';
import { GmailDispatcher } from './dispatcher';
import { Ledger } from './ledger';
import { Outbox } from './outbox';
import { fakeClock, fakeGmailApi, fakeGoogleFlow, REDIRECT, testConfig } from './test-kit';

const draft = (over: Partial<OutgoingDraft> = {}): OutgoingDraft => ({ to: ['ana@example.org'], subject: 'Hallo Zoë', text: 'Hoi', ...over }) as OutgoingDraft;

async function setup(policy: Parameters<typeof testConfig>[0] = {}, { connect = true } = {}) {
  const clock = fakeClock();
  const flow = fakeGoogleFlow(clock.now);
  const api = fakeGmailApi(clock.now);
  const config = async () => testConfig(policy);
  const auth = new GmailAuth({ launchWebAuthFlow: flow.launch, redirectUrl: () => REDIRECT, fetch: api.fetch, now: clock.now, config });
  const outbox = new Outbox();
  const ledger = new Ledger();
  const wakes: (number | undefined)[] = [];
  let ids = 0;
  const dispatcher = new GmailDispatcher({
    auth, outbox, ledger, config, fetch: api.fetch, now: clock.now, random: () => 1, sleep: clock.sleep,
    wake: (at) => wakes.push(at), newId: () => `id${++ids}`,
  });
  if (connect) await auth.connect();
  const send = (key: string, d = draft(), sendAt?: string) => dispatcher.submit([{ idempotencyKey: key, draft: d }], sendAt ? { sendAt } : {}).then((r) => r[0]!);
  return { clock, flow, api, auth, outbox, ledger, dispatcher, wakes, send };
}

describe('Gmail dispatcher', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    fakeBrowser.i18n.getMessage = ((key: string, subs?: string[]) => [key, ...(subs ?? [])].join('|')) as typeof fakeBrowser.i18n.getMessage;
  });

  it('sends as the connected account, in the given thread, and counts it', async () => {
    const { api, send, ledger, clock, outbox } = await setup();
    const result = await send('key-00001', draft({ threadId: 'thr-9', from: { name: 'Renée', address: 'rep@example.com' } }));
    expect(result).toMatchObject({ ok: true, status: 'sent', threadId: 'thr-9' });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.threadId).toBe('thr-9');
    const mail = await simpleParser(Buffer.from(api.requests[0]!.raw));
    expect(mail.subject).toBe('Hallo Zoë');
    expect(mail.from?.value[0]).toMatchObject({ name: 'Renée', address: 'rep@example.com' });
    expect((await ledger.entries('rep@example.com', clock.now())).length).toBe(1);
    expect((await outbox.list())[0]).toMatchObject({ status: 'sent', gmailId: 'msg1', threadId: 'thr-9' });
  });

  it('sends once per idempotency key, even when the click is repeated at once', async () => {
    const { api, send } = await setup();
    const [a, b] = await Promise.all([send('same-key-1'), send('same-key-1')]);
    const c = await send('same-key-1');
    expect(api.requests).toHaveLength(1);
    expect(a).toEqual(b);
    expect(c).toEqual(a);
  });

  it('renews silently after a 401 and sends; asks the rep when that fails too', async () => {
    const { api, flow, send, auth } = await setup();
    api.validTokens = new Set(['tok-2']); // tok-1 was revoked behind our back
    expect(await send('k-401-ok1')).toMatchObject({ ok: true, status: 'sent' });
    expect(api.requests[0]!.token).toBe('tok-2');
    expect(flow.launches.at(-1)!.interactive).toBe(false);

    api.validTokens = new Set(['never']);
    const refused = await send('k-401-bad');
    expect(refused).toMatchObject({ ok: false, code: 'needs_sign_in' });
    expect((await auth.account())!.needsSignIn).toBe(true);
  });

  it('retries 429 honouring Retry-After and 500 with backoff', async () => {
    const { api, send, clock } = await setup();
    api.faults.push({ status: 429, headers: { 'Retry-After': '2' }, body: { error: { code: 429, message: 'Too many concurrent requests for user' } } }, { status: 500 });
    const start = clock.now();
    expect(await send('k-retry-1')).toMatchObject({ ok: true, status: 'sent' });
    expect(clock.sleeps).toEqual([2000, 2000]);
    expect(api.requests[0]!.at - start).toBe(4000);
  });

  it('keeps mail Gmail could not take yet in the outbox and sends it on the next wake-up', async () => {
    const { api, send, dispatcher, clock, wakes } = await setup();
    api.faults.push(...Array.from({ length: 5 }, () => ({ status: 503 })));
    const first = await send('k-503-all');
    expect(first).toMatchObject({ ok: true, status: 'retrying' });
    expect(wakes.at(-1)).toBeGreaterThan(clock.now());
    clock.t = wakes.at(-1)!;
    await dispatcher.drain();
    expect(api.requests).toHaveLength(1);
    expect(await send('k-503-all')).toMatchObject({ ok: true, status: 'sent' });
  });

  it('paces over the per-minute limit and sends when the window frees', async () => {
    const { api, send, dispatcher, clock, ledger } = await setup({ limits: { gmail: { perMinute: 2 } } });
    await send('pace-0001');
    clock.advance(1000);
    await send('pace-0002');
    const third = await send('pace-0003');
    expect(third).toMatchObject({ ok: true, status: 'queued' });
    expect(api.requests).toHaveLength(2);
    clock.advance(30_000);
    await dispatcher.drain();
    expect(api.requests).toHaveLength(2);
    clock.t = api.requests[0]!.at + MINUTE_MS;
    await dispatcher.drain();
    expect(api.requests).toHaveLength(3);
    const entries = await ledger.entries('rep@example.com', clock.now());
    // Never more than 2 inside any sliding minute.
    for (const e of entries) expect(entries.filter((o) => o.at <= e.at && e.at - o.at < MINUTE_MS).length).toBeLessThanOrEqual(2);
  });

  it('refuses a click over the daily limit, saying when sending resumes; the same key works later', async () => {
    const { api, send, clock } = await setup({ gmailDailyLimit: 2 });
    await send('day-0001');
    await send('day-0002');
    const refused = await send('day-0003');
    expect(refused).toMatchObject({ ok: false, code: 'daily_limit' });
    expect((refused as { message: string }).message).toMatch(/^gmail_errors_dailyLimit\|2\|/);
    clock.advance(DAY_MS);
    expect(await send('day-0003')).toMatchObject({ ok: true, status: 'sent' });
    expect(api.requests).toHaveLength(3);
  });

  it('reports Google\'s sending quota in plain words and stops asking until it frees up', async () => {
    const { api, send, clock } = await setup();
    const until = new Date(clock.now() + 3 * 3600_000).toISOString();
    api.faults.push({ status: 429, body: { error: { code: 429, message: `User-rate limit exceeded.  Retry after ${until} (Mail sending)`, errors: [{ reason: 'rateLimitExceeded' }] } } });
    expect(await send('quota-001')).toMatchObject({ ok: false, code: 'quota_exceeded' });
    const before = api.faults.length;
    expect(await send('quota-002')).toMatchObject({ ok: false, code: 'quota_exceeded' });
    expect(api.faults.length).toBe(before); // no request was made
    clock.advance(3 * 3600_000 + 1);
    expect(await send('quota-002')).toMatchObject({ ok: true, status: 'sent' });
  });

  it('schedules mail for later and sends it when due', async () => {
    const { api, send, dispatcher, clock, wakes } = await setup();
    const at = new Date(clock.now() + 3600_000).toISOString();
    expect(await send('sched-001', draft(), at)).toMatchObject({ ok: true, status: 'scheduled' });
    expect(wakes.at(-1)).toBe(Date.parse(at));
    await dispatcher.drain();
    expect(api.requests).toHaveLength(0);
    clock.t = Date.parse(at);
    await dispatcher.drain();
    expect(api.requests).toHaveLength(1);
    expect(await send('sched-001', draft(), at)).toMatchObject({ ok: true, status: 'sent' });
  });

  it('never resends when the connection dropped mid-request', async () => {
    const { api, send, ledger, clock } = await setup();
    api.networkFailures = 1;
    expect(await send('net-0001')).toMatchObject({ ok: false, code: 'uncertain' });
    expect(await send('net-0001')).toMatchObject({ ok: false, code: 'uncertain' });
    expect(api.requests).toHaveLength(0);
    // It may have gone out, so it still counts against the limit.
    expect(await ledger.entries('rep@example.com', clock.now())).toHaveLength(1);
  });

  it('marks a send cut off by a worker restart as interrupted, not to be resent', async () => {
    const { outbox, dispatcher, clock } = await setup();
    await outbox.claim({ id: 'x1', idempotencyKey: 'cut-0001', account: 'rep@example.com', status: 'sending', createdAt: clock.now(), updatedAt: clock.now(), attempts: 1, messageId: '<a@b>', subject: 's', to: [], recipients: 1 }, clock.now());
    await dispatcher.recover();
    expect(await outbox.get('x1')).toMatchObject({ status: 'failed', errorCode: 'interrupted', retryable: false });
  });

  it('refuses what Gmail would refuse, before sending', async () => {
    const { api, send } = await setup();
    expect(await send('from-0001', draft({ from: 'boss@example.com' }))).toMatchObject({ ok: false, code: 'from_mismatch' });
    const many = Array.from({ length: 101 }, (_, i) => `r${i}@example.org`);
    expect(await send('many-0001', draft({ to: many }))).toMatchObject({ ok: false, code: 'too_many_recipients' });
    api.faults.push({ status: 400, body: { error: { code: 400, message: 'Invalid To header', errors: [{ reason: 'invalidArgument' }] } } });
    expect(await send('bad-00001')).toMatchObject({ ok: false, code: 'rejected', message: 'gmail_errors_rejected|Invalid To header' });
    expect(api.requests).toHaveLength(0);
  });

  it('asks to connect first when signed out', async () => {
    const { send } = await setup({}, { connect: false });
    expect(await send('anon-0001')).toMatchObject({ ok: false, code: 'needs_sign_in' });
  });
});
