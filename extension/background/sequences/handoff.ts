import { SendwayError } from '../../../shared/messages/define';
import type { SendOutcome } from '../../../shared/messages/channels';
import type { Enrolment, Sequence } from '../../../shared/messages/sequences';
import type { Template } from '../../../shared/messages/templates';
import type { EngineCore } from './core';
import { renderStep, StepRenderError, type ThreadRef } from './render';
import { enrolmentId, failStep, markSent, stopEnrolment } from './state';

/** Failures that pass (the relay is down, the token expired): the step stays planned and is tried again. */
const TRANSIENT = new Set([
  'relay_unreachable',
  'relay_timeout',
  'relay_error',
  'relay_unauthorized',
  'relay_bad_reply',
  'relay_not_connected',
  'unavailable',
  'unreachable',
  'internal',
]);
const RETRY_MS = 5 * 60_000;

export type Verdict = { kind: 'ok'; outcome: Extract<SendOutcome, { ok: true }> } | { kind: 'transient'; message: string } | { kind: 'suppressed'; message: string } | { kind: 'failed'; code: string; message: string };

export function verdictOf(outcome: SendOutcome | undefined, thrown?: unknown): Verdict {
  if (thrown !== undefined) {
    const code = thrown instanceof SendwayError ? thrown.code : 'internal';
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return TRANSIENT.has(code) || !(thrown instanceof SendwayError) ? { kind: 'transient', message } : { kind: 'failed', code, message };
  }
  if (!outcome) return { kind: 'transient', message: 'no answer' };
  if (outcome.ok) return { kind: 'ok', outcome };
  if (outcome.code === 'suppressed') return { kind: 'suppressed', message: outcome.message };
  if (TRANSIENT.has(outcome.code)) return { kind: 'transient', message: outcome.message };
  return { kind: 'failed', code: outcome.code, message: outcome.message };
}

/** The first email's subject for this contact (follow-ups reply to it). */
export function firstSubject(sequence: Sequence, templates: ReadonlyMap<string, Template>, e: Enrolment): string | undefined {
  try {
    return renderStep({ sequence, step: 0, templates, contact: e.contact, fields: e.fields, unsubscribeLabel: '' }).subject;
  } catch {
    return undefined;
  }
}

export interface HandOverContext {
  sequence: Sequence;
  templates: ReadonlyMap<string, Template>;
}

/**
 * Hands one contact's planned relay steps to the relay, each with its planned
 * time as sendAt and its stable idempotency key, in order: a follow-up that
 * replies in the thread needs the first email's Message-ID, which the relay
 * fixes when it accepts the first email. Returns how many steps it handed over.
 */
export async function handOverContact(core: EngineCore, ctx: HandOverContext, address: string): Promise<number> {
  const { sequence, templates } = ctx;
  const id = enrolmentId(sequence.id, address);
  if (core.inflight.has(id)) return 0;
  core.inflight.add(id);
  let handed = 0;
  try {
    const list = await core.deps.store.enrolmentsOf(sequence.id);
    const e = list.find((x) => x.contact.address === address);
    if (!e || e.status !== 'active') return 0;
    const now = core.now();
    const thread: ThreadRef | undefined = (() => {
      const subject = firstSubject(sequence, templates, e);
      return subject === undefined ? undefined : { subject, ...(e.steps[0]?.messageId ? { messageId: e.steps[0].messageId } : {}) };
    })();
    for (let k = 0; k < e.steps.length; k++) {
      const step = e.steps[k]!;
      if (step.status !== 'planned') continue;
      if ((core.retryAt.get(step.key) ?? 0) > now) break;
      const def = sequence.steps[k];
      if (k > 0 && def?.sameThread && !e.steps[0]?.messageId) break; // the first email is not at the relay yet
      if (e.status !== 'active') break;
      let draft;
      try {
        draft = renderStep({
          sequence,
          step: k,
          templates,
          contact: e.contact,
          fields: e.fields,
          ...(thread ? { thread: { ...thread, ...(e.steps[0]?.messageId ? { messageId: e.steps[0].messageId } : {}) } } : {}),
          ...(sequence.unsubscribeLink && e.unsubscribeUrl ? { unsubscribeUrl: e.unsubscribeUrl } : {}),
          unsubscribeLabel: core.deps.say('sequences.engine.unsubscribeLabel'),
        });
      } catch (error) {
        if (!(error instanceof StepRenderError)) throw error;
        await core.update(sequence.id, address, (x) => failStep(x, k, error.message, core.now()));
        break;
      }
      const key = step.key;
      let outcome: SendOutcome | undefined;
      let thrown: unknown;
      try {
        [outcome] = await core.deps.channels.send(sequence.channelId, [{ idempotencyKey: key, draft }], new Date(step.at).toISOString());
      } catch (error) {
        thrown = error;
      }
      const verdict = verdictOf(outcome, thrown);
      const proceed = await core.update(sequence.id, address, (x) => {
        const s = x.steps[k];
        if (!s || s.key !== key) return false; // re-planned meanwhile: this answer is for an old key
        switch (verdict.kind) {
          case 'ok': {
            const o = verdict.outcome;
            if (o.status === 'sent') markSent(s, core.now(), { outboxId: o.id, ...(o.messageId ? { messageId: o.messageId } : {}) });
            else {
              s.status = 'scheduled';
              s.outboxId = o.id;
              if (o.messageId) s.messageId = o.messageId;
              delete s.error;
            }
            // Stopped or paused while the request was out: the relay must let go of it again.
            if (x.status !== 'active' && s.status === 'scheduled') s.cancelPending = true;
            core.retryAt.delete(key);
            return x.status === 'active';
          }
          case 'transient':
            s.error = verdict.message.slice(0, 500);
            core.retryAt.set(key, core.now() + RETRY_MS);
            return false;
          case 'suppressed':
            stopEnrolment(x, 'unsubscribed', core.deps.say('sequences.engine.unsubscribedStop'), core.now());
            return false;
          case 'failed':
            failStep(x, k, verdict.message, core.now());
            return false;
        }
      });
      if (verdict.kind === 'ok') handed++;
      if (!proceed) break;
    }
    // Read again: the updates above may have stopped it.
    const after = (await core.deps.store.enrolmentsOf(sequence.id)).find((x) => x.contact.address === address);
    if (after?.status === 'stopped' && after.stopReason === 'unsubscribed') await core.deps.store.addSuppressed([address]);
    return handed;
  } finally {
    core.inflight.delete(id);
  }
}

/** Runs `fn` over `items`, `limit` at a time, starting no new item after `deadline`. Returns how many ran. */
export async function forEachLimited<T>(items: readonly T[], limit: number, deadline: number, fn: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  let ran = 0;
  const worker = async () => {
    while (next < items.length && Date.now() < deadline) {
      const i = next++;
      await fn(items[i]!);
      ran++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return ran;
}
