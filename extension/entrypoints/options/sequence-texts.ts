import { i18n } from '#i18n';
import type { ContactProgress, EnrolmentStatus, StopReason } from '../../../shared/messages/sequences';
import { formatWhen } from '../../popup/logic/texts';

export function enrolmentStatusName(status: EnrolmentStatus): string {
  switch (status) {
    case 'active':
      return i18n.t('sequences.status.active');
    case 'paused':
      return i18n.t('sequences.status.paused');
    case 'finished':
      return i18n.t('sequences.status.finished');
    case 'stopped':
      return i18n.t('sequences.status.stopped');
  }
}

export function stopReasonName(reason: StopReason): string {
  switch (reason) {
    case 'replied':
      return i18n.t('sequences.reason.replied');
    case 'unsubscribed':
      return i18n.t('sequences.reason.unsubscribed');
    case 'bounced':
      return i18n.t('sequences.reason.bounced');
    case 'unenrolled':
      return i18n.t('sequences.reason.unenrolled');
    case 'failed':
      return i18n.t('sequences.reason.failed');
  }
}

/** "Replied", "Active", … as one short word for a contact's row. */
export function contactStateName(c: Pick<ContactProgress, 'status' | 'stopReason'>): string {
  return c.status === 'stopped' && c.stopReason ? stopReasonName(c.stopReason) : enrolmentStatusName(c.status);
}

export const when = (ms: number | null | undefined, now = Date.now()): string => (ms == null ? '—' : formatWhen(new Date(ms).toISOString(), now));
