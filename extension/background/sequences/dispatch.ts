import type { SendOutcome } from '../../../shared/messages/channels';
import type { Enrolment, Sequence } from '../../../shared/messages/sequences';
import { addDelay, nextSendTime } from '../../../shared/send-window';
import type { EngineCore } from './core';
import { firstSubject } from './handoff';
import { zoneFor } from './plan';
import { renderStep, StepRenderError } from './render';
import { enrolmentId, failStep, isRelayChannel, isWaiting, markSent, settle, stopEnrolment } from './state';

/** Waits after a passing failure of a browser-dispatched (Gmail) step, by the channel's code. */
const WAIT_BY_CODE: Record<string, number> = {
  daily_limit: 60 * 60_000,
  quota_exceeded: 60 * 60_000,
  needs_sign_in: 15 * 60_000,
  auth_unreachable: 15 * 60_000,
  not_configured: 15 * 60_000,
  not_allowed: 60 * 60_000,
  rate_limited: 2 * 60_000,
  server_error: 5 * 60_000,
  unreachable: 5 * 60_000,
  internal: 5 * 60_000,
};
/** Outcomes that say the mail may have gone out: never tried again automatically. */
const UNCERTAIN = new Set(['uncertain', 'interrupted']);
/** A step Gmail's own outbox is still working on is looked at again after this. */
const POLL_MS = 2 * 60_000;

interface Due {
  sequence: Sequence;
  e: Enrolment;
  k: number;
}

/** The next step the browser must send for each live contact of non-relay sequences, soonest first. */
export async function dueSteps(core: EngineCore, now: number): Promise<{ due: Due[]; nextAt: number | undefined }> {
  const due: Due[] = [];
  let nextAt: number | undefined;
  for (const { sequence, enrolments } of await core.all()) {
    if (isRelayChannel(sequence.channelId)) continue;
    for (const e of enrolments) {
      if (e.status !== 'active') continue;
      const k = e.steps.findIndex(isWaiting);
      if (k < 0) continue;
      const s = e.steps[k]!;
      const at = Math.max(s.at, core.retryAt.get(s.key) ?? 0);
      if (at <= now) due.push({ sequence, e, k });
      else nextAt = nextAt === undefined ? at : Math.min(nextAt, at);
    }
  }
  due.sort((a, b) => a.e.steps[a.k]!.at - b.e.steps[b.k]!.at);
  return { due, nextAt };
}

/**
 * Sends due steps of sequences whose channel lives in the browser (Gmail),
 * one step per contact per pass: after a long absence (browser closed for a
 * week) a contact's follow-ups do not all go at once — each next step is
 * planned again from when the previous one actually went. Each send uses the
 * step's stable idempotency key, so a step cut off by a crash or handed to
 * Gmail's own outbox is found there on the next pass, never sent twice.
 */
export async function dispatchDue(core: EngineCore, deadline: number, maxSends = 25): Promise<number> {
  const now = core.now();
  const { due } = await dueSteps(core, now);
  const batch = due.filter((d) => !core.inflight.has(enrolmentId(d.sequence.id, d.e.contact.address))).slice(0, maxSends);
  if (!batch.length) return 0;
  const templatesMap = await core.templateMap();
  const relayUp = await core.deps.relay.connected();

  // Suppression and unsubscribe links in one request per sending address.
  if (relayUp) {
    const byFrom = new Map<string, Due[]>();
    for (const d of batch) {
      if (!d.e.from) continue;
      byFrom.set(d.e.from, [...(byFrom.get(d.e.from) ?? []), d]);
    }
    for (const [from, list] of byFrom) {
      const addresses = [...new Set(list.map((d) => d.e.contact.address))];
      try {
        const suppressed = await core.deps.relay.suppressed(from, addresses);
        if (suppressed.size) await core.deps.store.addSuppressed(suppressed);
        const needLinks = list.filter((d) => d.sequence.unsubscribeLink && !d.e.unsubscribeUrl && !suppressed.has(d.e.contact.address));
        const links = needLinks.length ? await core.deps.relay.unsubscribeLinks(from, [...new Set(needLinks.map((d) => d.e.contact.address))]) : new Map<string, string>();
        for (const d of list) {
          await core.update(d.sequence.id, d.e.contact.address, (e) => {
            if (suppressed.has(e.contact.address)) stopEnrolment(e, 'unsubscribed', core.deps.say('sequences.engine.unsubscribedStop'), core.now());
            const url = links.get(e.contact.address);
            if (url) e.unsubscribeUrl = url;
          });
        }
      } catch (error) {
        // The relay checks again at send only for relay channels; here the local list is all we have.
        console.warn('[sendway] suppression check failed; using the local list', error);
      }
    }
  }
  const localSuppressed = await core.deps.store.suppressedSet();
  const threadCheck = core.deps.gmailThread && (await core.deps.gmailThread.enabled()) ? core.deps.gmailThread : undefined;

  let sent = 0;
  for (const { sequence, e, k } of batch) {
    if (Date.now() > deadline) break;
    const address = e.contact.address;
    const id = enrolmentId(sequence.id, address);
    if (e.status !== 'active' || core.inflight.has(id)) continue;
    if (localSuppressed.has(address)) {
      await core.update(sequence.id, address, (x) => stopEnrolment(x, 'unsubscribed', core.deps.say('sequences.engine.unsubscribedStop'), core.now()));
      continue;
    }
    core.inflight.add(id);
    try {
      // With the gmail.metadata scope an admin opted into: look in the thread before each follow-up.
      const threadId = e.steps[0]?.threadId;
      if (threadCheck && k > 0 && threadId && e.from) {
        const replier = await threadCheck.replyAfter(threadId, e.enrolledAt, e.from).catch(() => null);
        if (replier) {
          await core.update(sequence.id, address, (x) => stopEnrolment(x, 'replied', core.deps.say('sequences.engine.repliedInThread', [replier]), core.now()));
          continue;
        }
      }
      const step = e.steps[k]!;
      const key = step.key;
      let draft;
      try {
        const subject = firstSubject(sequence, templatesMap, e);
        draft = renderStep({
          sequence,
          step: k,
          templates: templatesMap,
          contact: e.contact,
          fields: e.fields,
          ...(subject !== undefined
            ? { thread: { subject, ...(e.steps[0]?.messageId ? { messageId: e.steps[0].messageId } : {}), ...(threadId ? { threadId } : {}) } }
            : {}),
          ...(sequence.unsubscribeLink && e.unsubscribeUrl ? { unsubscribeUrl: e.unsubscribeUrl } : {}),
          unsubscribeLabel: core.deps.say('sequences.engine.unsubscribeLabel'),
        });
      } catch (error) {
        if (!(error instanceof StepRenderError)) throw error;
        await core.update(sequence.id, address, (x) => failStep(x, k, error.message, core.now()));
        continue;
      }
      // Recorded before the request: after a crash this step is sent again with the same key, which the channel's outbox recognises.
      await core.update(sequence.id, address, (x) => {
        if (x.steps[k]!.status === 'planned') x.steps[k]!.status = 'sending';
      });
      await core.flush();
      let outcome: SendOutcome | undefined;
      try {
        [outcome] = await core.deps.channels.send(sequence.channelId, [{ idempotencyKey: key, draft }]);
      } catch (error) {
        outcome = { ok: false, code: 'internal', message: error instanceof Error ? error.message : String(error) };
      }
      await core.update(sequence.id, address, (x) => applyOutcome(core, sequence, x, k, key, outcome!));
      if (outcome?.ok && outcome.status === 'sent') sent++;
    } finally {
      core.inflight.delete(id);
    }
  }
  return sent;
}

function applyOutcome(core: EngineCore, sequence: Sequence, e: Enrolment, k: number, key: string, outcome: SendOutcome): void {
  const s = e.steps[k];
  if (!s || s.key !== key) return;
  const now = core.now();
  if (outcome.ok) {
    if (outcome.status === 'sent') {
      markSent(s, now, { outboxId: outcome.id, ...(outcome.messageId ? { messageId: outcome.messageId } : {}), ...(outcome.threadId ? { threadId: outcome.threadId } : {}) });
      core.retryAt.delete(key);
      replanNext(sequence, e, k, now);
      settle(e);
    } else if (outcome.status === 'failed' || outcome.status === 'cancelled') {
      s.status = outcome.status;
    } else {
      // Gmail's own outbox holds it (pacing, a retry): ask again later with the same key.
      s.status = 'scheduled';
      s.outboxId = outcome.id;
      if (outcome.messageId) s.messageId = outcome.messageId;
      core.retryAt.set(key, now + POLL_MS);
    }
    return;
  }
  if (UNCERTAIN.has(outcome.code)) {
    s.status = 'failed';
    s.error = outcome.message.slice(0, 500);
    stopEnrolment(e, 'failed', core.deps.say('sequences.engine.mayHaveGone'), now);
    return;
  }
  const wait = WAIT_BY_CODE[outcome.code];
  if (wait !== undefined) {
    if (s.status === 'sending') s.status = 'planned';
    s.error = outcome.message.slice(0, 500);
    core.retryAt.set(key, now + wait);
    return;
  }
  failStep(e, k, outcome.message, now);
}

/** A follow-up goes its delay after the previous email actually went (later than planned after an absence). */
function replanNext(sequence: Sequence, e: Enrolment, k: number, sentAt: number): void {
  const next = e.steps[k + 1];
  const def = sequence.steps[k + 1];
  if (!next || !def || next.status !== 'planned') return;
  const zone = zoneFor(sequence.window, e.contact.timeZone);
  try {
    const candidate = addDelay(sentAt, def.delayDays, { timeZone: zone, businessDaysOnly: def.businessDays, holidays: sequence.window.holidays });
    const at = nextSendTime(candidate, {
      timeZone: zone,
      start: sequence.window.start,
      end: sequence.window.end,
      businessDaysOnly: sequence.window.businessDaysOnly,
      ...(sequence.window.holidays.length ? { holidays: sequence.window.holidays } : {}),
    });
    if (Number.isFinite(at) && at > next.at) next.at = at;
  } catch {
    // Keep the original plan.
  }
}
