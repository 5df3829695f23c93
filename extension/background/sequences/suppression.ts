import { i18n } from '#i18n';
import type { OutgoingDraft, SendOutcome } from '../../../shared/messages/channels';
import { addressOf } from '../../../shared/schemas/mail';
import { sequenceEngine } from '.';

/**
 * The extension's own suppression check for every send (the relay checks
 * again for relay channels; for the Gmail channel this is the only one): a
 * message to anyone known to have unsubscribed is refused before it reaches
 * a channel, naming who.
 */
export async function refuseSuppressed(drafts: readonly OutgoingDraft[]): Promise<(SendOutcome | null)[]> {
  const suppressed = await sequenceEngine().deps.store.suppressedSet();
  if (!suppressed.size) return drafts.map(() => null);
  return drafts.map((d) => {
    const hit = [...d.to, ...(d.cc ?? []), ...(d.bcc ?? [])].map((a) => addressOf(a).toLowerCase()).find((a) => suppressed.has(a));
    return hit ? { ok: false, code: 'suppressed', message: i18n.t('sequences.engine.suppressedSend', [hit]) } : null;
  });
}
