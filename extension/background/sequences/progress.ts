import type { ChannelView } from '../../../shared/messages/channels';
import type { ContactProgress, Enrolment, Sequence, SequenceCounts, SequenceSummary, StepState } from '../../../shared/messages/sequences';

const WAITING: ReadonlySet<StepState['status']> = new Set(['planned', 'scheduled', 'sending']);

/** The contact's next step still to go out, if any. */
export function nextStepOf(e: Enrolment): { index: number; at: number } | null {
  if (e.status !== 'active') return null;
  const index = e.steps.findIndex((s) => WAITING.has(s.status));
  return index < 0 ? null : { index, at: e.steps[index]!.at };
}

export function progressOf(e: Enrolment): ContactProgress {
  const sent = e.steps.filter((s) => s.status === 'sent');
  const next = nextStepOf(e);
  const waiting = e.steps.filter((s) => WAITING.has(s.status));
  // A failed step, or one waiting after a passing failure (the channel said why).
  const problem = e.steps.find((s) => s.error && s.status !== 'sent' && s.status !== 'cancelled')?.error;
  return {
    address: e.contact.address,
    ...(e.contact.name ? { name: e.contact.name } : {}),
    status: e.status,
    ...(e.stopReason ? { stopReason: e.stopReason } : {}),
    ...(e.stopDetail ? { stopDetail: e.stopDetail } : {}),
    stepsSent: sent.length,
    stepsTotal: e.steps.length,
    nextAt: next?.at ?? null,
    nextStep: next?.index ?? null,
    lastSentAt: sent.length ? Math.max(...sent.map((s) => s.sentAt ?? s.at)) : null,
    finishAt: e.status === 'active' && waiting.length ? Math.max(...waiting.map((s) => s.at)) : null,
    // Said once: a failure that stopped the contact is already its stop detail.
    ...(problem && problem !== e.stopDetail ? { error: problem } : {}),
  };
}

export function countsOf(list: readonly Enrolment[]): SequenceCounts {
  const c: SequenceCounts = { total: list.length, active: 0, paused: 0, finished: 0, stopped: 0, replied: 0, unsubscribed: 0, stepsSent: 0, stepsTotal: 0 };
  for (const e of list) {
    c[e.status]++;
    if (e.stopReason === 'replied') c.replied++;
    if (e.stopReason === 'unsubscribed') c.unsubscribed++;
    const sent = e.steps.filter((s) => s.status === 'sent').length;
    c.stepsSent += sent;
    // A stopped contact counts only what went out: the rest will never be sent.
    c.stepsTotal += e.status === 'stopped' ? sent : e.steps.length;
  }
  return c;
}

export function summaryOf(
  sequence: Sequence,
  list: readonly Enrolment[],
  channel: ChannelView | undefined,
  fields: { custom: string[]; problems: string[] },
): SequenceSummary {
  let nextAt: number | null = null;
  let finishAt: number | null = null;
  for (const e of list) {
    const p = progressOf(e);
    if (p.nextAt !== null && (nextAt === null || p.nextAt < nextAt)) nextAt = p.nextAt;
    if (p.finishAt !== null && (finishAt === null || p.finishAt > finishAt)) finishAt = p.finishAt;
  }
  return {
    id: sequence.id,
    name: sequence.name,
    channelId: sequence.channelId,
    channelName: channel?.name ?? null,
    channelKind: channel?.kind ?? null,
    steps: sequence.steps.length,
    fields: fields.custom,
    problems: fields.problems,
    counts: countsOf(list),
    nextAt,
    finishAt,
  };
}

export type ContactFilter = 'all' | 'active' | 'paused' | 'finished' | 'stopped' | 'attention';

export function matchesFilter(e: Enrolment, filter: ContactFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'attention') return e.steps.some((s) => s.status === 'failed' || s.cancelPending) || e.stopReason === 'failed' || e.stopReason === 'bounced';
  return e.status === filter;
}

/** The next sends of a sequence, soonest first. */
export function upcoming(list: readonly Enrolment[], limit: number): { address: string; step: number; at: number }[] {
  const out: { address: string; step: number; at: number }[] = [];
  for (const e of list) {
    const next = nextStepOf(e);
    if (next) out.push({ address: e.contact.address, step: next.index, at: next.at });
  }
  return out.sort((a, b) => a.at - b.at).slice(0, limit);
}
