import type { ChannelView } from '../../shared/messages/channels';
import type { SendPlan } from './plan';

export type Warning =
  | { code: 'no_channel' }
  | { code: 'not_ready'; channel: string; message: string }
  | { code: 'too_many_recipients'; channel: string; recipients: number; limit: number }
  | { code: 'daily_limit_reached'; limit: number; unit: 'messages' | 'recipients'; resumesAt: string }
  | { code: 'daily_short'; left: number; need: number; unit: 'messages' | 'recipients' }
  | { code: 'per_recipient'; messages: number }
  | { code: 'syntax'; message: string }
  | { code: 'unknown_fields'; fields: string[] }
  | { code: 'invalid'; message: string };

export interface Assessment {
  warnings: Warning[];
  /** Sending now is possible (a rep may still have to fix the draft first). */
  canSend: boolean;
  /** Scheduling is possible (limits do not matter for a later time, the draft does). */
  canSchedule: boolean;
  /** The daily limit is why Send is off: the sidebar puts Schedule first. */
  suggestSchedule: boolean;
}

/** The daily window's numbers, or null when the channel has no daily limit. */
export function dailyLeft(channel: ChannelView): { left: number; limit: number; unit: 'messages' | 'recipients' } | null {
  const day = channel.limits.perDay;
  if (day.limit === null) return null;
  return { left: Math.max(0, day.limit - day.used), limit: day.limit, unit: day.unit };
}

/** Everything the rep should know before pressing Send, from the channel and the send plan. */
export function assess(channel: ChannelView | null, plan: SendPlan, recipientCount: number): Assessment {
  const warnings: Warning[] = [];
  let blockedByDraft = recipientCount === 0;
  let blockedByChannel = false;
  let suggestSchedule = false;

  if (!channel) {
    warnings.push({ code: 'no_channel' });
    blockedByChannel = true;
  } else {
    if (channel.status !== 'ready') {
      warnings.push({ code: 'not_ready', channel: channel.name, message: channel.statusMessage ?? channel.status });
      blockedByChannel = true;
    }
    const perMessage = channel.limits.perMessage;
    if (plan.mode === 'single' && perMessage !== null && recipientCount > perMessage) {
      warnings.push({ code: 'too_many_recipients', channel: channel.name, recipients: recipientCount, limit: perMessage });
      blockedByDraft = true;
    }
    const day = dailyLeft(channel);
    if (day) {
      const need = day.unit === 'recipients' ? recipientCount : Math.max(1, plan.mode === 'perRecipient' ? recipientCount : 1);
      if (day.left <= 0) {
        warnings.push({ code: 'daily_limit_reached', limit: day.limit, unit: day.unit, resumesAt: channel.limits.nextSlotAt });
        blockedByChannel = true;
        suggestSchedule = true;
      } else if (recipientCount > 0 && need > day.left) {
        warnings.push({ code: 'daily_short', left: day.left, need, unit: day.unit });
      }
    }
  }
  if (plan.syntaxError) warnings.push({ code: 'syntax', message: plan.syntaxError });
  if (plan.unknown.length) {
    warnings.push({ code: 'unknown_fields', fields: plan.unknown });
    blockedByDraft = true;
  }
  if (plan.invalid) {
    warnings.push({ code: 'invalid', message: plan.invalid });
    blockedByDraft = true;
  }
  if (plan.mode === 'perRecipient' && recipientCount > 0) warnings.push({ code: 'per_recipient', messages: recipientCount });

  const channelUsable = !!channel && channel.status === 'ready';
  return {
    warnings,
    canSend: !blockedByDraft && !blockedByChannel,
    canSchedule: !blockedByDraft && channelUsable,
    suggestSchedule,
  };
}
