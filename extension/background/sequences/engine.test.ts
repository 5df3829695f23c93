import { describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS } from '../../../shared/limits';
import { localDateTime } from '../../../shared/send-window';
import { channelView, makeKit, TEMPLATES, twoSteps } from './test-kit';

const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();
const jane = { address: 'jane.doe@acme-corp.com', name: 'Jane Doe' };
const bob = { address: 'bob@globex.test', name: 'Bob Stone' };

describe('enrolling on a relay channel', () => {
  it('hands every step to the relay at once, with its planned sendAt, stable key, thread and unsubscribe link', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    const result = await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane, bob] });
    expect(result).toMatchObject({ enrolled: 2, handedOver: 4, pending: 0, skipped: [], missingFields: [] });

    const [first, second] = kit.channels.to('jane.doe@acme-corp.com');
    expect(first!.key).toBe('seq1:jane.doe@acme-corp.com:0');
    expect(second!.key).toBe('seq1:jane.doe@acme-corp.com:1');
    // Monday 09:00 Amsterdam, then two days later at the same local time.
    expect(iso(first!.sendAt!)).toBe('2030-01-07T08:00:00.000Z');
    expect(iso(second!.sendAt!)).toBe('2030-01-09T08:00:00.000Z');
    expect(first!.draft.subject).toBe('Quick question, Jane');
    expect(first!.draft.text).toContain('A line about Acme Corp.');
    expect(first!.draft.inReplyTo).toBeUndefined();
    // The follow-up replies in the first email's thread, by the Message-ID the relay fixed for it.
    expect(second!.draft.subject).toBe('Re: Quick question, Jane');
    expect(second!.draft.inReplyTo).toBe(first!.messageId);
    expect(second!.draft.references).toEqual([first!.messageId]);
    for (const m of [first!, second!]) {
      expect(m.draft.listUnsubscribe).toMatch(/^https:\/\/relay\.test\/unsubscribe\//);
      expect(m.draft.text).toContain(`sequences.engine.unsubscribeLabel: ${m.draft.listUnsubscribe}`);
      expect(m.draft.html).toContain(`href="${m.draft.listUnsubscribe}"`);
    }
    expect(result.contacts.find((c) => c.address === 'jane.doe@acme-corp.com')).toEqual({
      address: 'jane.doe@acme-corp.com',
      firstAt: first!.sendAt,
      finishAt: second!.sendAt,
    });
  });

  it('persists the enrolment before handing anything over, and does not enrol the same contact twice', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    kit.channels.relayDown = true;
    const down = await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    expect(down).toMatchObject({ enrolled: 1, handedOver: 0, pending: 2 });
    const stored = kit.area.data.get('sequences.enrolments.seq1') as { steps: { status: string; key: string }[] }[];
    expect(stored[0]!.steps.map((s) => s.status)).toEqual(['planned', 'planned']);

    const again = await kit.engine.preview({ sequenceId: 'seq1', contacts: [jane, { address: 'JANE.DOE@acme-corp.com' } as never, bob] });
    expect(again.skipped.map((s) => [s.address, s.reason])).toEqual([['jane.doe@acme-corp.com', 'already_enrolled']]);
  });

  it('refuses to enrol while a custom field has no value, and names it', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1', { steps: [{ templateId: 't3', delayDays: 0, businessDays: false, sameThread: false }] }));
    const preview = await kit.engine.preview({ sequenceId: 'seq1', contacts: [jane] });
    expect(preview.missingFields).toEqual(['project']);
    await expect(kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] })).rejects.toMatchObject({ code: 'missing_fields', field: 'fields' });
    const ok = await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane], fields: { project: 'Apollo' } });
    expect(ok.enrolled).toBe(1);
    expect(kit.channels.to(jane.address)[0]!.draft.subject).toBe('About Apollo');
  });

  it('never enrols someone who unsubscribed, and says why', async () => {
    const kit = makeKit();
    kit.channels.suppressedSet.add('bob@globex.test');
    await kit.engine.save(twoSteps('relay:ch1'));
    const r = await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane, bob] });
    expect(r.enrolled).toBe(1);
    expect(r.skipped).toEqual([{ address: 'bob@globex.test', reason: 'unsubscribed', message: 'sequences.engine.unsubscribed' }]);
    expect(kit.channels.to('bob@globex.test')).toEqual([]);
  });
});

describe('step scheduling', () => {
  it('counts business days over a weekend and skips holidays, inside the send window', async () => {
    // Thursday 2030-01-10, 16:30 Amsterdam (15:30Z): too late for 09:00–16:00 today.
    const kit = makeKit(Date.parse('2030-01-10T15:30:00Z'));
    await kit.engine.save(
      twoSteps('relay:ch1', {
        steps: [
          { templateId: 't1', delayDays: 0, businessDays: false, sameThread: false },
          { templateId: 't2', delayDays: 2, businessDays: true, sameThread: true },
        ],
        window: { timeZone: 'Europe/Amsterdam', start: '09:00', end: '16:00', businessDaysOnly: true, holidays: ['2030-01-14'], contactTimeZone: true },
      }),
    );
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    const [first, second] = kit.channels.to(jane.address).map((m) => localDateTime(m.sendAt!, 'Europe/Amsterdam'));
    // Friday 09:00; then two business days on: Monday is a holiday → Tuesday, Wednesday.
    expect(first).toEqual({ date: '2030-01-11', time: '09:00', weekday: 5 });
    expect(second).toEqual({ date: '2030-01-16', time: '09:00', weekday: 3 });
  });

  it('sends in the contact’s own time zone when it is known', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [{ ...jane, timeZone: 'America/New_York' }, bob] });
    const ny = kit.channels.to(jane.address).map((m) => localDateTime(m.sendAt!, 'America/New_York'));
    expect(ny.map((d) => [d.date, d.time])).toEqual([
      ['2030-01-07', '09:00'],
      ['2030-01-09', '09:00'],
    ]);
    const ams = kit.channels.to(bob.address).map((m) => localDateTime(m.sendAt!, 'Europe/Amsterdam'));
    expect(ams.map((d) => [d.date, d.time])).toEqual([
      ['2030-01-07', '09:00'],
      ['2030-01-09', '09:00'],
    ]);
  });

  it('keeps 09:00 local across the spring DST change', async () => {
    // Friday 2030-03-29 10:00 Amsterdam (CET, UTC+1); clocks go forward on Sunday the 31st.
    const kit = makeKit(Date.parse('2030-03-29T09:00:00Z'));
    await kit.engine.save(
      twoSteps('relay:ch1', {
        steps: [
          { templateId: 't1', delayDays: 0, businessDays: false, sameThread: false },
          { templateId: 't2', delayDays: 3, businessDays: false, sameThread: true },
        ],
        window: { timeZone: 'Europe/Amsterdam', start: '09:00', end: '17:00', businessDaysOnly: false, holidays: [], contactTimeZone: false },
      }),
    );
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    const [first, second] = kit.channels.to(jane.address);
    expect(iso(first!.sendAt!)).toBe('2030-03-29T09:00:00.000Z'); // 10:00 CET, inside the window
    expect(iso(second!.sendAt!)).toBe('2030-04-01T08:00:00.000Z'); // 10:00 CEST: one hour less in UTC
  });

  it('paces a large enrolment inside the channel’s windows and reports each contact’s next send and the finish', async () => {
    const kit = makeKit();
    kit.channels.channels = [channelView('relay:ch1', 'office365', { perMinute: 30, perDay: 400, unit: 'recipients' })];
    await kit.engine.save(twoSteps('relay:ch1', { window: { timeZone: 'Europe/Amsterdam', start: '00:00', end: '24:00', businessDaysOnly: false, holidays: [], contactTimeZone: false } }));
    const contacts = Array.from({ length: 500 }, (_, i) => ({ address: `lead${i}@prospect${i % 7}.test` }));
    const preview = await kit.engine.preview({ sequenceId: 'seq1', contacts });
    expect(preview.contacts).toHaveLength(500);
    expect(preview.warnings.map((w) => w.code)).toContain('office365_volume');
    expect(preview.peakPerDay).toBeLessThanOrEqual(400);

    const result = await kit.engine.enrol({ sequenceId: 'seq1', contacts });
    expect(result.handedOver).toBe(1000);
    const times = kit.channels.relayMessages.map((m) => m.sendAt!).sort((a, b) => a - b);
    // No sliding minute over 30, no rolling day over 400.
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= MINUTE_MS) j++;
      expect(i - j + 1).toBeLessThanOrEqual(30);
    }
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= DAY_MS) j++;
      expect(i - j + 1).toBeLessThanOrEqual(400);
    }
    // 1,000 emails at 400 a day: the last leaves on the third day.
    expect(result.finishAt! - Date.parse('2030-01-07T08:00:00Z')).toBeGreaterThan(2 * DAY_MS);
    expect(result.finishAt).toBe(times[times.length - 1]);
    const detail = await kit.engine.detail('seq1', 'all', 0, 1000);
    expect(detail.summary.finishAt).toBe(result.finishAt);
    expect(detail.contacts[0]!.nextAt).toBe(times[0]);
    expect(detail.upcoming[0]!.at).toBe(times[0]);
  });
});

describe('stopping on a reply', () => {
  it('stops only the contact who replied and cancels their follow-ups at the relay', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane, bob] });
    kit.clock.advance(2 * HOUR);
    kit.channels.deliverDue();

    const stopped = await kit.engine.replySeen([{ webmail: 'gmail', kind: 'row', from: ['jane.doe@acme-corp.com'], at: kit.clock.t - HOUR }]);
    expect(stopped).toBe(1);
    const [janeFirst, janeSecond] = kit.channels.to(jane.address);
    // The engine had not synced yet: it asks the relay to cancel both, and learns the first already went.
    expect(kit.channels.cancels).toEqual([janeFirst!.id, janeSecond!.id]);
    expect(janeFirst!.status).toBe('sent');
    expect(janeSecond!.status).toBe('cancelled');
    expect(kit.channels.to(bob.address)[1]!.status).toBe('scheduled');

    const detail = await kit.engine.detail('seq1', 'all', 0, 10);
    const byAddress = Object.fromEntries(detail.contacts.map((c) => [c.address, c]));
    expect(byAddress[jane.address]).toMatchObject({ status: 'stopped', stopReason: 'replied', stopDetail: 'sequences.engine.repliedBy:jane.doe@acme-corp.com', nextAt: null, stepsSent: 1 });
    expect(byAddress[bob.address]).toMatchObject({ status: 'active', nextStep: 1 });
  });

  it('counts a colleague at the contact’s company and a Cc’d person, not the rep, not a webmail domain, not old mail', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    await kit.engine.enrol({
      sequenceId: 'seq1',
      contacts: [jane, { address: 'sam@gmail.com' }, { address: 'kim@initech.test', cc: ['assistant@elsewhere.test'] }],
    });
    const at = kit.clock.t + MINUTE_MS;
    // Before the enrolment, from the rep, from another gmail.com user, unread-less without a time: none count.
    expect(await kit.engine.replySeen([{ webmail: 'gmail', kind: 'row', from: ['jane.doe@acme-corp.com'], at: kit.clock.t - DAY_MS }])).toBe(0);
    expect(await kit.engine.replySeen([{ webmail: 'gmail', kind: 'thread', from: ['rep@example.com'], others: ['jane.doe@acme-corp.com'], at }])).toBe(0);
    expect(await kit.engine.replySeen([{ webmail: 'outlook', kind: 'row', from: ['someone.else@gmail.com'], at }])).toBe(0);
    expect(await kit.engine.replySeen([{ webmail: 'outlook', kind: 'row', from: ['ceo@acme-corp.com'] }])).toBe(0);
    // A colleague at Acme Corp; the Cc'd assistant; an unread row without a time.
    expect(await kit.engine.replySeen([{ webmail: 'outlook', kind: 'thread', from: ['ceo@acme-corp.com'], at }])).toBe(1);
    expect(await kit.engine.replySeen([{ webmail: 'gmail', kind: 'thread', from: ['assistant@elsewhere.test'], at }])).toBe(1);
    expect(await kit.engine.replySeen([{ webmail: 'gmail', kind: 'row', from: ['sam@gmail.com'], unread: true }])).toBe(1);
    const list = await kit.engine.list();
    expect(list[0]!.counts).toMatchObject({ total: 3, stopped: 3, replied: 3 });
  });

  it('gives the content scripts a watch list of contacts, Cc’s and company domains', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane, { address: 'sam@gmail.com', cc: ['boss@globex.test'] }] });
    expect(await kit.engine.watchList()).toEqual({
      addresses: ['boss@globex.test', 'jane.doe@acme-corp.com', 'sam@gmail.com'],
      domains: ['acme-corp.com'],
    });
  });
});

describe('idempotency keys', () => {
  it('retries a hand-over whose answer was lost with the same key: the relay holds one message', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    kit.channels.loseAnswers = 1;
    const r = await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    expect(r.handedOver).toBe(0);
    kit.clock.advance(6 * MINUTE_MS);
    await kit.engine.tick();
    expect(kit.channels.relayPosts).toBe(3); // the lost one, its retry (a replay), and the follow-up
    expect(kit.channels.relayMessages.map((m) => m.key)).toEqual(['seq1:jane.doe@acme-corp.com:0', 'seq1:jane.doe@acme-corp.com:1']);
    const second = kit.channels.relayMessages[1]!;
    expect(second.draft.inReplyTo).toBe(kit.channels.relayMessages[0]!.messageId);
  });

  it('keeps keys across restarts and gives resumed steps new ones', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    kit.channels.relayDown = true;
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    const before = (kit.area.data.get('sequences.enrolments.seq1') as { steps: { key: string }[] }[])[0]!.steps.map((s) => s.key);
    kit.channels.relayDown = false;
    kit.clock.advance(10 * MINUTE_MS);
    await kit.restart().tick();
    expect(kit.channels.relayMessages.map((m) => m.key)).toEqual(before);

    expect(await kit.engine.setPaused('seq1', undefined, true)).toBe(1);
    expect(kit.channels.relayMessages.map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
    expect(await kit.engine.setPaused('seq1', [jane.address], false)).toBe(1);
    const live = kit.channels.relayMessages.filter((m) => m.status !== 'cancelled');
    expect(live.map((m) => m.key)).toEqual(['seq1:jane.doe@acme-corp.com:0:r1', 'seq1:jane.doe@acme-corp.com:1:r1']);
    expect(live[1]!.draft.inReplyTo).toBe(live[0]!.messageId);
  });
});

describe('stopping cancels at the relay', () => {
  it('owes the cancel while the relay is down and settles it on a later tick', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane, bob] });
    kit.channels.relayDown = true;
    expect(await kit.engine.unenrol('seq1', [jane.address])).toBe(1);
    let detail = await kit.engine.detail('seq1', 'attention', 0, 10);
    expect(detail.contacts.map((c) => c.address)).toEqual([jane.address]);
    // Due now (queued) and in two days (scheduled): both still at the relay.
    expect(kit.channels.to(jane.address).map((m) => m.status)).toEqual(['queued', 'scheduled']);
    expect(kit.wakes.at(-1)).toBeLessThanOrEqual(kit.clock.t + MINUTE_MS);

    kit.channels.relayDown = false;
    await kit.engine.tick();
    expect(kit.channels.to(jane.address).map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
    expect(kit.channels.to(bob.address).map((m) => m.status)).toEqual(['queued', 'scheduled']);
    detail = await kit.engine.detail('seq1', 'attention', 0, 10);
    expect(detail.matching).toBe(0);
  });

  it('records a step the relay already sent instead of cancelling it', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    kit.channels.deliverDue(); // the first one went at 08:00
    await kit.engine.unenrol('seq1', [jane.address]);
    const detail = await kit.engine.detail('seq1', 'all', 0, 10);
    expect(detail.contacts[0]).toMatchObject({ status: 'stopped', stopReason: 'unenrolled', stepsSent: 1 });
    expect(kit.channels.to(jane.address).map((m) => m.status)).toEqual(['sent', 'cancelled']);
  });
});

describe('relay sync', () => {
  it('records sends, finishes contacts, stops a bounce and an unsubscribe', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    const carol = { address: 'carol@umbrella.test' };
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane, bob, carol] });
    kit.clock.advance(DAY_MS);
    kit.channels.deliverDue();
    // Carol unsubscribes after the first email: the relay cancels her waiting follow-up itself.
    const carolSecond = kit.channels.to(carol.address)[1]!;
    carolSecond.status = 'cancelled';
    carolSecond.lastError = 'not sent: carol@umbrella.test unsubscribed';
    kit.clock.advance(2 * DAY_MS);
    kit.channels.deliverDue();
    // Bob's second email bounced.
    const bobSecond = kit.channels.to(bob.address)[1]!;
    bobSecond.status = 'failed';
    bobSecond.lastError = '550 5.1.1 mailbox unavailable';
    kit.channels.suppressedSet.add(carol.address);
    expect(await kit.engine.sync()).toBeGreaterThan(0);
    const detail = await kit.engine.detail('seq1', 'all', 0, 10);
    const by = Object.fromEntries(detail.contacts.map((c) => [c.address, c]));
    expect(by[jane.address]).toMatchObject({ status: 'finished', stepsSent: 2 });
    expect(by[bob.address]).toMatchObject({ status: 'stopped', stopReason: 'bounced', stopDetail: 'sequences.engine.bounced:550 5.1.1 mailbox unavailable' });
    expect(by[carol.address]).toMatchObject({ status: 'stopped', stopReason: 'unsubscribed' });
    expect(detail.summary.counts).toMatchObject({ finished: 1, stopped: 2, unsubscribed: 1, stepsSent: 4 });
    // And Carol is never enrolled again, even without asking the relay.
    kit.channels.suppressedSet.clear();
    const again = await kit.engine.preview({ sequenceId: 'seq1', contacts: [carol] });
    expect(again.skipped[0]!.reason).toBe('unsubscribed');
  });
});

describe('relay sync across service-worker restarts', () => {
  it('asks the relay at most every ten minutes, even when the worker restarts in between', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    await kit.engine.tick();
    kit.clock.advance(MINUTE_MS);
    const before = kit.channels.statusCalls;
    await kit.restart().tick();
    await kit.restart().tick();
    expect(kit.channels.statusCalls).toBe(before);
    kit.clock.advance(10 * MINUTE_MS);
    await kit.restart().tick();
    expect(kit.channels.statusCalls).toBeGreaterThan(before);
  });
});

describe('Gmail-channel steps dispatched by the background', () => {
  it('sends due steps on tick, threads the follow-up by Gmail thread id, and wakes for the next one', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('gmail'));
    const r = await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    expect(r.handedOver).toBe(0);
    await kit.engine.tick();
    expect(kit.channels.gmailSent).toHaveLength(1);
    const first = kit.channels.gmailSent[0]!;
    expect(kit.wakes.at(-1)).toBe(Date.parse('2030-01-09T08:00:00Z'));

    kit.clock.t = Date.parse('2030-01-09T08:00:00Z');
    await kit.engine.tick();
    const second = kit.channels.gmailSent[1]!;
    expect(second.key).toBe('seq1:jane.doe@acme-corp.com:1');
    expect(second.draft).toMatchObject({ subject: 'Re: Quick question, Jane', inReplyTo: first.messageId, threadId: first.threadId });
    expect((await kit.engine.detail('seq1', 'all', 0, 5)).contacts[0]!.status).toBe('finished');
  });

  it('catches up after the browser was closed without double sends, one step per contact at a time', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('gmail'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane, bob] });
    // Closed before the first tick, opened ten days later.
    kit.clock.advance(10 * DAY_MS);
    const engine = kit.restart();
    await engine.tick();
    await engine.tick();
    expect(kit.channels.gmailSent.map((m) => m.key).sort()).toEqual(['seq1:bob@globex.test:0', 'seq1:jane.doe@acme-corp.com:0']);
    // The follow-ups wait their two days from the late first emails.
    const detail = await engine.detail('seq1', 'all', 0, 5);
    for (const c of detail.contacts) expect(c.nextAt! - kit.clock.t).toBeGreaterThanOrEqual(2 * DAY_MS - 9 * HOUR);
  });

  it('after a crash mid-send, sends again with the same key and the outbox answers with the first attempt', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('gmail'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    await kit.engine.tick();
    expect(kit.channels.gmailSent).toHaveLength(1);
    // Simulate the worker dying after Gmail took the mail but before the result was saved.
    const stored = kit.area.data.get('sequences.enrolments.seq1') as { steps: { status: string }[] }[];
    Object.assign(stored[0]!.steps[0]!, { status: 'sending' });
    delete (stored[0]!.steps[0]! as { sentAt?: number }).sentAt;
    await kit.restart().tick();
    expect(kit.channels.gmailSent).toHaveLength(1);
    const detail = await kit.engine.detail('seq1', 'all', 0, 5);
    expect(detail.contacts[0]).toMatchObject({ stepsSent: 1, status: 'active', nextStep: 1 });
  });

  it('waits and retries on a passing failure; stops on a final one', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('gmail'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane, bob] });
    kit.channels.gmailFaults.push({ code: 'daily_limit', message: 'Daily limit reached' }, { code: 'rejected', message: 'Gmail refused: invalid To' });
    await kit.engine.tick();
    const detail = await kit.engine.detail('seq1', 'all', 0, 5);
    const by = Object.fromEntries(detail.contacts.map((c) => [c.address, c]));
    expect(Object.values(by).map((c) => c.status).sort()).toEqual(['active', 'stopped']);
    const waiting = Object.values(by).find((c) => c.status === 'active')!;
    expect(waiting).toMatchObject({ stepsSent: 0, error: 'Daily limit reached' });
    expect(kit.wakes.at(-1)).toBe(kit.clock.t + HOUR);
    const refused = Object.values(by).find((c) => c.status === 'stopped')!;
    expect(refused).toMatchObject({ stopReason: 'failed', stopDetail: 'Gmail refused: invalid To', stepsSent: 0 });
    const stored = kit.area.data.get('sequences.enrolments.seq1') as { contact: { address: string }; steps: { status: string; error?: string }[] }[];
    expect(stored.find((e) => e.contact.address === refused.address)!.steps).toMatchObject([{ status: 'failed', error: 'Gmail refused: invalid To' }, { status: 'cancelled' }]);
    kit.clock.advance(HOUR);
    await kit.engine.tick();
    expect(kit.channels.gmailSent.map((m) => m.key)).toEqual([`seq1:${waiting.address}:0`]);
  });

  it('fails the step and stops the enrolment when its template was deleted, sending nothing for it', async () => {
    const templates = structuredClone(TEMPLATES);
    const kit = makeKit(undefined, templates);
    await kit.engine.save(twoSteps('gmail'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    await kit.engine.tick();
    expect(kit.channels.gmailSent).toHaveLength(1);
    templates.splice(templates.findIndex((t) => t.id === 't2'), 1);
    kit.clock.t = Date.parse('2030-01-09T08:00:00Z');
    await kit.engine.tick();
    expect(kit.channels.gmailSent).toHaveLength(1);
    const detail = await kit.engine.detail('seq1', 'all', 0, 5);
    expect(detail.contacts[0]).toMatchObject({ status: 'stopped', stopReason: 'failed', stopDetail: 'the template of step 2 was deleted', stepsSent: 1 });
    const stored = kit.area.data.get('sequences.enrolments.seq1') as { steps: { status: string; error?: string }[] }[];
    expect(stored[0]!.steps[1]).toMatchObject({ status: 'failed', error: 'the template of step 2 was deleted' });
  });

  it('on a relay channel, a step whose template was deleted before hand-over fails and stops the enrolment', async () => {
    const templates = structuredClone(TEMPLATES);
    const kit = makeKit(undefined, templates);
    await kit.engine.save(twoSteps('relay:ch1'));
    kit.channels.relayDown = true;
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    templates.splice(templates.findIndex((t) => t.id === 't1'), 1);
    kit.channels.relayDown = false;
    kit.clock.advance(10 * MINUTE_MS);
    await kit.engine.tick();
    expect(kit.channels.relayMessages).toHaveLength(0);
    const detail = await kit.engine.detail('seq1', 'all', 0, 5);
    expect(detail.contacts[0]).toMatchObject({ status: 'stopped', stopReason: 'failed', stopDetail: 'the template of step 1 was deleted' });
    const stored = kit.area.data.get('sequences.enrolments.seq1') as { steps: { status: string; error?: string }[] }[];
    expect(stored[0]!.steps.map((x) => x.status)).toEqual(['failed', 'cancelled']);
  });

  it('checks the thread through Gmail metadata before a follow-up when the policy allows it', async () => {
    const kit = makeKit();
    kit.threads.on = true;
    await kit.engine.save(twoSteps('gmail'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane, bob] });
    await kit.engine.tick();
    const janeThread = kit.channels.to(jane.address, 'gmail')[0]!.threadId!;
    kit.threads.replies.set(janeThread, 'jane.doe@acme-corp.com');
    kit.clock.t = Date.parse('2030-01-09T08:00:00Z');
    await kit.engine.tick();
    expect(kit.channels.to(jane.address, 'gmail')).toHaveLength(1);
    expect(kit.channels.to(bob.address, 'gmail')).toHaveLength(2);
    const detail = await kit.engine.detail('seq1', 'stopped', 0, 5);
    expect(detail.contacts).toEqual([expect.objectContaining({ address: jane.address, stopReason: 'replied', stopDetail: 'sequences.engine.repliedInThread:jane.doe@acme-corp.com' })]);
  });
});

describe('sequences', () => {
  it('refuses a step whose template does not exist, naming the step', async () => {
    const kit = makeKit();
    await expect(
      kit.engine.save(twoSteps('relay:ch1', { steps: [{ templateId: 'nope', delayDays: 0, businessDays: false, sameThread: false }] })),
    ).rejects.toMatchObject({ field: 'steps.0.templateId' });
  });

  it('deleting a sequence stops everyone and cancels at the relay first', async () => {
    const kit = makeKit();
    await kit.engine.save(twoSteps('relay:ch1'));
    await kit.engine.enrol({ sequenceId: 'seq1', contacts: [jane] });
    kit.channels.relayDown = true;
    await expect(kit.engine.remove('seq1')).rejects.toMatchObject({ code: 'relay_unreachable' });
    expect((await kit.engine.list()).map((s) => s.id)).toEqual(['seq1']);
    kit.channels.relayDown = false;
    expect(await kit.engine.remove('seq1')).toBe(true);
    expect(kit.channels.relayMessages.map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
    expect(await kit.engine.list()).toEqual([]);
  });
});
