import { useCallback, useEffect, useRef, useState, type MouseEvent } from 'react';
import { i18n } from '#i18n';
import type { Contact, EnrolPreview, SequenceSummary } from '../../shared/messages/sequences';
import { Contact as ContactSchema } from '../../shared/messages/sequences';
import { send } from '../lib/messaging';
import type { Recipient } from '../compose/driver';

/**
 * The compose's recipients as sequence contacts: everyone in To is enrolled;
 * people in Cc get a copy of each of their emails (and their replies stop it
 * too); Bcc is left out. A compose with only Cc's enrols those.
 */
export function contactsFrom(recipients: readonly Recipient[]): Contact[] {
  const to = recipients.filter((r) => r.kind === 'to');
  const cc = recipients.filter((r) => r.kind === 'cc').map((r) => r.address.toLowerCase());
  const people = to.length ? to : recipients.filter((r) => r.kind === 'cc');
  const ccFor = to.length ? [...new Set(cc)] : [];
  const out: Contact[] = [];
  for (const r of people) {
    const parsed = ContactSchema.safeParse({
      address: r.address,
      ...(r.name && r.name !== r.address ? { name: r.name.replace(/[\r\n\0]+/g, ' ').slice(0, 200) } : {}),
      ...(ccFor.length ? { cc: ccFor.filter((c) => c !== r.address.toLowerCase()).slice(0, 20) } : {}),
    });
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

export type EnrolPreviewState = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; preview: EnrolPreview } | { state: 'error'; message: string };

export interface EnrolController {
  summaries: SequenceSummary[] | null;
  selectedId: string | null;
  select(id: string): void;
  fields: Record<string, string>;
  setField(field: string, value: string): void;
  preview: EnrolPreviewState;
  busy: boolean;
  result: { kind: 'success' | 'error'; text: string } | null;
  contacts: Contact[];
  enrol(event: MouseEvent<HTMLButtonElement>): void;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * "Add to sequence" for one compose: the sequences (loaded when the panel
 * opens), a preview of what enrolling the compose's recipients would do
 * (refreshed as recipients and fields change), and the enrolment itself,
 * only on a real click by the rep.
 */
export function useEnrol(recipients: readonly Recipient[], open: boolean, summaries: SequenceSummary[] | null): EnrolController {
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<EnrolPreviewState>({ state: 'idle' });
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<EnrolController['result']>(null);
  const inflight = useRef(false);
  const contacts = contactsFrom(recipients);
  const contactsKey = JSON.stringify(contacts);
  const selected = summaries?.find((s) => s.id === selectedId) ?? summaries?.[0] ?? null;
  const filled = Object.fromEntries(Object.entries(fields).filter(([k, v]) => v.trim() && selected?.fields.includes(k)));
  const fieldsKey = JSON.stringify(filled);

  useEffect(() => {
    if (!open || !selected || !contacts.length) {
      setPreview({ state: 'idle' });
      return;
    }
    let cancelled = false;
    setPreview({ state: 'loading' });
    const timer = setTimeout(() => {
      send('sequences.preview', { sequenceId: selected.id, contacts, ...(Object.keys(filled).length ? { fields: filled } : {}) })
        .then((p) => !cancelled && setPreview({ state: 'ready', preview: p }))
        .catch((error: unknown) => !cancelled && setPreview({ state: 'error', message: messageOf(error) }));
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // contactsKey/fieldsKey stand for contacts/filled (new arrays every render).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, selected?.id, contactsKey, fieldsKey]);

  const enrol = useCallback(
    (event: MouseEvent<HTMLButtonElement>) => {
      // Only a real click by the rep enrols anyone: never a script on the page.
      if (!event.nativeEvent.isTrusted || inflight.current || !selected || !contacts.length) return;
      inflight.current = true;
      setBusy(true);
      setResult(null);
      send('sequences.enrol', { sequenceId: selected.id, contacts, ...(Object.keys(filled).length ? { fields: filled } : {}) })
        .then((r) => {
          const parts = [i18n.t('sequences.sidebar.enrolled', r.enrolled, [String(r.enrolled), selected.name])];
          if (r.firstAt !== null && r.enrolled > 0) parts.push(i18n.t('sequences.sidebar.firstAt', [formatTime(r.firstAt)]));
          if (r.handedOver > 0) parts.push(i18n.t('sequences.sidebar.handedOver'));
          if (r.skipped.length) parts.push(i18n.t('sequences.sidebar.skippedCount', [String(r.skipped.length)]));
          setResult({ kind: r.enrolled > 0 ? 'success' : 'error', text: parts.join(' ') });
          setPreview({ state: 'idle' });
        })
        .catch((error: unknown) => setResult({ kind: 'error', text: i18n.t('sequences.sidebar.failed', [messageOf(error)]) }))
        .finally(() => {
          inflight.current = false;
          setBusy(false);
        });
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [selected?.id, contactsKey, fieldsKey],
  );

  return {
    summaries,
    selectedId: selected?.id ?? null,
    select: (id) => {
      setSelectedId(id);
      setResult(null);
    },
    fields,
    setField: (field, value) => setFields((f) => ({ ...f, [field]: value })),
    preview,
    busy,
    result,
    contacts,
    enrol,
  };
}

function uiLocale(): string {
  try {
    return browser.i18n.getUILanguage() || navigator.language;
  } catch {
    return navigator.language;
  }
}

/** "Mon 12 Jan, 09:00" in the browser's language. */
export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(uiLocale(), { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
}
