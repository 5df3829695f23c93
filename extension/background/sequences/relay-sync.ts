import type { Enrolment } from '../../../shared/messages/sequences';
import type { EngineCore } from './core';
import { forEachLimited } from './handoff';
import { cancelConfirmed, isRelayChannel, markSent, settle, stopEnrolment } from './state';

const CONCURRENCY = 4;
/** Status look-ups per sync: the rest wait for the next one. */
const STATUS_BATCH = 300;
const SUPPRESSION_BATCH = 1000;

/**
 * Cancels at the relay every step a stop or pause left owing one. A step the
 * relay already started (409) is looked up: if it went out it counts as sent.
 * Unreachable: it stays owed and the next tick tries again.
 */
export async function cancelOwed(core: EngineCore, deadline: number): Promise<number> {
  const owed: { sequenceId: string; address: string; key: string; outboxId: string }[] = [];
  for (const { sequence, enrolments } of await core.all()) {
    if (!isRelayChannel(sequence.channelId)) continue;
    for (const e of enrolments) {
      for (const s of e.steps) if (s.cancelPending && s.outboxId) owed.push({ sequenceId: sequence.id, address: e.contact.address, key: s.key, outboxId: s.outboxId });
    }
  }
  if (!owed.length || !(await core.deps.relay.connected())) return 0;
  let done = 0;
  await forEachLimited(owed, CONCURRENCY, deadline, async (o) => {
    let result: Awaited<ReturnType<typeof core.deps.relay.cancel>>;
    try {
      result = await core.deps.relay.cancel(o.outboxId);
    } catch {
      return; // still owed
    }
    let state: Awaited<ReturnType<typeof core.deps.relay.status>> = null;
    if (result === 'too_late') state = await core.deps.relay.status(o.outboxId).catch(() => null);
    await core.update(o.sequenceId, o.address, (e) => {
      const s = e.steps.find((x) => x.key === o.key);
      if (!s || !s.cancelPending) return;
      if (result === 'too_late') {
        delete s.cancelPending;
        if (state?.status === 'sent') markSent(s, state.sentAt ?? core.now(), {});
        else if (state?.status === 'failed') {
          s.status = 'failed';
          s.error = state.lastError ?? 'failed';
        }
        // sending/retrying: it will go; the next sync records it.
      } else cancelConfirmed(e, s);
      done++;
    });
  });
  return done;
}

/**
 * Asks the relay what became of steps whose time has come, and who
 * unsubscribed: a sent step is recorded (the contact finishes after the
 * last), a failed one is a bounce (the contact stops and the rest is
 * cancelled), an unsubscribed contact stops.
 */
export async function syncRelay(core: EngineCore, deadline: number): Promise<number> {
  if (!(await core.deps.relay.connected())) return 0;
  const now = core.now();
  const due: { sequenceId: string; address: string; key: string; outboxId: string }[] = [];
  const live: { sequenceId: string; e: Enrolment }[] = [];
  for (const { sequence, enrolments } of await core.all()) {
    if (!isRelayChannel(sequence.channelId)) continue;
    for (const e of enrolments) {
      if (e.status === 'active' || e.status === 'paused') live.push({ sequenceId: sequence.id, e });
      for (const s of e.steps) {
        if (s.status === 'scheduled' && s.outboxId && s.at <= now && !s.cancelPending) due.push({ sequenceId: sequence.id, address: e.contact.address, key: s.key, outboxId: s.outboxId });
      }
    }
  }
  let updated = 0;
  const unsubscribed: string[] = [];
  await forEachLimited(due.slice(0, STATUS_BATCH), CONCURRENCY, deadline, async (d) => {
    let state;
    try {
      state = await core.deps.relay.status(d.outboxId);
    } catch {
      return;
    }
    await core.update(d.sequenceId, d.address, (e) => {
      const s = e.steps.find((x) => x.key === d.key);
      if (!s || s.status !== 'scheduled') return;
      if (!state) {
        s.status = 'failed';
        s.error = 'the relay no longer knows this message';
      } else if (state.status === 'sent') {
        markSent(s, state.sentAt ?? core.now(), {});
      } else if (state.status === 'failed') {
        s.status = 'failed';
        s.error = (state.lastError ?? 'failed').slice(0, 500);
        stopEnrolment(e, 'bounced', core.deps.say('sequences.engine.bounced', [s.error]), core.now());
      } else if (state.status === 'cancelled') {
        s.status = 'cancelled';
        if (/unsubscribed/i.test(state.lastError ?? '')) {
          stopEnrolment(e, 'unsubscribed', core.deps.say('sequences.engine.unsubscribedStop'), core.now());
          unsubscribed.push(e.contact.address);
        }
      } else return;
      updated++;
      settle(e);
    });
  });

  if (unsubscribed.length) await core.deps.store.addSuppressed(unsubscribed);

  // Who unsubscribed, per sending address (a suppression is per sending domain).
  const byFrom = new Map<string, { sequenceId: string; address: string }[]>();
  for (const { sequenceId, e } of live) {
    if (!e.from) continue;
    let list = byFrom.get(e.from);
    if (!list) byFrom.set(e.from, (list = []));
    list.push({ sequenceId, address: e.contact.address });
  }
  for (const [from, list] of byFrom) {
    for (let i = 0; i < list.length && Date.now() < deadline; i += SUPPRESSION_BATCH) {
      const chunk = list.slice(i, i + SUPPRESSION_BATCH);
      let suppressed: Set<string>;
      try {
        suppressed = await core.deps.relay.suppressed(from, [...new Set(chunk.map((c) => c.address))]);
      } catch {
        break;
      }
      if (!suppressed.size) continue;
      await core.deps.store.addSuppressed(suppressed);
      for (const c of chunk) {
        if (!suppressed.has(c.address)) continue;
        await core.update(c.sequenceId, c.address, (e) => {
          if (stopEnrolment(e, 'unsubscribed', core.deps.say('sequences.engine.unsubscribedStop'), core.now())) updated++;
        });
      }
    }
  }
  return updated;
}
