import type { Enrolment, StepState, StopReason } from '../../../shared/messages/sequences';

/**
 * The enrolment state machine, as pure mutations (the engine applies them
 * under its lock, then does the network work they ask for):
 *
 *   active ─pause→ paused ─resume→ active (re-planned, new keys) ─…→ finished
 *      └──────────── stop (reply, unsubscribe, bounce, unenrol, failure) ──→ stopped
 *
 * A step the relay holds (scheduled, with an outbox id) cannot just be
 * forgotten: stopping or pausing marks it cancelPending until the relay
 * confirms the cancel (or says it already went).
 */

export const isRelayChannel = (channelId: string) => channelId.startsWith('relay:');

export const isWaiting = (s: StepState) => s.status === 'planned' || s.status === 'scheduled' || s.status === 'sending';

export function stopEnrolment(e: Enrolment, reason: StopReason, detail: string | undefined, now: number): boolean {
  if (e.status === 'stopped' || e.status === 'finished') return false;
  e.status = 'stopped';
  e.stopReason = reason;
  e.stoppedAt = now;
  if (detail) e.stopDetail = detail.slice(0, 500);
  else delete e.stopDetail;
  for (const s of e.steps) {
    if (s.status === 'planned') s.status = 'cancelled';
    else if (s.status === 'scheduled' && s.outboxId) s.cancelPending = true;
  }
  return true;
}

/** A step that cannot go out (its template is gone, the relay refused it for good): it fails, and the enrolment stops with the reason. */
export function failStep(e: Enrolment, k: number, reason: string, now: number): void {
  const s = e.steps[k]!;
  s.status = 'failed';
  s.error = reason.slice(0, 500);
  stopEnrolment(e, 'failed', reason, now);
}

/** Pausing: nothing new goes out; what the relay holds is cancelled (and planned again on resume). */
export function pauseEnrolment(e: Enrolment, relay: boolean): boolean {
  if (e.status !== 'active') return false;
  e.status = 'paused';
  if (relay) for (const s of e.steps) if (s.status === 'scheduled' && s.outboxId) s.cancelPending = true;
  return true;
}

/** After a confirmed cancel at the relay. */
export function cancelConfirmed(e: Enrolment, s: StepState): void {
  delete s.cancelPending;
  if (e.status === 'paused') {
    // Back to planned: resume re-plans it with a new key (the relay keeps the old one, cancelled).
    s.status = 'planned';
    delete s.outboxId;
    delete s.messageId;
  } else {
    s.status = 'cancelled';
  }
}

/** An active enrolment with nothing left to send is finished. */
export function settle(e: Enrolment): void {
  if (e.status === 'active' && !e.steps.some(isWaiting)) e.status = 'finished';
}

export function markSent(s: StepState, at: number, ids: { outboxId?: string; messageId?: string; threadId?: string }): void {
  s.status = 'sent';
  s.sentAt = at;
  delete s.error;
  delete s.cancelPending;
  if (ids.outboxId) s.outboxId = ids.outboxId;
  if (ids.messageId) s.messageId = ids.messageId;
  if (ids.threadId) s.threadId = ids.threadId;
}

export function enrolmentId(sequenceId: string, address: string): string {
  return `${sequenceId}\n${address}`;
}
